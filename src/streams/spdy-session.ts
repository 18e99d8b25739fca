/**
 * A SPDY session over any Web Streams transport: the sans-IO `Session`
 * driven by the transport's bytes, with each stream as a `SpdyStream`.
 *
 * One path per direction: frames decoded from `transport.readable` go into
 * the Session as they come, and whatever the Session has to send after each
 * event is written to `transport.writable` in one chunk. Time enters only
 * through the timeouts (`deadline.ts`), on the host's timers from the config.
 *
 * `SpdySession` is the public API over parts with narrow interfaces: the
 * transport driver (`transport-driver.ts`: reading, writing, ending, and
 * the only caller of the Session), the streams' host (`stream-host.ts`),
 * the event bridge (`event-bridge.ts`: the Session's callbacks), the stream
 * registry, the read gate and the idle deadline.
 */
import { CANCEL, CLIENT, GOAWAY_OK, PROTO_SPDY2, PROTO_SPDY3_1, SERVER, type ProtocolVersion, type Side } from '../base/constants.js';
import { checkVersion } from '../codec/version.js';
import type { NvInput } from '../codec/nv.js';
import { codecLimits, resolveConfig, type ResolvedConfig, type SpdyConfig } from '../base/config.js';
import { InvalidArgumentError, SpdyError, StreamClosedError } from '../base/errors.js';
import { Session } from '../session/index.js';
import { bodyOf } from './body-provider.js';
import { startWithBody, type StreamBody } from './given-body.js';
import { Deadline } from './deadline.js';
import { EventBridge } from './event-bridge.js';
import { ReadGate } from './read-gate.js';
import type { SpdyStream } from './spdy-stream.js';
import { SessionStreamHost } from './stream-host.js';
import { StreamRegistry } from './stream-registry.js';
import { TransportDriver } from './transport-driver.js';
import type { Transport } from './transport.js';

/**
 * The config of a SpdySession, resolved once with the streams layer's
 * defaults (src/base/config.ts); the Session and the codec take it as it is.
 */
function sessionConfig(options: SpdySessionOptions, side: Side, version: ProtocolVersion): ResolvedConfig {
  const given: SpdyConfig = { ...options.config };
  if (options.writeBufferSize !== undefined) given.writeBufferSize = options.writeBufferSize;
  if (options.streamWriteHighWaterMark !== undefined) given.streamWriteHighWaterMark = options.streamWriteHighWaterMark;
  return resolveConfig(given, side, { layer: 'streams', version });
}

/** Options of `new SpdySession`. */
export interface SpdySessionOptions {
  /** Which end of the connection we are. */
  side: 'client' | 'server';
  /** `PROTO_SPDY2`, `PROTO_SPDY3` or `PROTO_SPDY3_1` (the default). */
  version?: ProtocolVersion;
  /**
   * Limits and switches (API.md section 6). Defaults differ here:
   * `autoWindowUpdate` is `false` (the Session gives windows back as the
   * application reads), `initialWindowSize` 131072, `sessionWindowSize`
   * 1048576 and `maxDataFrameSize` 65536.
   */
  config?: SpdyConfig;
  /**
   * Bytes handed to `transport.writable` and not yet accepted by it, past
   * which the session stops producing frames until it catches up. The same
   * as `config.writeBufferSize`, which it overrides. Default 65536.
   */
  writeBufferSize?: number;
  /**
   * High-water mark, in bytes, of each stream's `writable`. The same as
   * `config.streamWriteHighWaterMark`, which it overrides. Default 65536.
   */
  streamWriteHighWaterMark?: number;
}

/** Options of `SpdySession.openStream`. */
export interface OpenStreamOptions {
  /** The request's header block, SPDY/3 names (`:method`, `:path`, ...) in every version. */
  headers: NvInput;
  /** 0 is the most urgent; SPDY/2 has 0-3, SPDY/3 0-7. Default: the middle one. */
  priority?: number;
  /** Send FIN with the SYN_STREAM: no body follows (a GET). */
  endStream?: boolean;
  /**
   * The request's whole body: bytes, text (UTF-8) or a `ReadableStream` of
   * bytes, sent after the SYN_STREAM with FIN on its last DATA frame, as the
   * peer's window allows; `writable` is then not used. `openStream` still
   * resolves once the stream is open; a body stream that fails resets the
   * stream with INTERNAL_ERROR. Not with `endStream`.
   */
  body?: StreamBody;
}

