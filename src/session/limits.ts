/**
 * The bounds a session holds its peer to beyond what the protocol itself
 * says: how often it may send frames that cost us work for free, and how
 * many answers it may make us owe while it does not read them. The Session
 * asks before acting; crossing any of them ends the session with GOAWAY.
 */
import {
  CLIENT, DATA, DATA_FLAG_FIN, GOAWAY, HEADERS, PING, RST_STREAM, SETTINGS, SYN_REPLY, SYN_STREAM, WINDOW_UPDATE,
  type Side,
} from '../base/constants.js';
import type { ControlFrame } from '../codec/frames.js';
import { InvalidFrame, UnknownFrame, type DecodedFrame } from '../codec/frame-decoder.js';
import type { ResolvedConfig } from '../base/config.js';
import { TokenBucket } from './rate-limit.js';

/**
 * What a peer can flood us with: frames it sends at no cost that make us
 * work (inflate, scan the streams, answer, or just decode and drop).
 * - `ping`, `settings`, `rst-stream`, `empty-data`: the frames the four
 *   older keys limit (`empty-data` is DATA with no bytes and no FIN);
 * - `window-update`: a WINDOW_UPDATE giving back under 1 KiB, the kind
 *   that makes us send DATA a few bytes at a time;
 * - `repeated-headers`: a second or later HEADERS on one stream (the first
 *   carries trailers; nothing needs more);
 * - `closed-stream`: DATA, HEADERS, SYN_REPLY or WINDOW_UPDATE for a stream
 *   that is not open, which we drop or refuse;
 * - `stray-ping`: a PING of our own parity that answers no PING of ours;
 * - `repeated-goaway`: a GOAWAY after the first;
 * - `ignored-frame`: NOOP, CREDENTIAL, control frames of unknown types or
 *   another version, and header blocks we cannot accept.
 */
export type FloodKind =
  | 'ping' | 'settings' | 'rst-stream' | 'empty-data'
  | 'window-update' | 'repeated-headers' | 'closed-stream' | 'stray-ping' | 'repeated-goaway' | 'ignored-frame';

/** The config keys of the buckets: each frame kind draws on exactly one. */
type BucketName = 'maxPingRate' | 'maxSettingsRate' | 'maxRstStreamRate' | 'maxEmptyDataRate' | 'maxGlitchRate';

/**
 * The policy, in one place: which bucket each kind of flood draws on. The
 * four frames that had their own limit before the glitch bucket keep it
 * (each tighter than the glitch bucket, and tuned on its own); everything
 * else a peer can send for free shares nghttp2's "glitch" bucket.
 */
const POLICY: Readonly<Record<FloodKind, BucketName>> = {
  ping: 'maxPingRate',
  settings: 'maxSettingsRate',
  'rst-stream': 'maxRstStreamRate',
  'empty-data': 'maxEmptyDataRate',
  'window-update': 'maxGlitchRate',
  'repeated-headers': 'maxGlitchRate',
  'closed-stream': 'maxGlitchRate',
  'stray-ping': 'maxGlitchRate',
  'repeated-goaway': 'maxGlitchRate',
  'ignored-frame': 'maxGlitchRate',
};

/**
 * Below this, a WINDOW_UPDATE is a glitch: no receiver that gives back half
 * its window at a time (spdylay, browsers, this library) or a frame's worth
 * at a time sends one so small, and each makes us write a tiny DATA frame.
 */
const SMALL_WINDOW_UPDATE = 1024;

/** How the limits see the open streams: present, or not. */
export interface StreamLookup {
  get(streamId: number): object | undefined;
}

const bucketOf = (name: BucketName, config: ResolvedConfig): TokenBucket | null => {
  const perSecond = config[name];
  if (perSecond === 0) return null;
  return name === 'maxGlitchRate'
    ? new TokenBucket(perSecond, config.now, config.glitchBurst)
    : new TokenBucket(perSecond, config.now);
};

