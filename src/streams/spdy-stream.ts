/**
 * One SPDY stream as Web Streams: the peer's DATA as `readable`, ours as
 * `writable`, the header blocks as promises. `SpdyStream` is what
 * applications hold; `StreamController` is the part the session drives.
 */
import { CANCEL } from '../base/constants.js';
import type { Nv, NvInput } from '../codec/nv.js';
import { SpdyError } from '../base/errors.js';
import { deferred, type Deferred } from './deferred.js';
import { InboundHalf, type InboundHooks } from './inbound-half.js';
import { OutboundHalf, type OutboundHooks, type ReadControl } from './outbound-half.js';
import type { ERR_DEFERRED } from '../base/constants.js';
import { bodyWithEndStream, sendWithBody, type StreamBody } from './given-body.js';

const utf8 = new TextDecoder();

/** Options of `SpdyStream.respond`. */
export interface RespondOptions {
  /** Send FIN with the SYN_REPLY: no body follows. */
  endStream?: boolean;
  /**
   * The whole body, sent after the reply with FIN on its last DATA frame:
   * bytes, text (UTF-8) or a `ReadableStream` of bytes, read as the peer's
   * window allows. `writable` is not used (and errors if asked for). Not
   * with `endStream`.
   */
  body?: StreamBody;
}

/** Options of `SpdyStream.bytes` and `text`. */
export interface ReadWholeOptions {
  /** The most bytes the body may have; a larger one resets the stream. Default: no limit. */
  limit?: number;
}

/** Options of `SpdyStream.push`. */
export interface PushOptions {
  /** 0 is the most urgent; SPDY/2 has 0-3, SPDY/3 0-7. Default: the parent's. */
  priority?: number;
  /** Send FIN with the SYN_STREAM: the pushed resource has no body. */
  endStream?: boolean;
  /**
   * The pushed resource's whole body, sent once the stream is open, as
   * `respond()` sends one (`writable` is then not used). Not with `endStream`.
   */
  body?: StreamBody;
}

/** Options of `SpdyStream.sendHeaders`. */
export interface SendHeadersOptions {
  /** Send FIN with the HEADERS frame (ends our side, as `writable.close()` would). */
  endStream?: boolean;
}

/** Which end opened a stream and how. */
export type StreamOrigin =
  /** We opened it with `openStream`. */
  | 'local'
  /** The peer opened it (a request, on a server). */
  | 'remote'
  /** We pushed it with `push`. */
  | 'local-push'
  /** The peer pushed it to us. */
  | 'remote-push';

/** What a stream asks of its session; implemented by `SessionStreamHost` (`stream-host.ts`). */
export interface StreamHost {
  resume(stream: StreamController): void;
  reset(stream: StreamController, statusCode: number): void;
  buffered(stream: StreamController, delta: number): void;
  consumed(stream: StreamController, n: number): void;
  discarded(stream: StreamController, n: number): void;
  /** `n` unread bytes of a stream that is over are the application's now, no longer the session's. */
  released(stream: StreamController, n: number): void;
  /** Why `stream` cannot be answered now (answered already, not the peer's, closed), or null. */
  refusal(stream: StreamController): Error | null;
  respond(stream: StreamController, nv: NvInput, endStream: boolean): Promise<void>;
  push(stream: StreamController, nv: NvInput, options: PushOptions): Promise<SpdyStream>;
  sendHeaders(stream: StreamController, nv: NvInput, endStream: boolean): Promise<void>;
}