/**
 * A SPDY session on a transport. Open streams with `openStream`; take the
 * peer's streams (requests on a server, pushes on a client) from
 * `incoming`; end with `close()`.
 *
 * `closed` resolves after a clean end (GOAWAY and every stream finished,
 * or the peer closing the connection with no stream open) and rejects with
 * the cause otherwise: a transport error, the peer closing with streams
 * open (`EOFError`), a protocol error, or a GOAWAY with an error status.
 */
export class SpdySession {
  /** The protocol version spoken. */
  readonly version: ProtocolVersion;
  /** Which end we are. */
  readonly side: 'client' | 'server';
  /** The sans-IO session underneath, for what this API does not cover (SETTINGS, say). */
  readonly core: Session;
  /** The session's config, resolved with the streams layer's defaults. */
  readonly config: ResolvedConfig;
  /** Streams the peer opens or pushes, in the order they arrive. */
  readonly incoming: ReadableStream<SpdyStream>;

  private readonly driver: TransportDriver;
  private readonly host: SessionStreamHost;
  private readonly bridge: EventBridge;
  private readonly registry: StreamRegistry;
  /** Closes a session that has had no stream for `idleTimeout`. */
  private readonly idle: Deadline;
  private readonly gate: ReadGate;

  constructor(transport: Transport, options: SpdySessionOptions) {
    if (typeof transport?.readable?.pipeThrough !== 'function' || typeof transport?.writable?.getWriter !== 'function') {
      throw new InvalidArgumentError('transport must be { readable: ReadableStream, writable: WritableStream }');
    }
    if (options?.side !== 'client' && options?.side !== 'server') {
      throw new InvalidArgumentError("side must be 'client' or 'server'");
    }
    this.side = options.side;
    const coreSide = options.side === 'client' ? CLIENT : SERVER;
    this.version = checkVersion(options.version ?? PROTO_SPDY3_1);
    const config = sessionConfig(options, coreSide, this.version);
    this.config = config;
    this.idle = new Deadline(config.timers, config.idleTimeout, () => void this.close().catch(() => {}));
    this.registry = new StreamRegistry((open) => {
      if (open > 0) this.idle.clear();
      else if (this.driver.phase === 'open') this.idle.arm();
    });
    const flowControl = this.version !== PROTO_SPDY2 && config.peerFlowControl;

    // The peer's sending is bounded by no window: pause the transport instead,
    // early enough that one more transport chunk stays under the buffer cap.
    const pauseAt = Math.min(Math.max(config.initialWindowSize, config.sessionWindowSize), Math.floor(config.maxSessionBufferedBytes / 2));
    this.gate = new ReadGate(!flowControl, pauseAt);
    this.driver = new TransportDriver(
      transport,
      {
        version: this.version, side: coreSide, limits: codecLimits(config), writeBufferSize: config.writeBufferSize,
        replyFlushAt: Math.ceil(config.maxPendingReplies / 2),
        frameTimeout: config.frameTimeout, closeTimeout: config.closeTimeout, timers: config.timers,
      },
      this.gate,
      {
        streamsOpen: () => this.registry.size > 0,
        ended: (reason, error) => {
          this.idle.clear();
          // After a failure `incoming` errors, and the streams it still held are lost with their data.
          this.registry.failAll(reason, error !== null);
          this.bridge.pings.failAll(reason);
          this.bridge.end(error);
        },
      },
    );
    this.host = new SessionStreamHost(this.driver, this.registry, this.gate, {
      side: this.side,
      manualWindow: flowControl && !config.autoWindowUpdate,
      maxBuffered: config.maxSessionBufferedBytes,
      streamWriteHighWaterMark: config.streamWriteHighWaterMark,
    });
    this.bridge = new EventBridge(this.driver, this.host, this.registry, this.version, coreSide, config.maxHeaderBlockSize);
    this.incoming = this.bridge.incoming;
    this.core = new Session(coreSide, this.version, {
      userData: this,
      config,
      ...this.driver.callbacks(),
      ...this.bridge.callbacks(),
    });
    this.driver.start(this.core);
    this.idle.arm();
  }

