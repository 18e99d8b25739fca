/**
 * A Node socket (or any byte Duplex) as a Web Streams transport. Written by
 * hand rather than with `Duplex.toWeb` because it measured faster (see
 * bench/streams.mjs) and because its queues count bytes, not chunks.
 */
import { Buffer } from 'node:buffer';
import { ConnectionClosedError, InvalidArgumentError } from '../base/errors.js';
import { ReadableStream, WritableStream } from '../base/web-streams.js';
import type { Duplex } from 'node:stream';
import type { Transport } from '../streams/transport.js';
import type { LentSink, SocketReads } from './socket-reads.js';

/** Options of `socketToWeb`. */
export interface SocketStreamOptions {
  /** Bytes read ahead of the reader before the socket is paused. Default 65536. */
  readHighWaterMark?: number;
  /** Bytes queued in the writable before `write()` waits. Default 65536. */
  writeHighWaterMark?: number;
  /**
   * The reads the socket was made with (`socketReads()`, its `onread` given
   * to `net.connect` or `tls.connect`): the chunks then come from them
   * rather than from 'data' events.
   */
  reads?: SocketReads;
}

const byteLength = (chunk: Uint8Array): number => chunk.byteLength;

/**
 * Memory for the DATA a session copies out of lent reads, left uncleared
 * since the copy writes all of it at once; a plain `Uint8Array`, as chunks
 * are elsewhere, over the buffer's own memory (unpooled: in Node, exactly
 * `length` bytes of their own).
 */
function uncleared(length: number): Uint8Array {
  const memory = Buffer.allocUnsafeSlow(length);
  return new Uint8Array(memory.buffer, memory.byteOffset, length);
}

function closedError(): Error {
  return new ConnectionClosedError('socket closed');
}

/**
 * Wraps a connected socket. The readable pauses the socket while its queue
 * is full; `write()` waits for `'drain'`; `close()` ends the socket's write
 * side; `cancel()` and `abort()` destroy the socket. Given the socket's
 * `reads`, the transport also offers `lend` (see `Transport.lend`): the
 * reads then go to its sink, what was queued first, and the readable only
 * ends or fails; and `allocate`, uncleared memory for the DATA copied out
 * of them.
 */
