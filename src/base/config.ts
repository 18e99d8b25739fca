/**
 * The one `config` object of API.md section 6: every limit and switch of
 * every layer, its default, its check, and the checks between keys, in one
 * place. A session resolves it once (`resolveConfig`) and hands the result
 * down: the Session under a SpdySession, and the codec through the narrow
 * `codecLimits`, take the resolved object as it is.
 */
import {
  CLIENT, DEFAULT_WINDOW_SIZE, MAX_FRAME_LENGTH, MAX_WINDOW_SIZE, PROTO_SPDY3_1,
  type ProtocolVersion, type Side,
} from './constants.js';
import { InvalidArgumentError } from './errors.js';

/** Limits and switches of a session (the README's Configuration section); every key optional. */
export interface SpdyConfig {
  /** Our per-stream receive window, advertised in SETTINGS. Default 65536; `SpdySession` 131072. */
  initialWindowSize?: number;
  /** Our SPDY/3.1 connection receive window. Default 65536; `SpdySession` 1048576. */
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
  /**
   * Compression of our header blocks, 0 to 9: 0 stores them (a client's
   * default, as spdylay's clients send against CRIME); 1 codes repeats of the
   * dictionary and of earlier blocks with deflate's fixed Huffman code, a
   * writer of our own several times faster than zlib's levels (a server's
   * default); 2 to 9 are zlib's levels, 9 giving spdylay's own bytes.
   */
  headerCompressionLevel?: number;
  /** `false` for peers that do no flow control at all (Go's spdystream). Default true. */
  peerFlowControl?: boolean;
  /**
   * Send WINDOW_UPDATE as data arrives (spdylay's way). Default true;
   * `SpdySession` false: it reports what the application reads with
   * `Session.consume` and the Session decides when to update.
   */
  autoWindowUpdate?: boolean;
  /**
   * Largest DATA payload we put in one frame, 1 to 2^24-1 (a frame is also
   * never larger than the peer's windows). Default 4096, spdylay's;
   * `SpdySession` 65536.
   */
  maxDataFrameSize?: number;
  /**
   * For SPDY/3.1 sessions whose version was guessed (cleartext, where SPDY/3
   * and 3.1 frames look alike): a peer that acknowledges 64 KiB of stream
   * data without ever updating the connection window is taken for a SPDY/3
   * peer, and the connection window is dropped. Needs `peerFlowControl`.
   * Default false; `serve` and `listenSessions` turn it on for such sessions.
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
   * nghttp2's "glitch" bucket: the frames a peer can send for free beyond
   * the four above share it. WINDOW_UPDATEs giving back under 1 KiB, a
   * second HEADERS on one stream, DATA, HEADERS, SYN_REPLY or WINDOW_UPDATE
   * for a stream that is not open, PINGs that answer none of ours, GOAWAYs
   * after the first, NOOP, CREDENTIAL, unknown control frames and header
   * blocks we refuse. It refills at this many a second, up to
   * `glitchBurst`; an empty bucket gets GOAWAY PROTOCOL_ERROR. PING,
   * SETTINGS, RST_STREAM and empty DATA keep their own keys and do not draw
   * on it. 0 turns the check off. Default 330.
   */
  maxGlitchRate?: number;
  /** How many glitches (see `maxGlitchRate`) a peer may send at once. Default 10000. */
  glitchBurst?: number;
  /**
   * Control frames the peer's own frames make us send (PING echoes,
   * RST_STREAM answers to bad frames) that may wait unsent at once, for a
   * peer that floods us without reading. One more gets GOAWAY PROTOCOL_ERROR.
   * Default 1000.
   */
  maxPendingReplies?: number;
  /**
   * Streams layer: bytes received on all of a session's open streams and not
   * yet read by the application (what a stream that is over still holds is
   * the application's, and not counted), past which the session fails with GOAWAY
   * PROTOCOL_ERROR rather than hold more. Flow control (or pausing the
   * transport, with `peerFlowControl: false`) normally keeps far below it.
   * In SPDY/3.1 with flow control it may not be below `sessionWindowSize`
   * (a peer within its window would be cut off); in SPDY/3, keep it above
   * `maxConcurrentStreams` × `initialWindowSize` for the same reason.
   * Default 16 MiB, or `sessionWindowSize` when that is larger.
   */
  maxSessionBufferedBytes?: number;
  /**
   * Streams layer: bytes handed to the transport and not yet accepted by
   * it, past which the session stops producing frames. Default 65536.
   */
  writeBufferSize?: number;
  /** Streams layer: high-water mark, in bytes, of each stream's `writable`. Default 65536. */
  streamWriteHighWaterMark?: number;
  /**
   * HTTP client: pushed responses held until the application claims them;
   * a push past it is refused with RST_STREAM REFUSED_STREAM. Default 32.
   */
  maxPushes?: number;
  /**
   * HTTP/1.1 Upgrade: bytes of the request or response head read before the
   * connection is refused as not HTTP. Default 16384.
   */
  maxUpgradeHeadSize?: number;
  /**
   * Streams layer: milliseconds the peer may take to complete a frame it has
   * begun, and its first frame from the session's start. A peer that sends
   * part of a frame and then nothing holds our memory for no purpose: past
   * it the session sends GOAWAY PROTOCOL_ERROR and ends with a
   * `TimeoutError`. Time during which we stopped reading ourselves does not
   * count. 0 turns it off. Default 60000 (Node's `headersTimeout`).
   */
  frameTimeout?: number;
  /**
   * Streams layer: milliseconds a session may stay with no stream open
   * before it is closed with GOAWAY (`close()`). 0 turns it off.
   * Default: servers 300000, clients 0.
   */
  idleTimeout?: number;
  /**
   * Streams layer: milliseconds `close()` waits for the streams to finish
   * and the transport to take the last bytes, after which the transport is
   * destroyed and `closed` rejects with a `TimeoutError`: a peer that never
   * reads cannot keep a closing session. 0 waits for ever. Default 30000.
   */
  closeTimeout?: number;
  /**
   * Streams layer: the timer functions of the host. The sans-IO core has no
   * timers of its own; every runtime has `setTimeout`, and tests give
   * timers they drive by hand. Default the global `setTimeout` and
   * `clearTimeout`.
   */
  timers?: HostTimers;
  /**
   * The clock of the rate limits, in milliseconds. The sans-IO session reads
   * time only through it; tests give one they drive by hand. Default `Date.now`.
   */
  now?: () => number;
}

