/**
 * Reading the first bytes of a connection before a SPDY session takes it
 * over: the version of a cleartext peer, or an HTTP/1.1 Upgrade exchange.
 * Whatever was read and not consumed is handed to the session first.
 */
import { ConnectionClosedError, HandshakeError, InvalidArgumentError } from '../base/errors.js';
import { ReadableStream } from '../base/web-streams.js';
import type { Transport } from '../streams/transport.js';

/** Reads ahead on a transport, then gives the rest back as a transport. */
export class PrefaceReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private bytes: Uint8Array;
  private ended = false;

  /** `already`: bytes of this connection that were read before (Node's `head` of an upgrade). */
  constructor(private readonly transport: Transport, already: Uint8Array = new Uint8Array(0)) {
    this.reader = transport.readable.getReader();
    this.bytes = already;
  }

  /** The bytes read and not yet consumed. */
  get buffered(): Uint8Array {
    return this.bytes;
  }

  /**
   * Reads until `decide(buffered, ended)` returns something other than
   * `undefined`, and returns that. Throws when more than `maxBytes` are
   * buffered undecided, or when the connection ends undecided.
   */
  async readUntil<T>(decide: (buffered: Uint8Array, ended: boolean) => T | undefined, maxBytes: number): Promise<T> {
    for (;;) {
      const verdict = decide(this.bytes, this.ended);
      if (verdict !== undefined) return verdict;
      if (this.ended) throw new ConnectionClosedError('connection closed during the preface');
      if (this.bytes.length > maxBytes) throw new HandshakeError(`preface longer than ${maxBytes} bytes`);
      const { done, value } = await this.reader.read();
      if (done) this.ended = true;
      else this.bytes = concat(this.bytes, value);
    }
  }

  /** Drops the first `n` buffered bytes (a handshake that has been dealt with). */
  consume(n: number): void {
    this.bytes = this.bytes.subarray(n);
  }

  /**
   * The transport again, its readable starting with the unconsumed bytes.
   * A transport that lends its reads still does: the unconsumed bytes go
   * to the sink first, then the reads.
   */
  release(): Transport {
    const reader = this.reader;
    const { writable, writev } = this.transport;
    // Nothing read ahead: the transport as it was, without a stream step more per chunk.
    if (this.bytes.length === 0 && !this.ended) {
      reader.releaseLock();
      return this.transport;
    }
    let pending: Uint8Array | null = this.bytes.length > 0 ? this.bytes : null;
    const ended = this.ended;
    // Once lending, the readable only ends: it reads the transport only after the transport lends too.
    let lending: Promise<void> | null = null;
    const readable = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          if (pending) {
            controller.enqueue(pending);
            pending = null;
            return;
          }
          if (ended) return controller.close();
          if (lending) await lending;
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    const released: { -readonly [K in keyof Transport]: Transport[K] } = { readable, writable };
    if (writev) released.writev = writev;
    if (this.transport.allocate) released.allocate = this.transport.allocate.bind(this.transport);
    const lend = this.transport.lend;
    if (lend) {
      const transport = this.transport;
      released.lend = (sink) => {
        if (lending) throw new InvalidArgumentError('this transport is lent already');
        const first = pending;
        pending = null;
        const start = (): void => lend.call(transport, sink);
        const wait = first ? sink(first) : undefined;
        lending = wait ? wait.then(start, start) : Promise.resolve(start());
      };
    }
    return released;
  }

  /**
   * Gives up the connection: cancels reading; ends writing after what was
   * written (`reason` undefined) or aborts it (a `reason` given).
   */
  async abandon(reason?: unknown): Promise<void> {
    const writable = this.transport.writable;
    await (reason === undefined ? writable.close() : writable.abort(reason)).catch(() => undefined);
    await this.reader.cancel(reason).catch(() => undefined);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