/** A stream's machinery, driven by the session's callbacks. */
export class StreamController implements InboundHooks, OutboundHooks {
  id = 0;
  readonly stream: SpdyStream;
  readonly inbound: InboundHalf;
  readonly outbound: OutboundHalf;
  /** HEADERS frames received after the first header block, in order (made when one comes). */
  private extraHeaders: Nv | null = null;
  /** Size of `extraHeaders` as a header block would count it: the session bounds it. */
  extraHeaderBytes = 0;
  /** The stream is closed at the protocol level (or failed). */
  done = false;
  /** `respond()` was called (streams the peer opened). */
  responded = false;
  /** The peer ended its side: `trailers` resolves when asked for. */
  private finReceived = false;
  /** One per HEADERS frame submitted, settled as each is sent, in order (made on first use). */
  headerSends: Array<Deferred<void>> | null = null;
  // The promises below are made when first asked for or settled: an idle
  // stream has two of the five, and they are a good part of what it costs.
  private headers$: Deferred<Nv> | null = null;
  private trailers$: Deferred<Nv> | null = null;
  private closed$: Deferred<void> | null = null;
  private opened$: Deferred<SpdyStream> | null = null;
  private replySent$: Deferred<void> | null = null;

  constructor(
    readonly host: StreamHost,
    readonly origin: StreamOrigin,
    readonly priority: number,
    readonly associatedStreamId: number,
    writeHighWaterMark: number,
  ) {
    // The controller is both halves' hooks: no closures per stream.
    this.inbound = new InboundHalf(this);
    this.outbound = new OutboundHalf(this, writeHighWaterMark);
    this.stream = new SpdyStream(this);
  }

  /** The first header block. */
  get headers(): Deferred<Nv> {
    return (this.headers$ ??= deferred());
  }

  /** The header blocks after the first, at the peer's FIN. */
  get trailers(): Deferred<Nv> {
    if (this.trailers$ === null) {
      this.trailers$ = deferred();
      if (this.finReceived) this.trailers$.resolve(this.extraHeaders ?? []);
    }
    return this.trailers$;
  }

  /** Settles when the stream is over: resolved after a clean close, rejected after a reset. */
  get closed(): Deferred<void> {
    return (this.closed$ ??= deferred());
  }

  /**
   * Resolves with the stream once it has its id (streams we open or push).
   * Asked for once, by the call that opens the stream, before the
   * SYN_STREAM can go out; let go once settled.
   */
  get opened(): Deferred<SpdyStream> {
    return (this.opened$ ??= deferred());
  }

  /** Settles when our SYN_REPLY is sent. Asked for once, by `respond()`; let go once settled. */
  get replySent(): Deferred<void> {
    return (this.replySent$ ??= deferred());
  }

  /** Our SYN_STREAM went out: the stream has its id. */
  openedNow(): void {
    this.opened$?.resolve(this.stream);
    this.opened$ = null;
  }

  /** Our SYN_REPLY went out (`error` undefined), or could not be sent. */
  replyDone(error?: unknown): void {
    if (error === undefined) this.replySent$?.resolve();
    else this.replySent$?.reject(error);
    this.replySent$ = null;
  }

  // ---- what the halves tell us ----

  buffered(delta: number): void {
    this.host.buffered(this, delta);
  }

  consumed(n: number): void {
    this.host.consumed(this, n);
  }

  discarded(n: number): void {
    this.host.discarded(this, n);
  }

  readCancelled(): void {
    this.reset(CANCEL);
  }

  wake(): void {
    this.host.resume(this);
  }

  writeAborted(): void {
    this.reset(CANCEL);
  }

  /** The data provider's read callback. */
  read(length: number, readCtrl: ReadControl): Uint8Array | typeof ERR_DEFERRED {
    return this.outbound.read(length, readCtrl);
  }

  /** The first header block: SYN_REPLY, or the SYN_STREAM of a stream the peer opened. */
  receiveHeaders(nv: Nv): void {
    if (this.headers.settled) {
      this.extraHeaders ??= [];
      for (const pair of nv) {
        this.extraHeaders.push(pair);
        this.extraHeaderBytes += 8 + pair[0].length + pair[1].length;
      }
    } else {
      this.headers.resolve(nv);
    }
  }

  /** The peer will send no more (FIN on DATA, SYN_STREAM, SYN_REPLY or HEADERS). */
  receiveFin(): void {
    this.inbound.end();
    this.headers.resolve([]);
    this.finReceived = true;
    this.trailers$?.resolve(this.extraHeaders ?? []);
  }

