/**
 * The transport driver of a SpdySession: the only part that calls into the
 * sans-IO Session. Frames decoded from `transport.readable` (or from the
 * reads it lends, `transport.lend`) go into the Session as they come; what
 * it has to send is gathered (the answers to a transport chunk, what the
 * application asked for in a turn of the event loop) and written at once,
 * through the transport's `writev` uncopied when it has one, and the
 * Session stops producing while the transport is behind. It also ends the
 * session.
 *
 * Nothing re-enters the Session. While it is inside `recvFrame`,
 * `recvDecodeError` or `send`, its callbacks run our code; what that code
 * asks of the Session (a RST_STREAM, a window given back, a GOAWAY, DATA
 * for a push) is queued by `act` and run once the Session has returned,
 * then one flush sends what it produced: the events-out model of
 * python-hyper's h2.
 */
import { ownReadable } from '../base/web-streams.js';
import { concatBytes } from '../base/bytes.js';
import { ERR_EOF, GOAWAY_OK, GOAWAY_PROTOCOL_ERROR, type ProtocolVersion, type Side } from '../base/constants.js';
import type { CodecLimits, HostTimers } from '../base/config.js';
import { FrameDecoder, type DecodedFrame } from '../codec/frame-decoder.js';
import { EOFError, FrameError, SpdyError, StreamClosedError, TimeoutError } from '../base/errors.js';
import type { Session, SessionCallbacks } from '../session/index.js';
import { Deadline } from './deadline.js';
import { deferred } from './deferred.js';
import type { ReadGate } from './read-gate.js';
import type { SentChunk } from './outbound-half.js';
import type { Transport } from './transport.js';

/**
 * When a gathered flush runs: after the I/O of this event-loop turn where
 * the host can say so (`setImmediate`), so that what every stream asked for
 * in that turn leaves in one write; else at the end of the microtask run.
 */
const afterIo: (run: () => void) => void = typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
  ? (run) => { (globalThis as unknown as { setImmediate(run: () => void): void }).setImmediate(run); }
  : queueMicrotask;

/** Parts smaller than this are copied together rather than handed to the transport one by one. */
const GATHER_BELOW = 4096;

/**
 * `parts` with each run of small ones joined into one array. A DATA
 * payload comes right after its 8-byte head, so a small one always joins a
 * run and is copied: `whenWritten` counts on that.
 */
function gatherSmall(parts: Uint8Array[]): Uint8Array[] {
  if (parts.length === 1) return parts;
  const out: Uint8Array[] = [];
  let run: Uint8Array[] = [];
  const endRun = (): void => {
    if (run.length > 0) out.push(run.length === 1 ? run[0]! : concatBytes(run));
    run = [];
  };
  for (const p of parts) {
    if (p.length < GATHER_BELOW) {
      run.push(p);
    } else {
      endRun();
      out.push(p);
    }
  }
  endRun();
  return out;
}

/** Where the session is in its life: `closing` once `close()` was called, `closed` once it ended. */
export type Phase = 'open' | 'closing' | 'closed';

/** What the driver needs to know of the rest of the session. */
export interface DriverHooks {
  /** Some stream is open or being opened: an end of input now is an error. */
  streamsOpen(): boolean;
  /** The session ended (`reason` is what open streams and waiters fail with). */
  ended(reason: unknown, error: unknown): void;
}

/** How the transport is driven. */
export interface DriverOptions {
  readonly version: ProtocolVersion;
  readonly side: Side;
  /** The session's codec limits, for the frame decoder. */
  readonly limits: CodecLimits;
  /** Answers queued by one chunk's frames past which they are sent before the chunk ends. */
  readonly replyFlushAt: number;
  /** Bytes handed to the transport and not yet accepted, past which the Session stops producing. */
  readonly writeBufferSize: number;
  /** Milliseconds the peer may take over one frame, and over its first (0: no limit). */
  readonly frameTimeout: number;
  /** Milliseconds a closing or failing session waits for the transport before destroying it (0: no limit). */
  readonly closeTimeout: number;
  readonly timers: HostTimers;
}

