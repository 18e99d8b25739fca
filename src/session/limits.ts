/**
 * The bounds a session holds its peer to beyond what the protocol itself
 * says: how often it may send frames that cost us work for free, and how
 * many answers it may make us owe while it does not read them. The Session
 * asks before acting; crossing any of them ends the session with GOAWAY.
 */
import { CLIENT, DATA, DATA_FLAG_FIN, PING, RST_STREAM, SETTINGS, type Side } from '../base/constants.js';
import type { ControlFrame } from '../codec/frames.js';
import type { DecodedFrame } from '../codec/frame-decoder.js';
import type { ResolvedConfig } from '../base/config.js';
import { TokenBucket } from './rate-limit.js';

/** What a peer can flood us with. */
export type FloodKind = 'ping' | 'settings' | 'rst-stream' | 'empty-data';

const bucket = (perSecond: number, config: ResolvedConfig): TokenBucket | null =>
  perSecond === 0 ? null : new TokenBucket(perSecond, config.now);

export class PeerLimits {
  private readonly buckets: Readonly<Record<FloodKind, TokenBucket | null>>;
  /** Answers to the peer's frames that are queued and not yet written. */
  private readonly pending = new Set<ControlFrame>();
  private readonly maxPending: number;
  /** Parity of the PING ids the peer starts: even from a client's point of view. */
  private readonly peerPingParity: number;

  constructor(config: ResolvedConfig, side: Side) {
    this.buckets = {
      ping: bucket(config.maxPingRate, config),
      settings: bucket(config.maxSettingsRate, config),
      'rst-stream': bucket(config.maxRstStreamRate, config),
      'empty-data': bucket(config.maxEmptyDataRate, config),
    };
    this.maxPending = config.maxPendingReplies;
    this.peerPingParity = side === CLIENT ? 0 : 1;
  }

  /** The kind of flood `frame` counts towards, if any. */
  floodKind(frame: DecodedFrame): FloodKind | null {
    switch (frame.frameType) {
      case PING:
        // Only the peer's own PINGs: we answer those; echoes of ours and stray ids cost nothing.
        return 'uniqueId' in frame && frame.uniqueId % 2 === this.peerPingParity ? 'ping' : null;
      case SETTINGS:
        return 'iv' in frame ? 'settings' : null;
      case RST_STREAM:
        return 'statusCode' in frame ? 'rst-stream' : null;
      case DATA:
        return 'data' in frame && frame.data.length === 0 && !(frame.flags & DATA_FLAG_FIN) ? 'empty-data' : null;
      default:
        return null;
    }
  }

  /** Counts a received frame; the kind of flood it crossed the limit of, or null when it is within bounds. */
  admit(frame: DecodedFrame): FloodKind | null {
    const kind = this.floodKind(frame);
    if (kind === null) return null;
    return this.buckets[kind]?.take() === false ? kind : null;
  }

  /** An answer to the peer was queued; false when that makes more waiting than allowed. */
  replyQueued(frame: ControlFrame): boolean {
    this.pending.add(frame);
    return this.pending.size <= this.maxPending;
  }

  /** A control frame was written: if it was an answer, it waits no more. */
  sent(frame: ControlFrame): void {
    this.pending.delete(frame);
  }

  /** Answers queued and not yet written. */
  get pendingReplies(): number {
    return this.pending.size;
  }
}
