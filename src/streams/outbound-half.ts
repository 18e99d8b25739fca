/**
 * The sending half of a stream: a `WritableStream` whose sink is the
 * stream's data provider. A `write()` resolves once the session has sent
 * the whole chunk, which it does only while the peer's window has room and
 * the transport takes bytes; so a slow path holds `write()` pending and the
 * memory held is the writable's high-water mark. DATA payloads are views of
 * the chunk, not copies: the chunk is not done with until its last frame is
 * sent, and, over a transport that writes them uncopied, written.
 *
 * The `WritableStream` is made on first use: a GET's request side and a
 * response sent whole with its headers never make one. Ending a side the
 * application never wrote to costs no error object either; one is made
 * only if something asks.
 */
import { WritableStream } from '../base/web-streams.js';
import { ERR_DEFERRED, READ_EOF } from '../base/constants.js';
import { InvalidArgumentError, StreamClosedError } from '../base/errors.js';

/** What the half tells its stream about. */
export interface OutboundHooks {
  /** There is something to send again after the provider said "deferred". */
  wake(): void;
  /** The application aborted the writable. */
  writeAborted(reason: unknown): void;
}

/** The `readCtrl` object a data provider's read callback receives. */
export interface ReadControl {
  flags: number;
}

interface Pending {
  chunk: Uint8Array;
  offset: number;
  resolve(): void;
  reject(reason: unknown): void;
}

/** What a body given whole (`respond`, `openStream`, `push`) is read from (null: bytes); cancelled if the stream fails. */
export type BodySource = { cancel(reason: unknown): Promise<void> } | null;

/** A chunk whose last frame went out: its size, and what settles its `write()`. */
export interface SentChunk {
  readonly size: number;
  settle(error?: unknown): void;
}

const EMPTY = new Uint8Array(0);

export class OutboundHalf {
  private stream: WritableStream<Uint8Array> | null = null;
  private controller: WritableStreamDefaultController | null = null;
  private pending: Pending | null = null;
  /** The chunk whose last bytes are framed but not yet sent. */
  private unsent: Pending | null = null;
  private closing: { resolve(): void; reject(reason: unknown): void } | null = null;
  /** The provider answered ERR_DEFERRED and waits for `wake`. */
  private deferred = false;
  /** READ_EOF was handed to the session. */
  private eofGiven = false;
  /** Why writes fail: an error, or (a string) the message of a StreamClosedError not made yet. */
  private failure: { reason: unknown } | string | null = null;
  /** The body was given whole (`given-body.ts`), not written through `writable`. */
  private claimed = false;
  /** What that body is read from: cancelled if the half fails first. */
  private source: BodySource = null;

  constructor(
    private readonly hooks: OutboundHooks,
    /** Bytes the writable queues before `write()` waits (`config.streamWriteHighWaterMark`). */
    private readonly highWaterMark: number,
  ) {}

