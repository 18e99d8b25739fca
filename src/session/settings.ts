/**
 * The SETTINGS of both sides of a session: ours as we announced them, the
 * peer's as it announced them (or their defaults), and the few values the
 * other parts read from them.
 */
import {
  DEFAULT_WINDOW_SIZE, MAX_STREAM_ID, SETTINGS_INITIAL_WINDOW_SIZE, SETTINGS_MAX, SETTINGS_MAX_CONCURRENT_STREAMS,
} from '../base/constants.js';

function defaults(): number[] {
  const values = new Array<number>(SETTINGS_MAX + 1).fill(0);
  values[SETTINGS_MAX_CONCURRENT_STREAMS] = MAX_STREAM_ID;
  values[SETTINGS_INITIAL_WINDOW_SIZE] = DEFAULT_WINDOW_SIZE;
  return values;
}

export class SessionSettings {
  /** Ours, indexed by settings id, as `submitSettings` last set them. */
  readonly local = defaults();
  /** The peer's, indexed by settings id. */
  readonly remote = defaults();

  /** The window a new stream gives us to send in. */
  get initialSendWindow(): number {
    return this.remote[SETTINGS_INITIAL_WINDOW_SIZE]!;
  }

  /** The window a new stream gives the peer to send in. */
  get initialRecvWindow(): number {
    return this.local[SETTINGS_INITIAL_WINDOW_SIZE]!;
  }

  /** Streams of ours the peer lets be open at once. */
  get maxOutgoing(): number {
    return this.remote[SETTINGS_MAX_CONCURRENT_STREAMS]!;
  }

  /** Streams of the peer's we let be open at once. */
  get maxIncoming(): number {
    return this.local[SETTINGS_MAX_CONCURRENT_STREAMS]!;
  }
}
