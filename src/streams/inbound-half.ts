/**
 * The receiving half of a stream: the peer's DATA as a `ReadableStream`,
 * or gathered whole for `bytes()`. Chunks wait in our own queue, not the
 * stream's, so that we know when the application takes each one: that
 * moment, not the arrival, is when the peer gets its window back.
 */
import { ReadableStream } from '../base/web-streams.js';
import { concatBytes } from '../base/bytes.js';
import { BodyTooLargeError, InvalidArgumentError } from '../base/errors.js';

/** What the half tells its stream about. */
export interface InboundHooks {
  /** `n` more (or, negative, fewer) bytes wait in the queue. */
  buffered(delta: number): void;
  /** The application took `n` bytes. */
  consumed(n: number): void;
  /** `n` bytes were thrown away unread (the stream ended in error or was cancelled). */
  discarded(n: number): void;
  /** The application cancelled the readable. */
  readCancelled(reason: unknown): void;
}

/** A released half's hooks: what it still holds is no longer counted; a cancelled read still resets the stream. */
class ReleasedHooks implements InboundHooks {
  constructor(private readonly stream: InboundHooks) {}
  buffered(): void {}
  consumed(): void {}
  discarded(): void {}
  readCancelled(reason: unknown): void {
    this.stream.readCancelled(reason);
  }
}

// Never written to: a stream whose chunks are all handed straight to a waiting read keeps no array.
const NO_CHUNKS: Array<Uint8Array | undefined> = [];

interface Gathering {
  readonly chunks: Uint8Array[];
  size: number;
  readonly limit: number;
  resolve(body: Uint8Array): void;
  reject(reason: unknown): void;
}

export class InboundHalf {
  private stream: ReadableStream<Uint8Array> | null = null;
  private controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  /** Chunks not yet read, from `head` on; the shared empty array until one waits. */
  private queue: Array<Uint8Array | undefined> = NO_CHUNKS;
  private head = 0;
  private bytes = 0;
  /** A read is waiting and our queue is empty: the next chunk goes straight to it. */
  private waiting = false;
  /** The peer sent FIN. */
  private ended = false;
  /** The readable is closed, errored or cancelled (or will be, when it is made). */
  private done = false;
  /** Why the readable errored, for one made after the failure. */
  private failure: { reason: unknown } | null = null;
  /** The body is being gathered whole (`gather()`), not read through `readable`. */
  private gathering: Gathering | null = null;
  /** The application has read from the readable or gathered the body. */
  private touched = false;

  /** `hooks`: the stream's; after `release`, ones that pass on only a cancelled read. */
  constructor(private hooks: InboundHooks) {}

