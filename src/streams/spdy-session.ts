/**
 * A SPDY session over any Web Streams transport: the sans-IO `Session`
 * driven by the transport's bytes, with each stream as a `SpdyStream`.
 *
 * One path per direction and no timers: frames decoded from
 * `transport.readable` go into the Session as they come, and whatever the
 * Session has to send after each event is written to `transport.writable`
 * in one chunk.
 *
 * This file holds the public API. The class is built in layers over its
 * state (`spdy-session-state.ts`): the ending, the transport's pumps, the
 * Session's callbacks, the streams' host, then this.
 */
import { GOAWAY_OK, type ProtocolVersion } from '../base/constants.js';
import type { NvInput } from '../codec/nv.js';
import type { SpdyConfig } from '../base/config.js';
import { InvalidArgumentError, SpdyError, StreamClosedError } from '../base/errors.js';
import { deferred } from './deferred.js';
import { SpdySessionHost } from './spdy-session-host.js';
import { bodyOf } from './spdy-session-state.js';
import { StreamController, type SpdyStream } from './spdy-stream.js';
import type { Transport } from './transport.js';

/** Options of `new SpdySession`. */
export interface SpdySessionOptions {
  /** Which end of the connection we are. */
  side: 'client' | 'server';
  /** `PROTO_SPDY2`, `PROTO_SPDY3` or `PROTO_SPDY3_1` (the default). */
  version?: ProtocolVersion;
  /**
   * Limits and switches (API.md section 6). Defaults differ here:
   * `autoWindowUpdate` is `false` (WINDOW_UPDATE goes out as the application
   * reads), `initialWindowSize` 131072, `sessionWindowSize` 1048576 and
   * `maxDataFrameSize` 16384.
   */
  config?: SpdyConfig;
  /**
   * Bytes handed to `transport.writable` and not yet accepted by it, past
   * which the session stops producing frames until it catches up. Default 65536.
   */
  writeBufferSize?: number;
  /** High-water mark, in bytes, of each stream's `writable`. Default 65536. */
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
export class SpdySession extends SpdySessionHost {
  constructor(transport: Transport, options: SpdySessionOptions) {
    super(transport, options);
    this.readFrom(transport.readable);
    this.flush();
  }

  /** Resolves after a clean end, rejects with the cause of any other (see the class notes). */
  get closed(): Promise<void> {
    return this.closedD.promise;
  }

  /** Bytes received on all streams that the application has not read yet. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Streams open or being opened by this session's application or the peer. */
  get numOpenStreams(): number {
    return this.streams.size + this.opening.size;
  }

  /**
   * Opens a stream (SYN_STREAM). Resolves once the frame is on its way and
   * the stream has its id; while the peer's concurrent-stream limit is
   * reached, the request waits in the session's queue.
   */
  openStream(options: OpenStreamOptions): Promise<SpdyStream> {
    if (this.state !== 'open' || this.goawayStatus !== null) {
      return Promise.reject(new StreamClosedError('the session is closing: no new streams'));
    }
    if (!options || !options.headers) return Promise.reject(new InvalidArgumentError('openStream needs headers'));
    const priority = options.priority ?? this.core.getPriLowest() >> 1;
    const c = new StreamController(this.host, 'local', priority, 0, this.streamWriteHighWaterMark);
    try {
      this.core.submitRequest(
        priority, options.headers as Array<[string, string]>,
        options.endStream ? undefined : bodyOf(c), c,
      );
    } catch (err) {
      return Promise.reject(err);
    }
    return this.startOpening(c, options.endStream ?? false);
  }

  /** Sends a PING; resolves with the round trip in milliseconds. */
  ping(): Promise<number> {
    if (this.state === 'closed') return Promise.reject(new StreamClosedError('the session is closed'));
    const done = deferred<number>();
    this.pingWaiters.push(done);
    try {
      this.core.submitPing();
    } catch (err) {
      this.pingWaiters.pop();
      return Promise.reject(err);
    }
    this.flush();
    return done.promise;
  }

  /**
   * Sends GOAWAY, lets the open streams finish, then closes the transport.
   * Returns `closed`. With `drainFirst`, the GOAWAY waits until the open
   * streams have finished (no new ones of ours start meanwhile): for peers
   * that stop reading at a GOAWAY, as Go's spdystream (Kubernetes) does.
   */
  close(options: { drainFirst?: boolean } = {}): Promise<void> {
    if (this.state === 'open') {
      this.state = 'closing';
      const goaway = (): void => {
        if (this.state === 'closed') return;
        try {
          this.core.submitGoaway(GOAWAY_OK);
        } catch {
          // A GOAWAY already went out: the session is ending anyway.
        }
        this.flush();
      };
      if (options.drainFirst && (this.streams.size > 0 || this.opening.size > 0)) this.idleWaiters.push(goaway);
      else goaway();
    }
    return this.closedD.promise;
  }

  /**
   * Ends the session at once: every stream fails with `reason` and the
   * transport is aborted. Nothing is sent.
   */
  destroy(reason: unknown = new SpdyError('session destroyed')): void {
    this.finish(reason, true);
  }
}