  /** Our side will send nothing (FIN submitted with a header block, or a unidirectional stream). */
  shutWrite(): void {
    this.outbound.shut('this side of the stream is closed');
  }

  /** The stream closed with `statusCode` (0 = OK). */
  close(statusCode: number): void {
    if (statusCode !== 0) {
      this.fail(new SpdyError(`stream ${this.id} reset with status ${statusCode}`, { statusCode }));
      return;
    }
    if (this.done) return;
    this.done = true;
    this.receiveFin();
    this.outbound.finSent();
    this.outbound.shut('stream closed');
    this.releaseUnread();
    this.closed.resolve();
  }

  /**
   * Ends everything in error: reads, writes and the promises reject with
   * `reason`. A body the peer had finished stays readable unless
   * `dropUnread` (our own reset, or a failed session whose streams may
   * never reach the application).
   */
  fail(reason: unknown, dropUnread = false): void {
    if (this.done) return;
    this.done = true;
    if (dropUnread) this.inbound.abandon(reason);
    else this.inbound.fail(reason);
    this.releaseUnread();
    this.outbound.fail(reason);
    // Nobody waits on a one-shot that was never asked for or has settled.
    this.opened$?.reject(reason);
    this.replyDone(reason);
    for (const d of this.headerSends?.splice(0) ?? []) d.reject(reason);
    this.headers.reject(reason);
    this.trailers.reject(reason);
    this.closed.reject(reason);
  }

  /** What the stream still holds unread once it is over stops counting against the session. */
  private releaseUnread(): void {
    const n = this.inbound.release();
    if (n > 0) this.host.released(this, n);
  }

  /**
   * Sends RST_STREAM and fails the stream locally at once. A stream closed
   * already sends nothing, but still drops what the application has not
   * read: whoever resets it will not read it.
   */
  reset(statusCode: number): void {
    const reason = new SpdyError(`stream ${this.id} reset with status ${statusCode}`, { statusCode });
    // First: the Session may close the stream from inside host.reset, which keeps finished bodies.
    this.inbound.abandon(reason);
    if (this.done) return;
    this.host.reset(this, statusCode);
    this.fail(reason, true);
  }
}

/**
 * A SPDY stream. Its `readable` yields the peer's DATA; its `writable`
 * sends ours (`close()` sends FIN; `abort()`, like `readable.cancel()`,
 * resets the stream with CANCEL). A RST_STREAM from the peer errors both
 * with a `SpdyError` whose `statusCode` is the peer's status.
 *
 * Headers: `headers` is the reply's header block (for a stream the peer
 * opened, its SYN_STREAM's); HEADERS frames that follow are collected into
 * `trailers`, which resolves when the peer ends its side.
 */
export class SpdyStream {
  /** @internal */
  private readonly c: StreamController;

  /** @internal Streams are made by `SpdySession`, not by applications. */
  constructor(controller: StreamController) {
    this.c = controller;
  }

  /** The stream id (odd for client-opened streams, even for pushed ones). */
  get id(): number {
    return this.c.id;
  }

  /** Who opened the stream. */
  get origin(): StreamOrigin {
    return this.c.origin;
  }

  /** Priority, 0 the most urgent. */
  get priority(): number {
    return this.c.priority;
  }

  /** For a pushed stream, the stream it was pushed under; otherwise 0. */
  get associatedStreamId(): number {
    return this.c.associatedStreamId;
  }

  /**
   * The reply's header block (SYN_REPLY); for a stream the peer opened or
   * pushed, its SYN_STREAM's; for a stream we pushed, the block we sent.
   * Rejects if the stream is reset first.
   */
  get headers(): Promise<Nv> {
    return this.c.headers.promise;
  }

  /**
   * The header blocks of HEADERS frames the peer sent after the first one,
   * concatenated, once the peer ends its side ([] if there were none).
   * Rejects if the stream is reset.
   */
  get trailers(): Promise<Nv> {
    return this.c.trailers.promise;
  }