/** A {@link SpdyConfig} with every default filled in. */
export type ResolvedConfig = Readonly<Required<SpdyConfig>>;

/** Timer functions, as every runtime's `setTimeout`/`clearTimeout` are. */
export interface HostTimers {
  /** Runs `run` once after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(run: () => void, ms: number): unknown;
  /** Cancels a timer `setTimeout` returned, if it has not run yet. */
  clearTimeout(handle: unknown): void;
}

const GLOBAL_TIMERS: HostTimers = {
  setTimeout: (run, ms) => {
    const handle = globalThis.setTimeout(run, ms) as unknown as { unref?: () => void };
    // A timer must not keep a Node process alive on its own.
    handle?.unref?.();
    return handle;
  },
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
};

/** The layer a config is resolved for: its defaults differ. */
export type ConfigLayer = 'session' | 'streams';

/** Where a config is used: which end, which layer, and (when known) which version. */
export interface ConfigContext {
  readonly layer?: ConfigLayer;
  readonly version?: ProtocolVersion;
}

/*
 * Defaults, both layers side by side. The Session's are spdylay's: 4 KiB
 * frames, 64 KiB windows, WINDOW_UPDATE as data arrives. The streams
 * layer's are larger because throughput is bounded by the work done per
 * DATA frame and per WINDOW_UPDATE more than per byte (bench/streams.mjs):
 * frames are an eighth of the stream window so that several are on their
 * way while WINDOW_UPDATEs come back (they go out once half a window is
 * read). The stream window bounds what one stream holds unread; 100
 * streams of it stay under the 16 MiB buffer cap in SPDY/3, which has no
 * connection window.
 */