  /** Resolves after a clean end, rejects with the cause of any other (see the class notes). */
  get closed(): Promise<void> {
    return this.driver.closed;
  }

  /**
   * Bytes received on the open streams that the application has not read
   * yet. What a stream still holds unread once it is over is the
   * application's (`stream.bufferedBytes` still counts it): it leaves this
   * count and gives the connection window back, so that streams answered
   * without reading their bodies do not hold the session up.
   */
  get bufferedBytes(): number {
    return this.gate.buffered;
  }

  /**
   * @internal Resets stream `id` with CANCEL if it is still open and nobody
   * has read its body, gathered it or taken a reader of it: for the HTTP
   * client, once the `Response` that held that body is collected.
   */
  cancelIfUntouched(id: number): void {
    const c = this.registry.get(id);
    if (c && !c.done && c.inbound.untouched) c.reset(CANCEL);
  }

  /** Streams open or being opened by this session's application or the peer. */
  get numOpenStreams(): number {
    return this.registry.size;
  }

  /**
   * Opens a stream (SYN_STREAM). Resolves once the frame is on its way and
   * the stream has its id; while the peer's concurrent-stream limit is
   * reached, the request waits in the session's queue.
   */
  openStream(options: OpenStreamOptions): Promise<SpdyStream> {
    if (this.driver.phase !== 'open' || this.driver.peerWentAway) {
      return Promise.reject(new StreamClosedError('the session is closing: no new streams'));
    }
    if (!options || !options.headers) return Promise.reject(new InvalidArgumentError('openStream needs headers'));
    const priority = options.priority ?? this.core.getPriLowest() >> 1;
    const c = this.host.createStream('local', priority, 0);
    const open = (endStream: boolean): Promise<SpdyStream> => {
      try {
        this.driver.act((core) => {
          core.submitRequest(priority, options.headers as Array<[string, string]>, endStream ? undefined : bodyOf(c), c);
          void this.host.startOpening(c, endStream);
        });
      } catch (err) {
        return Promise.reject(err);
      }
      return c.opened.promise;
    };
    return startWithBody(c, options, open);
  }

  /** Sends a PING; resolves with the round trip in milliseconds. */
  ping(): Promise<number> {
    if (this.driver.phase === 'closed') return Promise.reject(new StreamClosedError('the session is closed'));
    const done = this.bridge.pings.expect();
    try {
      this.driver.act((core) => core.submitPing());
    } catch (err) {
      this.bridge.pings.unexpect(done);
      return Promise.reject(err);
    }
    return done.promise;
  }

  /**
   * Sends GOAWAY, lets the open streams finish, then closes the transport.
   * Returns `closed`. With `drainFirst`, the GOAWAY waits until the open
   * streams have finished (no new ones of ours start meanwhile): for peers
   * that stop reading at a GOAWAY, as Go's spdystream (Kubernetes) does.
   */
  close(options: { drainFirst?: boolean } = {}): Promise<void> {
    if (this.driver.phase === 'open') {
      this.driver.beginClosing();
      const goaway = (): void => {
        if (this.driver.phase === 'closed') return;
        this.driver.act((core) => core.submitGoaway(GOAWAY_OK));
      };
      if (options.drainFirst) this.registry.whenIdle(goaway);
      else goaway();
    }
    return this.driver.closed;
  }

  /**
   * Ends the session at once: every stream fails with `reason` and the
   * transport is aborted. Nothing is sent.
   */
  destroy(reason: unknown = new SpdyError('session destroyed')): void {
    this.driver.finish(reason, true);
  }
}
