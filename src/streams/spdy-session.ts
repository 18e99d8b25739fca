/**
 * A SPDY session over any Web Streams transport: the sans-IO `Session`
 * driven by the transport's bytes, with each stream as a `SpdyStream`.
 *
 * One path per direction and no timers: frames decoded from
 * `transport.readable` go into the Session as they come, and whatever the
 * Session has to send after each event is written to `transport.writable`
 * in one chunk.
 */
import {
  CLIENT, CTRL_FLAG_FIN, CTRL_FLAG_UNIDIRECTIONAL, DATA_FLAG_FIN, ERR_EOF, FRAME_TOO_LARGE, GOAWAY, GOAWAY_OK,
  GOAWAY_PROTOCOL_ERROR, HEADERS, PING, PROTOCOL_ERROR, PROTO_SPDY2, PROTO_SPDY3_1, REFUSED_STREAM,
  SERVER, SYN_REPLY, SYN_STREAM,
  type ProtocolVersion, type Side,
} from '../codec/constants.js';
import type { ControlFrame } from '../codec/frames.js';
import { FrameDecoder, type DecodedFrame } from '../codec/frame-decoder.js';
import type { NvInput } from '../codec/nv.js';
import { frameTypeName } from '../codec/trace.js';
import { checkVersion } from '../codec/version.js';
import { resolveConfig, type ResolvedConfig, type SpdyConfig } from '../config.js';
import {
  EOFError, FrameError, InvalidArgumentError, SpdyError, StreamClosedError,
} from '../errors.js';
import { DataProvider, Session } from '../session/index.js';
import { deferred, type Deferred } from './deferred.js';
import type { ReadControl } from './outbound-half.js';
import {
  SpdyStream, StreamController, type PushOptions, type StreamHost,
} from './spdy-stream.js';
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

type State = 'open' | 'closing' | 'closed';

/*
 * Defaults of `config` here, larger than the Session's (spdylay's 4 KiB
 * frames, 64 KiB windows): throughput is bounded by the work done per DATA
 * frame and per WINDOW_UPDATE more than per byte (bench/streams.mjs). Frames
 * are an eighth of the stream window so that several are on their way while
 * WINDOW_UPDATEs come back (they go out once half a window is read). The
 * stream window bounds what one stream holds unread; 100 streams of it stay
 * under `maxSessionBufferedBytes` in SPDY/3, which has no connection window.
 */
const DATA_FRAME_SIZE = 16384;
const STREAM_WINDOW = 131072;
const SESSION_WINDOW = 1048576;

const readBody = (_s: Session, _id: number, length: number, readCtrl: ReadControl, source: unknown) =>
  (source as StreamController).read(length, readCtrl);