export function socketToWeb(socket: Duplex, options: SocketStreamOptions = {}): Transport {
  const readHighWaterMark = options.readHighWaterMark ?? 65536;
  const writeHighWaterMark = options.writeHighWaterMark ?? 65536;

  let readError: unknown = null;
  // Set once the readable is closed, errored or cancelled: Bun emits 'end'
  // and 'data' even after destroy(), which must not reach the controller.
  let done = false;
  // Chunks read and not yet taken by the readable's reader (counted in
  // bytes against readHighWaterMark), so that `lend` can hand them on first.
  let queue: Uint8Array[] = [];
  let queued = 0;
  // A read of the readable waits on an empty queue.
  let readWaiting = false;
  // The socket ended: the readable closes once nothing is queued or lent.
  let endQueued = false;
  // Chunks lent and not yet given back: reading waits for them.
  let lentOut = 0;
  let lending = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;

  const resumeIfFree = (): void => {
    if (!done && lentOut === 0 && queued < readHighWaterMark && socket.isPaused()) socket.resume();
  };
  const closeIfDrained = (): void => {
    if (done || !endQueued || queue.length > 0 || lentOut > 0) return;
    done = true;
    controller.close();
  };
  const finish = (err?: unknown): void => {
    if (done || endQueued) return;
    if (err) {
      done = true;
      readError = err;
      queue = [];
      queued = 0;
      controller.error(err);
      return;
    }
    endQueued = true;
    closeIfDrained();
  };
  const take = (chunk: Uint8Array): void => {
    if (done || endQueued) return;
    if (readWaiting && !lending) {
      readWaiting = false;
      controller.enqueue(chunk);
      return;
    }
    queue.push(chunk);
    queued += chunk.byteLength;
    if (queued >= readHighWaterMark) socket.pause();
  };

  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        if (options.reads) {
          options.reads.attach(take);
          // Nothing listens for 'data': flowing is what lets 'end' be emitted.
          socket.resume();
        } else {
          socket.on('data', take);
        }
        socket.once('end', () => finish());
        socket.once('error', (err) => finish(err));
        socket.once('close', () => finish(readError ?? (socket.readableEnded ? undefined : closedError())));
      },
      pull() {
        if (done || lending) return;
        const chunk = queue.shift();
        if (chunk === undefined) {
          readWaiting = true;
        } else {
          queued -= chunk.byteLength;
          controller.enqueue(chunk);
          closeIfDrained();
        }
        resumeIfFree();
      },
      cancel() {
        done = true;
        queue = [];
        socket.destroy();
      },
    },
    { highWaterMark: 0 },
  );

  /** Lends `chunk`; while the sink holds it, the socket reads nothing more. */
  const lendTo = (sink: LentSink, chunk: Uint8Array): Promise<void> | void => {
    if (done) return undefined;
    const wait = sink(chunk);
    if (!wait) return undefined;
    lentOut++;
    socket.pause();
    const giveBack = (): void => {
      lentOut--;
      closeIfDrained();
      resumeIfFree();
    };
    return wait.then(giveBack, giveBack);
  };

  const lend = (reads: SocketReads, sink: LentSink): void => {
    if (lending) throw new InvalidArgumentError('this transport is lent already');
    lending = true;
    // What was read before goes first; the socket reads on once the sink has it all.
    lentOut++;
    socket.pause();
    const drain = (): void => {
      for (let chunk = queue.shift(); chunk !== undefined; chunk = queue.shift()) {
        queued -= chunk.byteLength;
        const wait = lendTo(sink, chunk);
        if (wait) {
          wait.then(drain, drain);
          return;
        }
      }
      lentOut--;
      if (done) return;
      reads.lend((chunk) => lendTo(sink, chunk));
      closeIfDrained();
      resumeIfFree();
    };
    drain();
  };

  // The write waiting for 'drain', failed when the socket goes away instead.
  let drainWait: { resolve(): void; reject(err: unknown): void } | null = null;
  let writeError: unknown = null;
  const failWrites = (err: unknown): void => {
    writeError ??= err;
    drainWait?.reject(writeError);
    drainWait = null;
  };
  socket.on('drain', () => {
    drainWait?.resolve();
    drainWait = null;
  });
  socket.once('error', failWrites);
  socket.once('close', () => failWrites(closedError()));

  const writable = new WritableStream<Uint8Array>(
    {
      write(chunk) {
        if (writeError) throw writeError;
        if (socket.write(chunk)) return undefined;
        return new Promise<void>((resolve, reject) => {
          drainWait = { resolve, reject };
        });
      },
      close() {
        if (writeError) throw writeError;
        // Node never calls end()'s callback on a socket already destroyed.
        if (socket.destroyed) return undefined;
        return new Promise<void>((resolve, reject) => {
          socket.end(() => resolve());
          socket.once('close', () => resolve());
          socket.once('error', reject);
        });
      },
      abort() {
        socket.destroy();
      },
    },
    { highWaterMark: writeHighWaterMark, size: byteLength },
  );

  /**
   * The parts in one corked batch, so that Node hands them to the kernel in
   * one writev and copies none. It settles once the socket has written them
   * all: only then may their memory be reused.
   */
  const writev = (parts: readonly Uint8Array[]): Promise<void> => {
    if (writeError) return Promise.reject(writeError);
    if (socket.destroyed) return Promise.reject(closedError());
    return new Promise<void>((resolve, reject) => {
      socket.cork();
      const last = parts.length - 1;
      for (let i = 0; i < last; i++) socket.write(parts[i]!);
      socket.write(parts[last]!, (err) => (err ? reject(writeError ?? err) : resolve()));
      socket.uncork();
    });
  };

  const reads = options.reads;
  if (!reads) return { readable, writable, writev };
  return { readable, writable, writev, lend: (sink) => lend(reads, sink), allocate: uncleared };
}