/** Something to ask of the Session, outside of its receive and send paths. */
export type CoreAction = (core: Session) => void;

export class TransportDriver {
  private core!: Session;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly stopReading = new AbortController();
  private readonly closedD = deferred<void>();
  private phaseNow: Phase = 'open';
  /** Status of the GOAWAY the peer sent, if any. */
  private peerGoaway: number | null = null;
  /** Why we failed the session (undecodable input, a timeout): the cause to report once the GOAWAY is out. */
  private failure: SpdyError | null = null;
  /** The peer is inside a frame (or has not sent its first) for longer than `frameTimeout`. */
  private readonly frameDeadline: Deadline;
  /** A closing or failing session has waited long enough for the transport. */
  private readonly closeDeadline: Deadline;

  /** How deep we are inside the Session's `recvFrame`, `recvDecodeError` or `send`. */
  private inCore = 0;
  /** Frames the current transport chunk completed, and whether any frame has come yet. */
  private framesInChunk = 0;
  private firstFrameSeen = false;
  /** Actions asked for while inside the Session, run once it returns. */
  private readonly queued: CoreAction[] = [];

  // Outbound bytes of the current flush, and those the transport has not accepted.
  private out: Uint8Array[] = [];
  /** What waits for the current flush to be written (see `whenWritten`). */
  private afterWrite: Array<(error?: unknown) => void> = [];
  private outBytes = 0;
  private inFlight = 0;
  private blocked = false;
  private flushing = false;
  private flushAgain = false;
  /** A flush is due once this turn of the event loop is over. */
  private flushQueued = false;

  constructor(
    private readonly transport: Transport,
    private readonly options: DriverOptions,
    private readonly gate: ReadGate,
    private readonly hooks: DriverHooks,
  ) {
    this.writer = transport.writable.getWriter();
    this.writer.closed.catch(() => {});
    this.frameDeadline = new Deadline(options.timers, options.frameTimeout, () => this.onFrameTimeout());
    this.closeDeadline = new Deadline(options.timers, options.closeTimeout, () => this.onCloseTimeout());
  }

  /** The Session's callbacks that hand its bytes to the transport. */
  callbacks(): SessionCallbacks {
    return {
      sendCb: (_s, data) => this.onSend(data),
      sendDataCb: (_s, head, payload) => this.onSendData(head, payload),
    };
  }

  /** Starts driving `core`: reading the transport, and sending what is already queued. */
  start(core: Session): void {
    this.core = core;
    // The first frame is held to the frame timeout too: a connection that
    // sends nothing, or half a frame, must not hold us.
    this.frameDeadline.arm();
    this.readFrom(this.transport.readable);
    this.flush();
  }

  get phase(): Phase {
    return this.phaseNow;
  }

  /** Resolves after a clean end, rejects with the cause of any other. */
  get closed(): Promise<void> {
    return this.closedD.promise;
  }

  /** The peer sent GOAWAY: no new streams of ours. */
  get peerWentAway(): boolean {
    return this.peerGoaway !== null;
  }

  notePeerGoaway(statusCode: number): void {
    this.peerGoaway = statusCode;
  }

  /** `close()` was called: the session lets its streams finish, then ends, within `closeTimeout`. */
  beginClosing(): void {
    if (this.phaseNow !== 'open') return;
    this.phaseNow = 'closing';
    this.closeDeadline.arm();
  }

  /**
   * Runs `action` on the Session; what it produced is sent once this turn
   * of the event loop is over (see `afterIo`), together with whatever else
   * the application asked for meanwhile (a hundred requests opened in one
   * go leave in one write). Inside one of the Session's callbacks the action
   * is queued instead and runs once the Session has returned; an error it
   * throws then ends the session. Otherwise its error goes to the caller.
   */
  act(action: CoreAction): void {
    if (this.inCore > 0) {
      this.queued.push(action);
      return;
    }
    action(this.core);
    this.flushSoon();
  }