  /** The application's side: made on first use, already errored if the half has failed. */
  get writable(): WritableStream<Uint8Array> {
    this.stream ??= new WritableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
          if (this.claimed) controller.error(new InvalidArgumentError('the body was given whole with the headers'));
          else if (this.failure) controller.error(this.reason());
        },
        write: (chunk) => this.send(chunk),
        close: () => this.end(),
        abort: (reason) => {
          this.fail(reason);
          this.hooks.writeAborted(reason);
        },
      },
      { highWaterMark: this.highWaterMark, size: (chunk) => (chunk as Uint8Array | undefined)?.byteLength ?? 0 },
    );
    return this.stream;
  }

  /** Bytes of the chunk in hand not yet framed (the writable's own queue not counted). */
  get pendingBytes(): number {
    return this.pending ? this.pending.chunk.length - this.pending.offset : 0;
  }

  /** True when EOF has been given to the session or the half has failed. */
  get finished(): boolean {
    return this.eofGiven || this.failure !== null;
  }

  /**
   * The data provider's read callback: up to `length` bytes of the chunk in
   * hand, EOF after `close()`, or ERR_DEFERRED while the application has not
   * written.
   */
  read(length: number, readCtrl: ReadControl): Uint8Array | typeof ERR_DEFERRED {
    const p = this.pending;
    if (p) {
      const end = Math.min(p.chunk.length, p.offset + length);
      const out = p.chunk.subarray(p.offset, end);
      p.offset = end;
      if (end === p.chunk.length) {
        this.pending = null;
        this.unsent = p;
        // An end already asked for rides on the last DATA frame: no empty frame for the FIN.
        if (this.closing) {
          readCtrl.flags |= READ_EOF;
          this.eofGiven = true;
        }
      }
      return out;
    }
    if (this.closing) {
      readCtrl.flags |= READ_EOF;
      this.eofGiven = true;
      return EMPTY;
    }
    this.deferred = true;
    return ERR_DEFERRED;
  }

  /**
   * A DATA frame of this stream went out. The session sends each frame
   * before it reads the next, so it is the one read last. Returns the
   * chunk's size and what settles its `write()`, for the caller to run once
   * the transport is done with the chunk's bytes; null if the chunk has
   * more to send.
   */
  dataSent(): SentChunk | null {
    const p = this.unsent;
    if (p === null) return null;
    this.unsent = null;
    return { size: p.chunk.length, settle: (error) => (error === undefined ? p.resolve() : p.reject(error)) };
  }

  /** The FIN went out: `close()` resolves. */
  finSent(): void {
    this.closing?.resolve();
    this.closing = null;
    this.source = null;
  }

  /** The stream failed: pending and later writes reject with `reason`. */
  fail(reason: unknown): void {
    if (this.failure) return;
    this.failure = { reason };
    this.pending?.reject(reason);
    this.pending = null;
    this.unsent?.reject(reason);
    this.unsent = null;
    this.closing?.reject(reason);
    this.closing = null;
    this.controller?.error(reason);
    this.source?.cancel(reason).catch(() => undefined);
    this.source = null;
  }

  /**
   * Our side will send nothing more, in the normal course (a FIN went with
   * a header block, or the stream closed): later writes fail with a
   * `StreamClosedError` saying `message`, made only when one is needed.
   */
  shut(message: string): void {
    if (this.failure) return;
    if (this.pending || this.unsent || this.closing || (this.controller && !this.eofGiven)) {
      this.fail(new StreamClosedError(message));
      return;
    }
    this.failure = message;
  }

  /**
   * Takes the body for a writer other than `writable` (a body given whole
   * with the headers); the writable, if asked for later, is errored. Throws if the
   * writable was made already or the side has ended.
   */
  claim(source: BodySource): void {
    if (this.stream || this.claimed) throw new InvalidArgumentError('the body is written through writable already');
    if (this.failure) throw this.reason();
    this.claimed = true;
    this.source = source;
  }

  private reason(): unknown {
    const f = this.failure!;
    if (typeof f !== 'string') return f.reason;
    const reason = new StreamClosedError(f);
    this.failure = { reason };
    return reason;
  }

  /**
   * Queues `chunk`: resolves once it is sent and written. One chunk at a
   * time: the caller waits for the last before it sends the next.
   */
  send(chunk: Uint8Array): Promise<void> | void {
    if (this.failure) throw this.reason();
    if (!(chunk instanceof Uint8Array)) {
      if (!ArrayBuffer.isView(chunk)) throw new InvalidArgumentError('a SPDY stream carries Uint8Array chunks');
      const view = chunk as ArrayBufferView;
      chunk = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    }
    if (chunk.length === 0) return undefined;
    const promise = new Promise<void>((resolve, reject) => {
      this.pending = { chunk, offset: 0, resolve, reject };
    });
    this.wakeIfDeferred();
    return promise;
  }

  /**
   * Ends the side once what is queued is sent: FIN on the last DATA frame
   * when that frame has not been read yet, else on an empty one. Resolves
   * when the FIN is sent.
   */
  end(): Promise<void> {
    if (this.failure) return Promise.reject(this.reason());
    const promise = new Promise<void>((resolve, reject) => {
      this.closing = { resolve, reject };
    });
    this.wakeIfDeferred();
    return promise;
  }

  private wakeIfDeferred(): void {
    if (!this.deferred) return;
    this.deferred = false;
    this.hooks.wake();
  }
}