type Defaults = Omit<ResolvedConfig, DerivedKey>;

/** The keys with no default of their own: resolved from the side or from other keys. */
type DerivedKey = 'headerCompressionLevel' | 'idleTimeout' | 'maxSessionBufferedBytes';

const SESSION_DEFAULTS: Defaults = {
  initialWindowSize: DEFAULT_WINDOW_SIZE,
  sessionWindowSize: DEFAULT_WINDOW_SIZE,
  maxConcurrentStreams: 100,
  maxHeaderBlockSize: 65536,
  maxHeaderPairs: 256,
  peerFlowControl: true,
  autoWindowUpdate: true,
  spdy3Fallback: false,
  maxDataFrameSize: 4096,
  maxPingRate: 100,
  maxSettingsRate: 100,
  maxRstStreamRate: 200,
  maxEmptyDataRate: 100,
  maxGlitchRate: 330,
  glitchBurst: 10_000,
  maxPendingReplies: 1000,
  writeBufferSize: 65536,
  streamWriteHighWaterMark: 65536,
  maxPushes: 32,
  maxUpgradeHeadSize: 16384,
  frameTimeout: 60_000,
  closeTimeout: 30_000,
  timers: GLOBAL_TIMERS,
  now: Date.now,
};

/** Where the streams layer's defaults differ from the Session's. */
const STREAMS_DEFAULTS: Partial<Defaults> = {
  autoWindowUpdate: false,
  initialWindowSize: 131072,
  sessionWindowSize: 1048576,
  // A quarter as many frames to make, copy and read as with 16 KiB: 128 MiB
  // cost the receiver 0.82 of the CPU and the sender 0.88 (bench/README.md
  // item 18). Still half the stream window.
  maxDataFrameSize: 65536,
};

/** Client header blocks go out stored (as spdylay's clients do), server ones through our fast writer. */
const compressionLevelFor = (side: Side): number => (side === CLIENT ? 0 : 1);
/** A server drops sessions nobody uses; a client keeps its own for as long as it likes. */
const idleTimeoutFor = (side: Side): number => (side === CLIENT ? 0 : 300_000);
const MIN_BUFFERED_CAP = 16 * 1024 * 1024;

