/**
 * Two transports joined back to back in memory: what one end writes, the
 * other reads. For tests, examples and benchmarks; it keeps real backpressure
 * (a writer waits while the reader's queue is full) and can be dropped like
 * a broken connection.
 */
import { ReadableStream, WritableStream, ByteLengthQueuingStrategy } from '../base/web-streams.js';
import { InvalidArgumentError, StreamClosedError } from '../base/errors.js';
import type { Transport } from './transport.js';

/** Options of `createMemoryTransportPair`. */
export interface MemoryTransportOptions {
  /**
   * Bytes each direction holds unread before `write()` stops resolving
   * (the reader's queue, and as much again in the writer's). Default 65536.
   */
  highWaterMark?: number;
}

/** One end of an in-memory connection. */
export interface MemoryTransport extends Transport {
  /**
   * Breaks the connection as a network failure would: both ends' readables
   * and writables error with `reason`.
   */
  destroy(reason?: unknown): void;
}

interface Pipe {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  fail(reason: unknown): void;
}

function createPipe(highWaterMark: number): Pipe {
  let source!: ReadableStreamDefaultController<Uint8Array>;
  let sink!: WritableStreamDefaultController;
  // Set while a write waits for the reader to make room.
  let waiting: { resolve(): void; reject(reason: unknown): void } | null = null;
  let failure: { reason: unknown } | null = null;

  const fail = (reason: unknown): void => {
    if (failure) return;
    failure = { reason };
    source.error(reason);
    sink.error(reason);
    waiting?.reject(reason);
    waiting = null;
  };

  const readable = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        source = controller;
      },
      pull() {
        waiting?.resolve();
        waiting = null;
      },
      cancel(reason) {
        fail(reason ?? new StreamClosedError('the reading end was cancelled'));
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark }),
  );

  const writable = new WritableStream<Uint8Array>(
    {
      start(controller) {
        sink = controller;
      },
      write(chunk) {
        if (failure) throw failure.reason;
        source.enqueue(chunk);
        if ((source.desiredSize ?? 0) > 0) return undefined;
        return new Promise<void>((resolve, reject) => {
          waiting = { resolve, reject };
        });
      },
      close() {
        if (!failure) source.close();
      },
      abort(reason) {
        fail(reason ?? new StreamClosedError('the writing end was aborted'));
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark }),
  );

  return { readable, writable, fail };
}

/**
 * Returns the two ends of a new in-memory connection. Chunks are handed over
 * as they are, not copied.
 */
export function createMemoryTransportPair(options: MemoryTransportOptions = {}): [MemoryTransport, MemoryTransport] {
  const highWaterMark = options.highWaterMark ?? 65536;
  if (!Number.isInteger(highWaterMark) || highWaterMark < 1) {
    throw new InvalidArgumentError('highWaterMark must be a positive integer');
  }
  const ab = createPipe(highWaterMark);
  const ba = createPipe(highWaterMark);
  const destroy = (reason?: unknown): void => {
    const why = reason ?? new StreamClosedError('connection destroyed');
    ab.fail(why);
    ba.fail(why);
  };
  return [
    { readable: ba.readable, writable: ab.writable, destroy },
    { readable: ab.readable, writable: ba.writable, destroy },
  ];
}