/** The data provider of a stream's body: its writable. */
const bodyOf = (c: StreamController): DataProvider => new DataProvider<unknown>(c, readBody);

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
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
  /** Streams the peer opens or pushes, in the order they arrive. */
  readonly incoming: ReadableStream<SpdyStream>;

  private readonly config: ResolvedConfig;
  private readonly coreSide: Side;
  /** We give the peer its window back as the application reads. */
  private readonly manualWindow: boolean;
  /** The peer's sending is bounded by no window: pause the transport instead. */
  private readonly gateReads: boolean;
  private readonly readLimit: number;
  private readonly writeBufferSize: number;
  private readonly streamWriteHighWaterMark: number | undefined;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly stopReading = new AbortController();
  private readonly host: StreamHost;
  private incomingController!: ReadableStreamDefaultController<SpdyStream>;
  private incomingOpen = true;

  private readonly streams = new Map<number, StreamController>();
  /** Submitted SYN_STREAMs that have no id yet. */
  private readonly opening = new Set<StreamController>();
  private state: State = 'open';
  /** Status of the GOAWAY the peer sent, if any. */
  private goawayStatus: number | null = null;
  /** Status of a GOAWAY we sent that was not OK (the Session gave up on the peer). */
  private failedWith: number | null = null;
  /** The input could not be decoded: the cause to report once the GOAWAY is out. */
  private decodeError: FrameError | null = null;
  private readonly closedD: Deferred<void> = deferred();

  // Outbound bytes of the current flush, and those the transport has not accepted.
  private out: Uint8Array[] = [];
  private outBytes = 0;
  private inFlight = 0;
  private blocked = false;
  private flushing = false;
  private flushAgain = false;
  private readonly afterSend: Array<() => void> = [];

  private buffered = 0;
  private sessionUnacked = 0;
  private readGate: Deferred<void> | null = null;

  private readonly pingWaiters: Array<Deferred<number>> = [];
  private readonly pingsInFlight = new Map<number, { sentAt: number; done: Deferred<number> }>();

  constructor(transport: Transport, options: SpdySessionOptions) {
    if (typeof transport?.readable?.pipeThrough !== 'function' || typeof transport?.writable?.getWriter !== 'function') {
      throw new InvalidArgumentError('transport must be { readable: ReadableStream, writable: WritableStream }');
    }
    if (options?.side !== 'client' && options?.side !== 'server') {
      throw new InvalidArgumentError("side must be 'client' or 'server'");
    }
    this.side = options.side;
    this.coreSide = options.side === 'client' ? CLIENT : SERVER;
    this.version = checkVersion(options.version ?? PROTO_SPDY3_1);
    const coreConfig: SpdyConfig = {
      ...options.config,
      autoWindowUpdate: options.config?.autoWindowUpdate ?? false,
      initialWindowSize: options.config?.initialWindowSize ?? STREAM_WINDOW,
      sessionWindowSize: options.config?.sessionWindowSize ?? SESSION_WINDOW,
      maxDataFrameSize: options.config?.maxDataFrameSize ?? DATA_FRAME_SIZE,
    };
    this.config = resolveConfig(coreConfig, this.coreSide);
    this.writeBufferSize = options.writeBufferSize ?? 65536;
    this.streamWriteHighWaterMark = options.streamWriteHighWaterMark;
    const flowControl = this.version !== PROTO_SPDY2 && this.config.peerFlowControl;
    this.manualWindow = flowControl && !this.config.autoWindowUpdate;
    this.gateReads = !flowControl;
    this.readLimit = Math.max(this.config.initialWindowSize, this.config.sessionWindowSize);
    this.host = this.makeHost();

    this.core = new Session(this.coreSide, this.version, {
      userData: this,
      config: coreConfig,
      sendCb: (_s, data) => this.onSend(data),
      sendDataCb: (_s, head, payload) => this.onSendData(head, payload),
      beforeCtrlSendCb: (_s, frame) => this.beforeCtrlSend(frame),
      onCtrlSendCb: (_s, frame) => this.onCtrlSend(frame),
      onCtrlNotSendCb: (_s, frame, code, userData) => this.onCtrlNotSend(frame, code, userData),
      onCtrlRecvCb: (_s, frame) => this.onCtrlRecv(frame),
      onDataChunkRecvCb: (_s, _flags, id, data) => this.streams.get(id)?.inbound.push(data),
      onDataRecvCb: (_s, flags, id) => {
        if (flags & DATA_FLAG_FIN) this.streams.get(id)?.receiveFin();
      },
      onDataSendCb: (_s, flags, id) => {
        const outbound = this.streams.get(id)?.outbound;
        outbound?.dataSent();
        if (flags & DATA_FLAG_FIN) outbound?.finSent();
      },
      onStreamCloseCb: (_s, id, statusCode) => this.onStreamClose(id, statusCode),
    });

    this.writer = transport.writable.getWriter();
    this.writer.closed.catch(() => {});
    this.incoming = new ReadableStream<SpdyStream>(
      {
        start: (controller) => {
          this.incomingController = controller;
        },
        cancel: () => {
          this.incomingOpen = false;
        },
      },
      { highWaterMark: 0 },
    );

    // Frames are decoded in the sink, not by a FrameDecoderStream: one
    // stream step per transport chunk rather than one per frame. The
    // transport is cancelled once the pipe has stopped, after the writes
    // already made reach the session.
    const decoder = new FrameDecoder({ version: this.version, side: this.coreSide, config: coreConfig });
    const onFrame = (frame: DecodedFrame): void => this.onFrame(frame);
    const input = transport.readable;
    input
      .pipeTo(
        new WritableStream<Uint8Array>({
          write: (chunk) => this.onBytes(decoder, chunk, onFrame),
          close: () => {
            if (decoder.idle) this.onInputEnd();
            else this.onInputError(new FrameError('input ended inside a frame', { code: ERR_EOF, statusCode: GOAWAY_PROTOCOL_ERROR }));
          },
          abort: (reason) => this.onInputError(reason),
        }),
        { signal: this.stopReading.signal, preventCancel: true },
      )
      .catch((reason: unknown) => input.cancel(reason))
      .catch(() => {});

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
    if (options.endStream) c.shutWrite();
    this.opening.add(c);
    this.flush();
    return c.opened.promise;
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
   * Returns `closed`.
   */
  close(): Promise<void> {
    if (this.state === 'open') {
      this.state = 'closing';
      try {
        this.core.submitGoaway(GOAWAY_OK);
      } catch {
        // A GOAWAY already went out: the session is ending anyway.
      }
      this.flush();
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

  // ---- the host side of SpdyStream ----

  private makeHost(): StreamHost {
    return {
      resume: (c) => {
        if (c.id === 0 || c.done) return;
        this.core.resumeData(c.id);
        this.flush();
      },
      reset: (c, statusCode) => {
        if (c.id === 0 || !this.streams.has(c.id) || this.state === 'closed') return;
        try {
          this.core.submitRstStream(c.id, statusCode);
        } catch {
          return;
        }
        this.flush();
      },
      buffered: (_c, delta) => {
        this.buffered += delta;
        if (delta < 0) this.openGate();
        // Runs inside the Session's receive path, which sends the GOAWAY once it returns.
        else if (this.buffered > this.config.maxSessionBufferedBytes) this.core.failSession(GOAWAY_PROTOCOL_ERROR);
      },
      consumed: (c, n) => this.giveBack(c, n),
      discarded: (_c, n) => this.giveBack(null, n),
      respond: (c, nv, endStream) => this.respond(c, nv, endStream),
      push: (c, nv, options) => this.push(c, nv, options),
      sendHeaders: (c, nv, endStream) => this.sendHeaders(c, nv, endStream),
    };
  }

  private respond(c: StreamController, nv: NvInput, endStream: boolean): Promise<void> {
    if (c.origin !== 'remote') {
      return Promise.reject(new InvalidArgumentError('only a stream the peer opened can be answered'));
    }
    if (c.responded) return Promise.reject(new InvalidArgumentError('this stream was answered already'));
    if (c.done || this.state === 'closed') return Promise.reject(new StreamClosedError('the stream is closed'));
    try {
      this.core.submitResponse(c.id, nv as Array<[string, string]>, endStream ? undefined : bodyOf(c));
    } catch (err) {
      return Promise.reject(err);
    }
    c.responded = true;
    if (endStream) c.shutWrite();
    this.flush();
    return c.replySent.promise;
  }

  private push(parent: StreamController, nv: NvInput, options: PushOptions): Promise<SpdyStream> {
    if (this.side !== 'server') return Promise.reject(new InvalidArgumentError('only a server pushes'));
    if (parent.origin !== 'remote') {
      return Promise.reject(new InvalidArgumentError('a push goes under a stream the peer opened'));
    }
    if (parent.done || this.state !== 'open') return Promise.reject(new StreamClosedError('the stream is closed'));
    const priority = options.priority ?? parent.priority;
    const c = new StreamController(this.host, 'local-push', priority, parent.id, this.streamWriteHighWaterMark);
    const flags = CTRL_FLAG_UNIDIRECTIONAL | (options.endStream ? CTRL_FLAG_FIN : 0);
    try {
      this.core.submitSynStream(flags, priority, nv as Array<[string, string]>, parent.id, c);
    } catch (err) {
      return Promise.reject(err);
    }
    c.headers.resolve(nv.map(([k, v]) => [k.toLowerCase(), v] as [string, string]));
    c.inbound.end();
    if (options.endStream) c.shutWrite();
    this.opening.add(c);
    this.flush();
    return c.opened.promise;
  }

  private sendHeaders(c: StreamController, nv: NvInput, endStream: boolean): Promise<void> {
    if (c.id === 0 || c.done || this.state === 'closed') {
      return Promise.reject(new StreamClosedError('the stream is closed'));
    }
    try {
      this.core.submitHeaders(endStream ? CTRL_FLAG_FIN : 0, c.id, nv as Array<[string, string]>);
    } catch (err) {
      return Promise.reject(err);
    }
    const sent = deferred<void>();
    c.headerSends.push(sent);
    if (endStream) c.shutWrite();
    this.flush();
    return sent.promise;
  }

  /**
   * The application took `n` bytes of `c` (or they were dropped, `c` null):
   * once half a window is owed, give it back to the peer.
   */
  private giveBack(c: StreamController | null, n: number): void {
    if (this.buffered <= this.readLimit) this.openGate();
    if (!this.manualWindow || this.state === 'closed') return;
    let due = false;
    if (c && !c.done && !c.inbound.finished) {
      c.recvUnacked += n;
      if (c.recvUnacked >= this.config.initialWindowSize / 2) {
        const delta = c.recvUnacked;
        c.recvUnacked = 0;
        due = this.submitWindowUpdate(c.id, delta) || due;
      }
    }
    if (this.version === PROTO_SPDY3_1) {
      this.sessionUnacked += n;
      if (this.sessionUnacked >= this.config.sessionWindowSize / 2) {
        const delta = this.sessionUnacked;
        this.sessionUnacked = 0;
        due = this.submitWindowUpdate(0, delta) || due;
      }
    }
    if (due) this.flush();
  }

  private submitWindowUpdate(id: number, delta: number): boolean {
    try {
      this.core.submitWindowUpdate(id, delta);
      return true;
    } catch {
      // The stream closed meanwhile: nothing is owed on it any more.
      return false;
    }
  }

  private openGate(): void {
    if (this.readGate && this.buffered <= this.readLimit) {
      this.readGate.resolve();
      this.readGate = null;
    }
  }

  // ---- inbound ----

  /**
   * Bytes from the transport: each frame they complete goes to the Session.
   * The promise returned holds the next chunk back while the application
   * is behind (`gateReads`). An undecodable input throws, which stops the
   * transport too, once the GOAWAY is queued.
   */
  private onBytes(decoder: FrameDecoder, chunk: Uint8Array, onFrame: (frame: DecodedFrame) => void): Promise<void> | void {
    if (this.state === 'closed') return undefined;
    try {
      decoder.write(chunk, onFrame);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      this.onInputError(err);
      throw err;
    }
    if (this.gateReads && this.buffered > this.readLimit && this.isOpen()) {
      this.readGate ??= deferred();
      return this.readGate.promise;
    }
    return undefined;
  }

  private onFrame(frame: DecodedFrame): void {
    if (this.state === 'closed') return;
    try {
      this.core.recvFrame(frame);
    } catch (err) {
      this.finish(err);
      return;
    }
    this.flush();
  }

  private onInputEnd(): void {
    if (this.state === 'closed') return;
    const idle = this.streams.size === 0 && this.opening.size === 0;
    this.finish(idle ? this.goawayError() : new EOFError('the peer closed the connection with streams open'));
  }

  private onInputError(reason: unknown): void {
    if (this.state === 'closed') return;
    if (!(reason instanceof FrameError)) {
      this.finish(reason, true);
      return;
    }
    // The GOAWAY goes out first; the decoder's error is what the session ends with.
    this.decodeError = reason;
    try {
      this.core.recvDecodeError(reason);
      this.flush();
    } catch {
      // The session is failing either way.
    }
    this.finish(reason);
  }

  private onCtrlRecv(frame: ControlFrame): void {
    switch (frame.frameType) {
      case SYN_STREAM: {
        const origin = frame.assocStreamId !== 0 ? 'remote-push' : 'remote';
        const c = new StreamController(this.host, origin, frame.pri, frame.assocStreamId, this.streamWriteHighWaterMark);
        c.id = frame.streamId;
        this.streams.set(c.id, c);
        c.receiveHeaders(frame.nv);
        if (frame.flags & CTRL_FLAG_FIN) c.receiveFin();
        if (frame.flags & CTRL_FLAG_UNIDIRECTIONAL || origin === 'remote-push') c.shutWrite();
        if (!this.incomingOpen || this.state === 'closed') {
          c.reset(REFUSED_STREAM);
          return;
        }
        this.incomingController.enqueue(c.stream);
        return;
      }
      case SYN_REPLY: {
        const c = this.streams.get(frame.streamId);
        if (!c) return;
        c.receiveHeaders(frame.nv);
        if (frame.flags & CTRL_FLAG_FIN) c.receiveFin();
        return;
      }
      case HEADERS: {
        const c = this.streams.get(frame.streamId);
        if (!c) return;
        c.receiveHeaders(frame.nv);
        // Every HEADERS frame is bounded; the trailers they add up to must be too.
        if (c.extraHeaderBytes > this.config.maxHeaderBlockSize) {
          c.reset(this.version === PROTO_SPDY2 ? PROTOCOL_ERROR : FRAME_TOO_LARGE);
          return;
        }
        if (frame.flags & CTRL_FLAG_FIN) c.receiveFin();
        return;
      }
      case PING: {
        const ping = this.pingsInFlight.get(frame.uniqueId);
        if (ping && this.isOurPing(frame.uniqueId)) {
          this.pingsInFlight.delete(frame.uniqueId);
          ping.done.resolve(performance.now() - ping.sentAt);
        }
        return;
      }
      case GOAWAY:
        this.goawayStatus = frame.statusCode ?? GOAWAY_OK;
        return;
      default:
        return;
    }
  }

  /** Not yet finished (`state` narrows wrongly after calls that may finish). */
  private isOpen(): boolean {
    return this.state !== 'closed';
  }

  private isOurPing(uniqueId: number): boolean {
    return (uniqueId & 1) === (this.coreSide === CLIENT ? 1 : 0);
  }

  private onStreamClose(id: number, statusCode: number): void {
    const c = this.streams.get(id);
    if (!c) return;
    this.streams.delete(id);
    c.close(statusCode);
  }

  // ---- outbound ----

  private onSend(data: Uint8Array): number {
    if (this.blocked || this.state === 'closed') return 0;
    this.out.push(data);
    this.outBytes += data.length;
    if (this.outBytes + this.inFlight >= this.writeBufferSize) this.blocked = true;
    return data.length;
  }

  /** A DATA frame in two parts: `writeOut` gathers them, so the payload is copied once. */
  private onSendData(head: Uint8Array, payload: Uint8Array): number {
    if (this.blocked || this.state === 'closed') return 0;
    const n = head.length + payload.length;
    this.out.push(head, payload);
    this.outBytes += n;
    if (this.outBytes + this.inFlight >= this.writeBufferSize) this.blocked = true;
    return n;
  }

  private beforeCtrlSend(frame: ControlFrame): void {
    if (frame.frameType !== SYN_STREAM) return;
    const c = this.core.getStreamUserData(frame.streamId);
    if (!(c instanceof StreamController) || c.id !== 0) return;
    c.id = frame.streamId;
    this.opening.delete(c);
    this.streams.set(c.id, c);
    if (c.origin === 'local-push' && !c.outbound.finished) {
      this.afterSend.push(() => {
        if (!c.done) this.core.submitData(c.id, DATA_FLAG_FIN, bodyOf(c));
      });
    }
    c.opened.resolve(c.stream);
  }

  private onCtrlSend(frame: ControlFrame): void {
    switch (frame.frameType) {
      case SYN_REPLY:
        this.streams.get(frame.streamId)?.replySent.resolve();
        return;
      case HEADERS:
        this.streams.get(frame.streamId)?.headerSends.shift()?.resolve();
        return;
      case GOAWAY:
        if (frame.statusCode !== GOAWAY_OK) this.failedWith = frame.statusCode;
        return;
      case PING:
        if (this.isOurPing(frame.uniqueId)) {
          const done = this.pingWaiters.shift();
          if (done) this.pingsInFlight.set(frame.uniqueId, { sentAt: performance.now(), done });
        }
        return;
      default:
        return;
    }
  }

  private onCtrlNotSend(frame: ControlFrame, code: number, userData: unknown): void {
    const err = new SpdyError(`${frameTypeName(frame.frameType)} could not be sent (error ${code})`, { code });
    switch (frame.frameType) {
      case SYN_STREAM:
        if (userData instanceof StreamController) {
          this.opening.delete(userData);
          userData.fail(err);
        }
        return;
      case SYN_REPLY:
        this.streams.get(frame.streamId)?.replySent.reject(err);
        return;
      case HEADERS:
        this.streams.get(frame.streamId)?.headerSends.shift()?.reject(err);
        return;
      case PING:
        if (this.isOurPing(frame.uniqueId)) this.pingWaiters.shift()?.reject(err);
        return;
      default:
        return;
    }
  }

  /** Runs the Session's send loop and writes what it produced. */
  private flush(): void {
    if (this.state === 'closed') return;
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = true;
    try {
      do {
        this.flushAgain = false;
        this.core.send();
        while (this.afterSend.length > 0) {
          this.afterSend.shift()!();
          this.flushAgain = true;
        }
      } while (this.flushAgain && !this.blocked);
    } catch (err) {
      this.flushing = false;
      this.writeOut();
      this.finish(err);
      return;
    }
    this.flushing = false;
    this.writeOut();
    this.checkDone();
  }

  private writeOut(): void {
    if (this.outBytes === 0) return;
    const n = this.outBytes;
    const chunk = this.out.length === 1 ? this.out[0]! : concat(this.out, n);
    this.out = [];
    this.outBytes = 0;
    this.inFlight += n;
    this.writer.write(chunk).then(
      () => {
        this.inFlight -= n;
        if (this.blocked && this.inFlight < this.writeBufferSize) {
          this.blocked = false;
          this.flush();
        }
      },
      (err) => this.finish(err, true),
    );
  }

  // ---- the end ----

  /** Why the session ended, when a GOAWAY with an error status did it; null for a clean end. */
  private goawayError(): SpdyError | null {
    if (this.decodeError) return this.decodeError;
    if (this.failedWith !== null) {
      return new SpdyError(`the session failed: we sent GOAWAY with status ${this.failedWith}`, { statusCode: this.failedWith });
    }
    if (this.goawayStatus === null || this.goawayStatus === GOAWAY_OK) return null;
    return new SpdyError(`the peer sent GOAWAY with status ${this.goawayStatus}`, { statusCode: this.goawayStatus });
  }

  /** Ends the session cleanly once the Session wants neither to read nor to write. */
  private checkDone(): void {
    if (this.state === 'closed' || this.blocked || this.outBytes > 0) return;
    if (this.core.wantRead() || this.core.wantWrite()) return;
    this.finish(this.goawayError());
  }

  /**
   * Ends the session: `error` null for a clean end. The transport is closed
   * after what was written reaches it (GOAWAY included), or aborted when
   * `abortTransport` (the transport failed, or `destroy()`).
   */
  private finish(error: unknown, abortTransport = false): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const reason = error ?? new StreamClosedError('the session is closed');
    for (const c of this.streams.values()) c.fail(reason);
    this.streams.clear();
    for (const c of this.opening) c.fail(reason);
    this.opening.clear();
    for (const d of this.pingWaiters.splice(0)) d.reject(reason);
    for (const p of this.pingsInFlight.values()) p.done.reject(reason);
    this.pingsInFlight.clear();
    this.readGate?.resolve();
    this.readGate = null;
    try {
      if (error) this.incomingController.error(error);
      else this.incomingController.close();
    } catch {
      // Already closed or cancelled by the application.
    }
    const ending = abortTransport ? this.writer.abort(error) : this.writer.close();
    ending.catch(() => {}).finally(() => {
      this.stopReading.abort(reason);
      if (error) this.closedD.reject(error);
      else this.closedD.resolve();
    });
  }
}