  private flushSoon(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    afterIo(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  // ---- inbound ----

  private readFrom(input: ReadableStream<Uint8Array>): void {
    // Frames are decoded as each transport chunk is read, in a plain read
    // loop: fewer stream steps per chunk than a pipe into a sink. Reading
    // stops when the session ends (the transport is cancelled then). A
    // transport that lends its reads hands each to the sink given to
    // `lend` instead, and its readable only ends: the decoder then copies
    // the DATA it emits (into the transport's `allocate` memory, if it has
    // any), since the transport reads into that memory again.
    const { version, side, limits } = this.options;
    const lend = this.transport.lend;
    const allocate = this.transport.allocate?.bind(this.transport);
    const decoder = new FrameDecoder({ version, side, limits, dataPieces: true, copyData: lend !== undefined, allocate });
    const onFrame = (frame: DecodedFrame): void => {
      this.framesInChunk++;
      this.onFrame(frame);
    };
    // A transport of another Web Streams implementation is read through its reader.
    const reader = ownReadable(input).getReader();
    // The transport is cancelled a turn later, once what is in flight from
    // the peer (the write that brought the last chunk, a close) has landed.
    const stop = (): void => {
      afterIo(() => {
        reader.cancel(this.stopReading.signal.reason).catch(() => {});
      });
    };
    this.stopReading.signal.addEventListener('abort', stop, { once: true });
    const failed = (reason: unknown): void => {
      // A FrameError was handled where it was thrown; anything else is the transport failing.
      if (!(reason instanceof FrameError)) this.onInputError(reason);
      stop();
    };
    if (lend) {
      lend.call(this.transport, (chunk) => {
        if (this.stopReading.signal.aborted) return undefined;
        try {
          return this.onBytes(decoder, chunk, onFrame);
        } catch (reason) {
          failed(reason);
          return undefined;
        }
      });
    }
    const pump = async (): Promise<void> => {
      for (;;) {
        const { done, value } = await reader.read();
        if (this.stopReading.signal.aborted) return;
        if (done) {
          if (decoder.idle) this.onInputEnd();
          else this.onInputError(new FrameError('input ended inside a frame', { code: ERR_EOF, statusCode: GOAWAY_PROTOCOL_ERROR }));
          return;
        }
        const wait = this.onBytes(decoder, value, onFrame);
        if (wait) await wait;
      }
    };
    pump().catch(failed);
  }

  /**
   * Bytes from the transport: each frame they complete goes to the Session.
   * The promise returned holds the next chunk back while the read gate is
   * closed. An undecodable input throws, which stops the transport too,
   * once the GOAWAY is queued.
   */
  private onBytes(decoder: FrameDecoder, chunk: Uint8Array, onFrame: (frame: DecodedFrame) => void): Promise<void> | void {
    if (this.phaseNow === 'closed') return undefined;
    this.framesInChunk = 0;
    try {
      decoder.write(chunk, onFrame);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      this.onInputError(err);
      throw err;
    }
    if (this.isClosed()) return undefined;
    // What the chunk's frames call for (replies, window updates) leaves in one write.
    this.flush();
    if (this.isClosed()) return undefined;
    this.watchFrameTime(decoder.idle, this.framesInChunk > 0);
    const wait = this.gate.wait();
    if (!wait) return undefined;
    // While we do not read, the peer cannot finish its frame: that time is ours.
    this.frameDeadline.clear();
    return wait.then(() => this.watchFrameTime(decoder.idle, true));
  }

  /**
   * The frame timeout runs from the start of the frame the peer is inside:
   * cleared when the input ends on a frame boundary (after the first
   * frame), started again when a frame completed and another has begun.
   */
  private watchFrameTime(idle: boolean, framesCompleted: boolean): void {
    if (this.isClosed()) return;
    if (framesCompleted) this.firstFrameSeen = true;
    if (idle && this.firstFrameSeen) this.frameDeadline.clear();
    else if (!idle && (framesCompleted || !this.frameDeadline.armed)) this.frameDeadline.arm();
  }

  private onFrameTimeout(): void {
    if (this.phaseNow === 'closed') return;
    this.failWith(new TimeoutError(
      this.firstFrameSeen ? `the peer sent part of a frame and not the rest within ${this.options.frameTimeout} ms`
        : `the peer sent no frame within ${this.options.frameTimeout} ms`,
      { statusCode: GOAWAY_PROTOCOL_ERROR },
    ));
  }

  /**
   * Fails the session on our side: GOAWAY with the error's status goes out,
   * the session ends with `error` once it has, and the transport is
   * destroyed if it does not take the GOAWAY within `closeTimeout`.
   */
  private failWith(error: SpdyError): void {
    this.failure = error;
    this.closeDeadline.arm();
    this.act((core) => core.failSession(error.statusCode ?? GOAWAY_PROTOCOL_ERROR));
  }

  private onCloseTimeout(): void {
    const error = new TimeoutError(`the transport did not take the session's last frames within ${this.options.closeTimeout} ms`);
    if (this.phaseNow !== 'closed') {
      this.finish(this.failure ?? error, true);
      return;
    }
    // Ended, but the transport still holds our last bytes: give them up.
    this.stopReading.abort(error);
    this.writer.abort(error).catch(() => {});
  }

  private onFrame(frame: DecodedFrame): void {
    if (this.phaseNow === 'closed') return;
    try {
      this.insideCore(() => this.core.recvFrame(frame));
    } catch (err) {
      this.finish(err);
      return;
    }
    // A chunk's frames are answered in one write, unless so many answers pile
    // up that the flood bound would take a long chunk for a peer that does not read.
    if (this.core.pendingReplies >= this.options.replyFlushAt) this.flush();
  }

  /**
   * The peer closed its side. With streams open that is an error for them;
   * for the session it is a clean end when a GOAWAY OK went either way
   * first, since the ending was announced: kubectl, for one, drops the
   * connection right after its GOAWAY with its stdin stream never finished.
   */
  private onInputEnd(): void {
    if (this.phaseNow === 'closed') return;
    const ending = this.goawayError();
    if (!this.hooks.streamsOpen()) {
      this.finish(ending);
      return;
    }
    const eof = new EOFError('the peer closed the connection with streams open');
    const announced = ending === null && (this.peerGoaway !== null || this.core.goawayState.sent || this.phaseNow === 'closing');
    if (announced) this.finish(null, false, eof);
    else this.finish(eof);
  }

  private onInputError(reason: unknown): void {
    if (this.phaseNow === 'closed') return;
    if (!(reason instanceof FrameError)) {
      this.finish(reason, true);
      return;
    }
    // The GOAWAY goes out first; the decoder's error is what the session ends with.
    this.failure = reason;
    try {
      this.insideCore(() => this.core.recvDecodeError(reason));
      this.flush();
    } catch {
      // The session ends with `reason` just below whatever failed here.
    }
    this.finish(reason);
  }

  // ---- outbound ----

  private onSend(data: Uint8Array): number {
    if (this.blocked || this.phaseNow === 'closed') return 0;
    this.out.push(data);
    return this.took(data.length);
  }

  /**
   * A DATA frame in two parts, the payload a view of the application's
   * chunk: `writeOut` copies it, unless the transport's `writev` takes it
   * as it is (a small one is still copied, with the parts around it).
   */
  private onSendData(head: Uint8Array, payload: Uint8Array): number {
    if (this.blocked || this.phaseNow === 'closed') return 0;
    this.out.push(head, payload);
    return this.took(head.length + payload.length);
  }

  private took(n: number): number {
    this.outBytes += n;
    if (this.outBytes + this.inFlight >= this.options.writeBufferSize) this.blocked = true;
    return n;
  }

  /**
   * Runs what callbacks queued, then the Session's send loop, until neither
   * has more to do or the transport is behind; then writes what was produced.
   */
  flush(): void {
    if (this.phaseNow === 'closed') return;
    if (this.flushing || this.inCore > 0) {
      this.flushAgain = true;
      return;
    }
    this.flushing = true;
    try {
      do {
        this.flushAgain = false;
        this.runQueued();
        if (this.blocked || this.isClosed()) break;
        this.insideCore(() => this.core.send());
      } while (this.queued.length > 0 || this.flushAgain);
    } catch (err) {
      this.flushing = false;
      this.queued.length = 0;
      this.writeOut();
      this.finish(err);
      return;
    }
    this.flushing = false;
    this.writeOut();
    this.checkDone();
  }

  private runQueued(): void {
    while (this.queued.length > 0 && !this.isClosed()) this.queued.shift()!(this.core);
  }

  private insideCore(call: () => void): void {
    this.inCore++;
    try {
      call();
    } finally {
      this.inCore--;
    }
  }

  /**
   * Settles the `write()` of a chunk whose last frame this flush holds: at
   * once when its bytes were copied (for a transport without a gathered
   * write, or a chunk so small that each of its frames was), otherwise
   * once the transport has written this flush, and so every earlier one,
   * since views of the chunk may be in any of them.
   */
  whenWritten(chunk: SentChunk): void {
    if (this.transport.writev && chunk.size >= GATHER_BELOW) this.afterWrite.push(chunk.settle);
    else chunk.settle();
  }

  private writeOut(): void {
    if (this.outBytes === 0) return;
    const n = this.outBytes;
    const parts = this.out;
    const settle = this.afterWrite;
    this.out = [];
    this.afterWrite = [];
    this.outBytes = 0;
    this.inFlight += n;
    const written = this.transport.writev
      ? this.transport.writev(gatherSmall(parts))
      : this.writer.write(parts.length === 1 ? parts[0]! : concatBytes(parts));
    written.then(
      () => {
        for (const s of settle) s();
        this.inFlight -= n;
        if (this.blocked && this.inFlight < this.options.writeBufferSize) {
          this.blocked = false;
          this.flush();
        }
      },
      (err) => {
        for (const s of settle) s(err);
        this.finish(err, true);
      },
    );
  }

  // ---- ending ----

  /** Finished (`phase` narrows wrongly after calls that may finish). */
  private isClosed(): boolean {
    return this.phaseNow === 'closed';
  }

  /** Why the session ended, when a GOAWAY with an error status did it; null for a clean end. */
  private goawayError(): SpdyError | null {
    if (this.failure) return this.failure;
    const failedWith = this.core.goawayState.failedWith;
    if (failedWith !== null && failedWith !== GOAWAY_OK) {
      return new SpdyError(`the session failed: GOAWAY with status ${failedWith}`, { statusCode: failedWith });
    }
    if (this.peerGoaway === null || this.peerGoaway === GOAWAY_OK) return null;
    return new SpdyError(`the peer sent GOAWAY with status ${this.peerGoaway}`, { statusCode: this.peerGoaway });
  }

  /** Ends the session cleanly once the Session wants neither to read nor to write. */
  private checkDone(): void {
    if (this.phaseNow === 'closed' || this.blocked || this.outBytes > 0) return;
    if (this.core.wantRead() || this.core.wantWrite()) return;
    this.finish(this.goawayError());
  }

  /**
   * Ends the session: `error` null for a clean end. The transport is closed
   * after what was written reaches it (GOAWAY included), or aborted when
   * `abortTransport` (the transport failed, or `destroy()`). Streams still
   * open fail with `streamReason`, by default the error itself.
   */
  finish(error: unknown, abortTransport = false, streamReason?: unknown): void {
    if (this.phaseNow === 'closed') return;
    this.phaseNow = 'closed';
    this.queued.length = 0;
    const reason = streamReason ?? error ?? new StreamClosedError('the session is closed');
    this.frameDeadline.clear();
    this.hooks.ended(reason, error);
    this.gate.open();
    const settle = (): void => {
      this.closeDeadline.clear();
      this.stopReading.abort(reason);
      if (error) this.closedD.reject(error);
      else this.closedD.resolve();
    };
    if (abortTransport) {
      // An abort waits for the write in flight, which a peer that does not
      // read never lets finish: the session is over now. Stopping our reading
      // cancels the transport's readable too, which tears a socket down.
      settle();
      this.writer.abort(error).catch(() => {});
      return;
    }
    // A transport that never takes the last bytes is destroyed after closeTimeout.
    if (!this.closeDeadline.armed) this.closeDeadline.arm();
    this.writer.close().catch(() => {}).finally(settle);
  }
}