  /**
   * The peer's DATA: made on first use (a request with no body, say, never
   * needs one), in the state the half has reached by then.
   */
  get readable(): ReadableStream<Uint8Array> {
    this.stream ??= new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
          if (this.gathering) controller.error(new InvalidArgumentError('the body was read whole already'));
          else if (this.failure) controller.error(this.failure.reason);
          else if (this.done) controller.close();
        },
        pull: () => this.pull(),
        cancel: (reason) => {
          if (this.done) return;
          this.done = true;
          this.drop();
          this.hooks.readCancelled(reason);
        },
      },
      { highWaterMark: 0 },
    );
    return this.stream;
  }

  /** Nobody has read the body, gathered it, or taken a reader of its readable. */
  get untouched(): boolean {
    return !this.touched && !(this.stream?.locked ?? false);
  }

  /** Bytes received and not yet read by the application. */
  get bufferedBytes(): number {
    return this.bytes;
  }

  /** True once the peer's half is over (FIN seen) or the readable has ended. */
  get finished(): boolean {
    return this.ended || this.done;
  }

  /**
   * The stream is over (closed, or reset by the peer after its FIN): what
   * is queued stays readable, but stops being the session's to count and
   * to hold the connection window for. An application that answers a
   * request without reading its body, and lets the stream go, would
   * otherwise hold that window and that count for as long as the session
   * lives. Returns the bytes released.
   */
  release(): number {
    const n = this.bytes;
    // Nothing queued (the usual end), or told already: nothing later to keep quiet about.
    if (n === 0 || this.hooks instanceof ReleasedHooks) return 0;
    // The caller tells of all of it now: reading or dropping it later tells nobody again.
    this.hooks = new ReleasedHooks(this.hooks);
    return n;
  }

  /** Data from the peer. */
  push(chunk: Uint8Array): void {
    if (this.done || this.ended) {
      this.hooks.discarded(chunk.length);
      return;
    }
    if (chunk.length === 0) return;
    if (this.gathering) {
      this.gather1(this.gathering, chunk);
      return;
    }
    if (this.waiting) {
      this.waiting = false;
      this.controller!.enqueue(chunk);
      this.hooks.consumed(chunk.length);
      return;
    }
    if (this.queue === NO_CHUNKS) this.queue = [];
    this.queue.push(chunk);
    this.bytes += chunk.length;
    this.hooks.buffered(chunk.length);
  }

  /**
   * The whole body, once the peer ends it: every chunk counts as read as it
   * arrives (the peer's window comes back at once, as for a reader that
   * keeps reading). Past `limit` bytes the stream is reset with CANCEL and
   * this rejects with a `BodyTooLargeError`. Rejects if the readable was
   * made already, or as `readable` would if the stream fails first.
   */
  gather(limit = Infinity): Promise<Uint8Array> {
    if (this.stream || this.gathering) {
      return Promise.reject(new InvalidArgumentError('the body is being read already'));
    }
    if (!(limit >= 0)) return Promise.reject(new InvalidArgumentError('limit must be a number of bytes, 0 or more'));
    this.touched = true;
    if (this.failure) return Promise.reject(this.failure.reason);
    return new Promise<Uint8Array>((resolve, reject) => {
      const queued = this.queue.slice(this.head) as Uint8Array[];
      const n = this.bytes;
      this.queue = NO_CHUNKS;
      this.head = 0;
      this.bytes = 0;
      const g: Gathering = { chunks: [], size: 0, limit, resolve, reject };
      this.gathering = g;
      if (n > 0) this.hooks.buffered(-n);
      let i = 0;
      while (i < queued.length && this.gathering === g) this.gather1(g, queued[i++]!);
      // Past the limit already: what was queued after is dropped, and its window given back.
      let dropped = 0;
      while (i < queued.length) dropped += queued[i++]!.length;
      if (dropped > 0) this.hooks.discarded(dropped);
      if (this.gathering === g && (this.ended || this.done)) this.close();
    });
  }

  /** Takes `chunk` into the body being gathered, or gives up on a body past its limit. */
  private gather1(g: Gathering, chunk: Uint8Array): void {
    if (g.size + chunk.length > g.limit) {
      this.gathering = null;
      this.hooks.discarded(chunk.length);
      const reason = new BodyTooLargeError(`the body is larger than ${g.limit} bytes`);
      g.reject(reason);
      // Our own reset (CANCEL): the peer stops sending what nobody will read.
      this.hooks.readCancelled(reason);
      return;
    }
    g.chunks.push(chunk);
    g.size += chunk.length;
    this.hooks.consumed(chunk.length);
  }

  /** The peer's FIN: the readable closes once the queue is read. */
  end(): void {
    if (this.ended || this.done) return;
    this.ended = true;
    if (this.head === this.queue.length) this.close();
  }

  /**
   * The stream failed: reads reject with `reason`, and queued data is
   * dropped. After the peer's FIN nothing is missing, so what is queued
   * stays readable and the readable still closes normally: a reset or a
   * lost connection that comes after the whole body loses none of it.
   */
  fail(reason: unknown): void {
    if (this.ended) return;
    this.abandon(reason);
  }

  /** Our own side gave the stream up: queued data is dropped even after the FIN. */
  abandon(reason: unknown): void {
    if (this.done) return;
    this.done = true;
    this.failure = { reason };
    this.drop();
    this.controller?.error(reason);
    this.gathering?.reject(reason);
  }

  private pull(): void {
    this.touched = true;
    if (this.head < this.queue.length) {
      const chunk = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      if (this.head === this.queue.length) {
        // Emptied, kept: a busy stream fills it again soon.
        this.queue.length = 0;
        this.head = 0;
      }
      this.bytes -= chunk.length;
      this.hooks.buffered(-chunk.length);
      this.controller!.enqueue(chunk);
      this.hooks.consumed(chunk.length);
      if (this.ended && this.head === this.queue.length) this.close();
      return;
    }
    if (!this.ended) this.waiting = true;
  }

  private close(): void {
    const g = this.gathering;
    // One chunk, the usual small body, is handed out as it came.
    if (g) g.resolve(g.chunks.length === 1 ? g.chunks[0]! : concatBytes(g.chunks));
    if (this.done) return;
    this.done = true;
    this.controller?.close();
  }

  private drop(): void {
    const n = this.bytes;
    this.queue = NO_CHUNKS;
    this.head = 0;
    this.bytes = 0;
    this.waiting = false;
    if (n > 0) {
      this.hooks.buffered(-n);
      this.hooks.discarded(n);
    }
  }
}