type Check = (value: unknown) => boolean;
const int = (min: number, max: number): Check => (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const bool: Check = (v) => typeof v === 'boolean';
const fn: Check = (v) => typeof v === 'function';
const U32 = 0xffffffff;
const RATE: [Check, string] = [int(0, U32), 'an integer from 0 (no limit) to 2^32-1'];
const WINDOW: [Check, string] = [int(1, MAX_WINDOW_SIZE), 'an integer from 1 to 2^31-1'];
// setTimeout's own bound: longer delays fire at once.
const TIMEOUT: [Check, string] = [int(0, 0x7fffffff), 'a number of milliseconds from 0 (off) to 2^31-1'];

const CHECKS: Record<keyof SpdyConfig, [Check, string]> = {
  initialWindowSize: WINDOW,
  sessionWindowSize: WINDOW,
  maxConcurrentStreams: [int(0, U32), 'an integer from 0 to 2^32-1'],
  maxHeaderBlockSize: [int(64, MAX_FRAME_LENGTH), 'an integer from 64 to 2^24-1'],
  maxHeaderPairs: [int(1, U32), 'an integer from 1 to 2^32-1'],
  headerCompressionLevel: [int(0, 9), 'an integer from 0 to 9'],
  peerFlowControl: [bool, 'a boolean'],
  autoWindowUpdate: [bool, 'a boolean'],
  spdy3Fallback: [bool, 'a boolean'],
  maxDataFrameSize: [int(1, MAX_FRAME_LENGTH), 'an integer from 1 to 2^24-1'],
  maxPingRate: RATE,
  maxSettingsRate: RATE,
  maxRstStreamRate: RATE,
  maxEmptyDataRate: RATE,
  maxGlitchRate: RATE,
  glitchBurst: [int(1, U32), 'an integer from 1 to 2^32-1'],
  maxPendingReplies: [int(1, U32), 'an integer from 1 to 2^32-1'],
  maxSessionBufferedBytes: [int(1024, Number.MAX_SAFE_INTEGER), 'an integer of at least 1024'],
  writeBufferSize: [int(1, Number.MAX_SAFE_INTEGER), 'a positive integer'],
  streamWriteHighWaterMark: [int(1, Number.MAX_SAFE_INTEGER), 'a positive integer'],
  maxPushes: [int(0, U32), 'an integer from 0 (refuse every push) to 2^32-1'],
  maxUpgradeHeadSize: [int(256, MAX_FRAME_LENGTH), 'an integer from 256 to 2^24-1'],
  frameTimeout: TIMEOUT,
  idleTimeout: TIMEOUT,
  closeTimeout: TIMEOUT,
  timers: [(v) => typeof v === 'object' && v !== null && fn((v as HostTimers).setTimeout) && fn((v as HostTimers).clearTimeout),
    'an object with setTimeout and clearTimeout functions'],
  now: [fn, 'a function returning milliseconds'],
};

/**
 * Checks between keys: each returns the complaint, or null. Only keys the
 * user gave are held to them, so that a default never makes a given value
 * wrong (the defaults that depend on other keys follow them instead).
 */
const CROSS_CHECKS: ReadonlyArray<(c: ResolvedConfig, given: SpdyConfig, ctx: ConfigContext) => string | null> = [
  (c, given) =>
    given.spdy3Fallback === true && !c.peerFlowControl
      ? 'config.spdy3Fallback needs peerFlowControl: a peer that does no flow control gives no window back to tell its version by'
      : null,
  (c, given, ctx) =>
    ctx.layer === 'streams' && ctx.version === PROTO_SPDY3_1 && c.peerFlowControl &&
    given.maxSessionBufferedBytes !== undefined && c.maxSessionBufferedBytes < c.sessionWindowSize
      ? `config.maxSessionBufferedBytes (${c.maxSessionBufferedBytes}) is below sessionWindowSize (${c.sessionWindowSize}): a SPDY/3.1 peer within its window would be cut off`
      : null,
];

/**
 * `m` as a resolved config: one object literal naming every key, so that
 * every config has one hidden class on every V8 (TypeScript holds the
 * literal to every key). A config is read on every frame. Made by spreads,
 * each config got a hidden class of its own once V8 had seen a few, and
 * the code of each new session deoptimized (bench/README.md, item 21);
 * copied key by key into `{}`, they shared one on Node 20, but Node 24
 * keeps an object given that many keys by keyed stores in dictionary mode.
 */
function shapeOf(m: ResolvedConfig): ResolvedConfig {
  return {
    initialWindowSize: m.initialWindowSize,
    sessionWindowSize: m.sessionWindowSize,
    maxConcurrentStreams: m.maxConcurrentStreams,
    maxHeaderBlockSize: m.maxHeaderBlockSize,
    maxHeaderPairs: m.maxHeaderPairs,
    peerFlowControl: m.peerFlowControl,
    autoWindowUpdate: m.autoWindowUpdate,
    spdy3Fallback: m.spdy3Fallback,
    maxDataFrameSize: m.maxDataFrameSize,
    maxPingRate: m.maxPingRate,
    maxSettingsRate: m.maxSettingsRate,
    maxRstStreamRate: m.maxRstStreamRate,
    maxEmptyDataRate: m.maxEmptyDataRate,
    maxGlitchRate: m.maxGlitchRate,
    glitchBurst: m.glitchBurst,
    maxPendingReplies: m.maxPendingReplies,
    writeBufferSize: m.writeBufferSize,
    streamWriteHighWaterMark: m.streamWriteHighWaterMark,
    maxPushes: m.maxPushes,
    maxUpgradeHeadSize: m.maxUpgradeHeadSize,
    frameTimeout: m.frameTimeout,
    closeTimeout: m.closeTimeout,
    timers: m.timers,
    now: m.now,
    headerCompressionLevel: m.headerCompressionLevel,
    idleTimeout: m.idleTimeout,
    maxSessionBufferedBytes: m.maxSessionBufferedBytes,
  };
}

/** Resolved configs, so that handing one down does not resolve it again. */
const RESOLVED = new WeakSet<object>();

/**
 * Checks a config object and fills in the defaults for `side` and
 * `context.layer` (default the Session's). An object this function returned
 * comes back as it is: a layer resolves once and hands the result down.
 */
export function resolveConfig(config: SpdyConfig | undefined, side: Side = CLIENT, context: ConfigContext = {}): ResolvedConfig {
  if (config !== undefined && (config === null || typeof config !== 'object')) {
    throw new InvalidArgumentError('config must be an object');
  }
  if (config && RESOLVED.has(config)) return config as ResolvedConfig;
  const given = (config ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    const rule = CHECKS[key as keyof SpdyConfig];
    if (!rule) throw new InvalidArgumentError(`unknown config key '${key}'`);
    const value = given[key];
    if (value !== undefined && !rule[0](value)) {
      throw new InvalidArgumentError(`config.${key} must be ${rule[1]}, got ${String(value)}`);
    }
  }
  const merged: Record<string, unknown> = { ...SESSION_DEFAULTS };
  if (context.layer === 'streams') Object.assign(merged, STREAMS_DEFAULTS);
  for (const [key, value] of Object.entries(given)) if (value !== undefined) merged[key] = value;
  merged.headerCompressionLevel ??= compressionLevelFor(side);
  merged.idleTimeout ??= idleTimeoutFor(side);
  merged.maxSessionBufferedBytes ??= Math.max(MIN_BUFFERED_CAP, merged.sessionWindowSize as number);
  const resolved = Object.freeze(shapeOf(merged as unknown as ResolvedConfig));
  for (const check of CROSS_CHECKS) {
    const complaint = check(resolved, given as SpdyConfig, context);
    if (complaint !== null) throw new InvalidArgumentError(complaint);
  }
  RESOLVED.add(resolved);
  return resolved;
}

/** What the frame decoder and encoder need of a config, and nothing else. */
export interface CodecLimits {
  /** Inflated bytes of one received header block. */
  readonly maxHeaderBlockSize: number;
  /** Name/value pairs in one received header block. */
  readonly maxHeaderPairs: number;
  /** Longest control frame accepted, refused before it is buffered. */
  readonly maxControlFrameLength: number;
  /** Longest DATA frame accepted, refused before it is buffered. */
  readonly maxDataFrameLength: number;
  /** zlib level of the header blocks we send. */
  readonly headerCompressionLevel: number;
}

/** Room beyond `maxHeaderBlockSize` for a control frame's fixed fields and zlib framing. */
const CONTROL_FRAME_SLACK = 4096;
/** The least DATA frame length we accept, whatever the windows: what peers without flow control write. */
const MIN_DATA_FRAME_LIMIT = 1 << 20;

/** The codec's share of a resolved config. */
export function codecLimits(config: ResolvedConfig): CodecLimits {
  return {
    maxHeaderBlockSize: config.maxHeaderBlockSize,
    maxHeaderPairs: config.maxHeaderPairs,
    maxControlFrameLength: config.maxHeaderBlockSize + CONTROL_FRAME_SLACK,
    // A peer with no flow control (Go's spdystream) writes DATA frames as large
    // as its application's writes: only the 24-bit length bounds them.
    maxDataFrameLength: config.peerFlowControl
      ? Math.max(config.initialWindowSize, config.sessionWindowSize, MIN_DATA_FRAME_LIMIT)
      : MAX_FRAME_LENGTH,
    headerCompressionLevel: config.headerCompressionLevel,
  };
}
