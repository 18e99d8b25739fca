/**
 * The one `config` object of API.md section 6: limits and switches, checked
 * when given. Each layer reads the keys that concern it.
 */
import { CLIENT, DEFAULT_WINDOW_SIZE, MAX_WINDOW_SIZE, type Side } from './constants.js';
import { InvalidArgumentError } from './errors.js';

/** Limits and switches of a session (the README's Configuration section); every key optional. */
export interface SpdyConfig {
  /** Our per-stream receive window, advertised in SETTINGS. Default 65536. */
  initialWindowSize?: number;
  /** Our SPDY/3.1 connection receive window. Default 65536. */
  sessionWindowSize?: number;
  /** Streams the peer may open at once, advertised and enforced. Default 100. */
  maxConcurrentStreams?: number;
  /** Inflated bytes of one header block, checked while inflating. Default 65536. */
  maxHeaderBlockSize?: number;
  /**
   * Name/value pairs in one received header block, each NUL-separated value
   * counting as one: past it the frame gets RST_STREAM FRAME_TOO_LARGE
   * (PROTOCOL_ERROR in SPDY/2). Bounds the work of a small block of tiny
   * pairs, which the byte limit alone does not. Default 256.
   */
  maxHeaderPairs?: number;
  /** zlib level of our header blocks, 0 (stored blocks) to 9. Default: client 0, server 9. */
  headerCompressionLevel?: number;
  /** `false` for peers that do no flow control at all (Go's spdystream). Default true. */
  peerFlowControl?: boolean;
  /** Send WINDOW_UPDATE as data arrives (spdylay's way). Default true. */
  autoWindowUpdate?: boolean;
  /**
   * Largest DATA payload we put in one frame, 1 to 2^24-1 (a frame is also
   * never larger than the peer's windows). Default 4096, spdylay's;
   * `SpdySession` defaults to 16384.
   */
  maxDataFrameSize?: number;
  /**
   * For SPDY/3.1 sessions whose version was guessed (cleartext, where SPDY/3
   * and 3.1 frames look alike): a peer that acknowledges 64 KiB of stream
   * data without ever updating the connection window is taken for a SPDY/3
   * peer, and the connection window is dropped. Default false; `serve` and
   * `listenSessions` turn it on for such sessions.
   */
  spdy3Fallback?: boolean;
  /**
   * PINGs the peer may start per second (we must echo each), with a burst
   * of as many. More gets GOAWAY PROTOCOL_ERROR. 0 turns the check off. Default 100.
   */
  maxPingRate?: number;
  /**
   * SETTINGS frames the peer may send per second, with a burst of as many.
   * More gets GOAWAY PROTOCOL_ERROR. 0 turns the check off. Default 100.
   */
  maxSettingsRate?: number;
  /**
   * RST_STREAM frames the peer may send per second, with a burst of as many:
   * opening and at once resetting streams costs us far more than the peer.
   * More gets GOAWAY PROTOCOL_ERROR. 0 turns the check off. Default 200.
   */
  maxRstStreamRate?: number;
  /**
   * DATA frames with no payload and no FIN the peer may send per second,
   * with a burst of as many. More gets GOAWAY PROTOCOL_ERROR. 0 turns the
   * check off. Default 100.
   */
  maxEmptyDataRate?: number;
  /**
   * Control frames the peer's own frames make us send (PING echoes,
   * RST_STREAM answers to bad frames) that may wait unsent at once, for a
   * peer that floods us without reading. One more gets GOAWAY PROTOCOL_ERROR.
   * Default 1000.
   */
  maxPendingReplies?: number;
  /**
   * Streams layer: bytes received on all of a session's streams and not yet
   * read by the application, past which the session fails with GOAWAY
   * PROTOCOL_ERROR rather than hold more. Flow control (or pausing the
   * transport, with `peerFlowControl: false`) normally keeps far below it;
   * keep it above `maxConcurrentStreams` times `initialWindowSize` in SPDY/3.
   * Default 16 MiB.
   */
  maxSessionBufferedBytes?: number;
  /**
   * The clock of the rate limits, in milliseconds. The sans-IO session reads
   * time only through it; tests give one they drive by hand. Default `Date.now`.
   */
  now?: () => number;
}