export class PeerLimits {
  private readonly buckets: Readonly<Record<BucketName, TokenBucket | null>>;
  /** Answers to the peer's frames that are queued and not yet written. */
  private readonly pending = new Set<ControlFrame>();
  private readonly maxPending: number;
  /** Parity of the PING ids the peer starts: even from a client's point of view. */
  private readonly peerPingParity: number;
  /** The id of our PING whose echo is due, or 0. */
  private awaitedPing = 0;
  private goawaySeen = false;
  /** Streams that already had their one free HEADERS frame. */
  private readonly headersSeen = new WeakSet<object>();

  constructor(config: ResolvedConfig, side: Side) {
    this.buckets = {
      maxPingRate: bucketOf('maxPingRate', config),
      maxSettingsRate: bucketOf('maxSettingsRate', config),
      maxRstStreamRate: bucketOf('maxRstStreamRate', config),
      maxEmptyDataRate: bucketOf('maxEmptyDataRate', config),
      maxGlitchRate: bucketOf('maxGlitchRate', config),
    };
    this.maxPending = config.maxPendingReplies;
    this.peerPingParity = side === CLIENT ? 0 : 1;
  }

  /** The kind of flood `frame` counts towards, if any; `streams` tells which streams are open. */
  floodKind(frame: DecodedFrame, streams: StreamLookup): FloodKind | null {
    if (frame instanceof InvalidFrame || frame instanceof UnknownFrame) return 'ignored-frame';
    switch (frame.frameType) {
      case PING:
        if (frame.uniqueId !== 0 && frame.uniqueId % 2 === this.peerPingParity) return 'ping';
        if (frame.uniqueId !== 0 && frame.uniqueId === this.awaitedPing) {
          this.awaitedPing = 0;
          return null;
        }
        return 'stray-ping';
      case SETTINGS:
        return 'settings';
      case RST_STREAM:
        return 'rst-stream';
      case DATA:
        if (frame.data.length === 0 && !(frame.flags & DATA_FLAG_FIN)) return 'empty-data';
        return streams.get(frame.streamId) ? null : 'closed-stream';
      case WINDOW_UPDATE:
        if (frame.streamId !== 0 && !streams.get(frame.streamId)) return 'closed-stream';
        return frame.deltaWindowSize < SMALL_WINDOW_UPDATE ? 'window-update' : null;
      case HEADERS: {
        const stream = streams.get(frame.streamId);
        if (!stream) return 'closed-stream';
        if (!this.headersSeen.has(stream)) {
          this.headersSeen.add(stream);
          return null;
        }
        return 'repeated-headers';
      }
      case SYN_REPLY:
        return streams.get(frame.streamId) ? null : 'closed-stream';
      case GOAWAY:
        if (!this.goawaySeen) {
          this.goawaySeen = true;
          return null;
        }
        return 'repeated-goaway';
      case SYN_STREAM:
        return null;
      default:
        // NOOP and CREDENTIAL: decoded, and dropped.
        return 'ignored-frame';
    }
  }

  /** Counts a received frame; the kind of flood it crossed the limit of, or null when it is within bounds. */
  admit(frame: DecodedFrame, streams: StreamLookup): FloodKind | null {
    const kind = this.floodKind(frame, streams);
    if (kind === null) return null;
    return this.buckets[POLICY[kind]]?.take() === false ? kind : null;
  }

  /** An answer to the peer was queued; false when that makes more waiting than allowed. */
  replyQueued(frame: ControlFrame): boolean {
    this.pending.add(frame);
    return this.pending.size <= this.maxPending;
  }

  /** A control frame was written: if it was an answer, it waits no more; if a PING of ours, its echo is due. */
  sent(frame: ControlFrame): void {
    this.pending.delete(frame);
    if (frame.frameType === PING && frame.uniqueId % 2 !== this.peerPingParity) this.awaitedPing = frame.uniqueId;
  }

  /** Answers queued and not yet written. */
  get pendingReplies(): number {
    return this.pending.size;
  }
}