  /** The peer's DATA. */
  get readable(): ReadableStream<Uint8Array> {
    return this.c.inbound.readable;
  }

  /**
   * The peer's DATA read whole, as `Response.bytes()` does: resolves at the
   * peer's FIN. No `readable` is made (and one asked for later errors);
   * rejects if `readable` was used first, or if the stream is reset before
   * the end. The peer's window comes back as the bytes arrive, so what is
   * held is bounded by `limit`: past it the stream is reset with CANCEL and
   * this rejects with a `BodyTooLargeError`. Without one, by nothing but
   * what the peer sends.
   */
  bytes(options: ReadWholeOptions = {}): Promise<Uint8Array> {
    return this.c.inbound.gather(options.limit);
  }

  /** The peer's DATA read whole and decoded as UTF-8, as `Response.text()` does (`limit` in bytes). */
  async text(options: ReadWholeOptions = {}): Promise<string> {
    return utf8.decode(await this.c.inbound.gather(options.limit));
  }

  /** Our DATA. */
  get writable(): WritableStream<Uint8Array> {
    return this.c.outbound.writable;
  }

  /**
   * Resolves when the stream has closed normally (both sides sent FIN);
   * rejects with a `SpdyError` carrying `statusCode` when it was reset by
   * either side, or with the session's error when the session failed.
   */
  get closed(): Promise<void> {
    return this.c.closed.promise;
  }

  /**
   * True once the peer will send no more DATA: it ended its side (FIN), or
   * the stream is over. A server can then leave `readable` alone for a
   * request that has no body.
   */
  get peerEnded(): boolean {
    return this.c.inbound.finished;
  }

  /** Bytes received on this stream that the application has not read yet. */
  get bufferedBytes(): number {
    return this.c.inbound.bufferedBytes;
  }

  /**
   * Resets the stream (RST_STREAM with `statusCode`, CANCEL by default). On
   * a stream that is closed already nothing is sent, and what has not been
   * read is dropped.
   */
  reset(statusCode: number = CANCEL): void {
    this.c.reset(statusCode);
  }

  /**
   * Accepts a stream the peer opened: sends SYN_REPLY with `headers`. The
   * body, if any, is written to `writable`, or given here as `body`.
   * Resolves when the reply is sent; with `body`, once the body is sent
   * too (it rejects, and the stream is reset with INTERNAL_ERROR, if a body
   * stream fails).
   */
  respond(headers: NvInput, options: RespondOptions = {}): Promise<void> {
    if (options.body === undefined) return this.c.host.respond(this.c, headers, options.endStream ?? false);
    if (options.endStream) return Promise.reject(bodyWithEndStream());
    // Refused before the body is taken: a second answer must not touch the first one's body.
    const refused = this.c.host.refusal(this.c);
    if (refused) return Promise.reject(refused);
    const { started, sent } = sendWithBody(this.c, options.body, (end) => this.c.host.respond(this.c, headers, end));
    started.catch(() => undefined);
    // The body's outcome first: a body that fails is what the caller hears of, not the reset it causes.
    return sent.then(() => started).then(() => undefined);
  }

  /**
   * Pushes a resource associated with this stream (server only): sends a
   * unidirectional SYN_STREAM with `headers` and resolves with the new
   * stream once it has its id; write the body to its `writable`.
   */
  push(headers: NvInput, options: PushOptions = {}): Promise<SpdyStream> {
    return this.c.host.push(this.c, headers, options);
  }

  /**
   * Sends a HEADERS frame on this stream. Control frames may overtake DATA
   * still queued: to send trailers after the body, await the last `write()`
   * first, then send them with `endStream: true` instead of closing the writable.
   */
  sendHeaders(headers: NvInput, options: SendHeadersOptions = {}): Promise<void> {
    return this.c.host.sendHeaders(this.c, headers, options.endStream ?? false);
  }
}