/** A {@link SpdyConfig} with every default filled in. */
export type ResolvedConfig = Readonly<Required<SpdyConfig>>;

type Check = (value: unknown) => boolean;
const int = (min: number, max: number): Check => (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const bool: Check = (v) => typeof v === 'boolean';
const fn: Check = (v) => typeof v === 'function';

const CHECKS: Record<keyof SpdyConfig, [Check, string]> = {
  initialWindowSize: [int(1, MAX_WINDOW_SIZE), 'an integer from 1 to 2^31-1'],
  sessionWindowSize: [int(1, MAX_WINDOW_SIZE), 'an integer from 1 to 2^31-1'],
  maxConcurrentStreams: [int(0, 0xffffffff), 'an integer from 0 to 2^32-1'],
  maxHeaderBlockSize: [int(64, 0xffffff), 'an integer from 64 to 2^24-1'],
  maxHeaderPairs: [int(1, 0xffffffff), 'an integer from 1 to 2^32-1'],
  headerCompressionLevel: [int(0, 9), 'an integer from 0 to 9'],
  peerFlowControl: [bool, 'a boolean'],
  autoWindowUpdate: [bool, 'a boolean'],
  spdy3Fallback: [bool, 'a boolean'],
  maxDataFrameSize: [int(1, 0xffffff), 'an integer from 1 to 2^24-1'],
  maxPingRate: [int(0, 0xffffffff), 'an integer from 0 (no limit) to 2^32-1'],
  maxSettingsRate: [int(0, 0xffffffff), 'an integer from 0 (no limit) to 2^32-1'],
  maxRstStreamRate: [int(0, 0xffffffff), 'an integer from 0 (no limit) to 2^32-1'],
  maxEmptyDataRate: [int(0, 0xffffffff), 'an integer from 0 (no limit) to 2^32-1'],
  maxPendingReplies: [int(1, 0xffffffff), 'an integer from 1 to 2^32-1'],
  maxSessionBufferedBytes: [int(1024, Number.MAX_SAFE_INTEGER), 'an integer of at least 1024'],
  now: [fn, 'a function returning milliseconds'],
};

/** Checks a config object and fills in the defaults for `side`. */
export function resolveConfig(config: SpdyConfig | undefined, side: Side = CLIENT): ResolvedConfig {
  if (config !== undefined && (config === null || typeof config !== 'object')) {
    throw new InvalidArgumentError('config must be an object');
  }
  const given = (config ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    const rule = CHECKS[key as keyof SpdyConfig];
    if (!rule) throw new InvalidArgumentError(`unknown config key '${key}'`);
    const value = given[key];
    if (value !== undefined && !rule[0](value)) {
      throw new InvalidArgumentError(`config.${key} must be ${rule[1]}, got ${String(value)}`);
    }
  }
  const c = given as SpdyConfig;
  return Object.freeze({
    initialWindowSize: c.initialWindowSize ?? DEFAULT_WINDOW_SIZE,
    sessionWindowSize: c.sessionWindowSize ?? DEFAULT_WINDOW_SIZE,
    maxConcurrentStreams: c.maxConcurrentStreams ?? 100,
    maxHeaderBlockSize: c.maxHeaderBlockSize ?? 65536,
    maxHeaderPairs: c.maxHeaderPairs ?? 256,
    headerCompressionLevel: c.headerCompressionLevel ?? (side === CLIENT ? 0 : 9),
    peerFlowControl: c.peerFlowControl ?? true,
    autoWindowUpdate: c.autoWindowUpdate ?? true,
    spdy3Fallback: c.spdy3Fallback ?? false,
    maxDataFrameSize: c.maxDataFrameSize ?? 4096,
    maxPingRate: c.maxPingRate ?? 100,
    maxSettingsRate: c.maxSettingsRate ?? 100,
    maxRstStreamRate: c.maxRstStreamRate ?? 200,
    maxEmptyDataRate: c.maxEmptyDataRate ?? 100,
    maxPendingReplies: c.maxPendingReplies ?? 1000,
    maxSessionBufferedBytes: c.maxSessionBufferedBytes ?? 16 * 1024 * 1024,
    now: c.now ?? Date.now,
  });
}
