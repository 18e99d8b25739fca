/**
 * A WebSocket as a byte transport for a SPDY session: every binary message
 * is a run of the connection's bytes, in either direction, as Kubernetes'
 * `SPDY/3.1+portforward.k8s.io` tunnel frames them. Written against the
 * standard `WebSocket` interface only, so that the browsers', Deno's, Bun's,
 * Node 22's and the `ws` package's sockets all fit.
 *
 * The standard interface has no flow control. Writes are held back by
 * polling `bufferedAmount`, the only signal it gives. Reads are bounded by
 * pausing the socket, which `ws` can do (`pause()`/`resume()`) and a browser
 * WebSocket cannot: there, messages keep coming while the reader stalls, and
 * the transport fails once `maxReadBuffer` bytes wait, rather than grow
 * without end.
 */
import { ERR_NOMEM } from '../base/constants.js';
import { ConnectionClosedError, InvalidArgumentError } from '../base/errors.js';
import { ReadableStream, WritableStream } from '../base/web-streams.js';
import type { Transport } from '../streams/transport.js';

/**
 * A handler slot of the WebSocket interface. Written as a method's type so
 * that the DOM's `WebSocket` (whose handlers take a `MessageEvent`) and the
 * `ws` package's both fit it.
 */
export type WebSocketHandler<E> = {
  /** Receives the event. */
  bivarianceHack(event: E): void;
}['bivarianceHack'] | null;

/**
 * The part of the standard `WebSocket` this library drives: the DOM's
 * `WebSocket` and the `ws` package's class both have it. `pause` and
 * `resume` are `ws`'s (a browser socket cannot stop reading).
 */
export interface WebSocketLike {
  /** Set to `'arraybuffer'` by the transport. */
  binaryType: string;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Bytes given to `send()` and not yet handed to the network. */
  readonly bufferedAmount: number;
  /** The subprotocol the server chose; '' for none. */
  readonly protocol: string;
  /** Called once the opening handshake is done. */
  onopen: WebSocketHandler<unknown>;
  /** Called with each message. */
  onmessage: WebSocketHandler<{ readonly data: unknown }>;
  /** Called when the socket is closed. */
  onclose: WebSocketHandler<{ readonly code: number; readonly reason: string }>;
  /** Called when the socket fails (a close follows). */
  onerror: WebSocketHandler<unknown>;
  /** Sends one binary message. */
  send(data: Uint8Array): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Stops reading from the network (`ws` only). */
  pause?(): void;
  /** Reads from the network again (`ws` only). */
  resume?(): void;
}

/** Options of `webSocketTransport`. */
export interface WebSocketTransportOptions {
  /**
   * Bytes of received messages queued for the reader before the socket is
   * paused (where it can be). Default 1 MiB.
   */
  readonly readHighWaterMark?: number;
  /**
   * Bytes queued for a reader that stalls on a socket that cannot be
   * paused (a browser's) before the transport fails with
   * `ConnectionClosedError` (code `ERR_NOMEM`). Default 64 MiB; `Infinity`
   * lifts the bound.
   */
  readonly maxReadBuffer?: number;
  /** `bufferedAmount` above which a write waits. Default 1 MiB. */
  readonly writeHighWaterMark?: number;
}

/** A WebSocket's transport, with the end of its opening handshake. */
export interface WebSocketTransport extends Transport {
  /** Resolves when the socket is open (at once when it already was); rejects when it closes or fails first. */
  readonly opened: Promise<void>;
}

const CONNECTING = 0;
const OPEN = 1;
/** Close codes that end a connection normally: 1000, and 1005 (the peer gave no code). */
const NORMAL_CLOSURE = new Set([1000, 1005]);
/** The longest wait between two looks at `bufferedAmount`. */
const MAX_POLL_MS = 16;

const byteLength = (chunk: Uint8Array): number => chunk.byteLength;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A message's bytes: an ArrayBuffer (binaryType `'arraybuffer'`) or a view (a Node `Buffer`). */
function bytesOf(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

/** What an `error` event says, as a cause. */
function causeOf(event: unknown): unknown {
  const e = event as { error?: unknown; message?: unknown } | null;
  return e?.error ?? (typeof e?.message === 'string' ? new Error(e.message) : undefined);
}

/**
 * `socket` (open or still connecting) as a byte transport. Binary messages
 * become the readable's chunks; each chunk written is sent as one binary
 * message, and the write resolves once `bufferedAmount` is at or below
 * `writeHighWaterMark`. Closing the writable, aborting it or cancelling the
 * readable closes the socket. A close with code 1000 or 1005 ends the
 * readable; any other close, an error or a text message errors it with
 * `ConnectionClosedError`.
 */
export function webSocketTransport(socket: WebSocketLike, options: WebSocketTransportOptions = {}): WebSocketTransport {
  const readHighWaterMark = options.readHighWaterMark ?? 1024 * 1024;
  const maxReadBuffer = options.maxReadBuffer ?? 64 * 1024 * 1024;
  const writeHighWaterMark = options.writeHighWaterMark ?? 1024 * 1024;
  for (const [name, value] of [['readHighWaterMark', readHighWaterMark], ['maxReadBuffer', maxReadBuffer], ['writeHighWaterMark', writeHighWaterMark]] as const) {
    if (!(value >= 0)) throw new InvalidArgumentError(`${name} must be a number of bytes, not ${value}`);
  }
  socket.binaryType = 'arraybuffer';
  const canPause = typeof socket.pause === 'function' && typeof socket.resume === 'function';

  // The first failure (or end) of the socket; writes after it fail with it.
  let failure: Error | null = null;
  let openSettled = socket.readyState === OPEN;
  let resolveOpened!: () => void;
  let rejectOpened!: (err: unknown) => void;
  const opened = openSettled ? Promise.resolve() : new Promise<void>((resolve, reject) => {
    resolveOpened = resolve;
    rejectOpened = reject;
  });
  // Whoever awaits `opened` reports its failure; the streams carry it too.
  opened.catch(() => undefined);
  if (!openSettled && socket.readyState !== CONNECTING) {
    failure = new ConnectionClosedError('the WebSocket is already closing or closed');
    openSettled = true;
    rejectOpened(failure);
  }

  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let readDone = false;
  let paused = false;
  const endReadable = (err: Error | null): void => {
    if (readDone) return;
    readDone = true;
    if (err) controller.error(err);
    else controller.close();
  };
  const fail = (err: Error): void => {
    failure ??= err;
    if (!openSettled) {
      openSettled = true;
      rejectOpened(err);
    }
    endReadable(err);
  };
  const closeSocket = (): void => {
    if (socket.readyState === CONNECTING || socket.readyState === OPEN) {
      try {
        socket.close(1000);
      } catch {
        // Already closing: nothing more to do.
      }
    }
  };

  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        if (failure) endReadable(failure);
      },
      pull() {
        if (paused) {
          paused = false;
          socket.resume!();
        }
      },
      cancel() {
        readDone = true;
        failure ??= new ConnectionClosedError('the transport was cancelled');
        closeSocket();
      },
    },
    { highWaterMark: readHighWaterMark, size: byteLength },
  );

  socket.onopen = () => {
    if (openSettled) return;
    openSettled = true;
    resolveOpened();
  };
  socket.onmessage = (event) => {
    if (readDone) return;
    const bytes = bytesOf(event.data);
    if (!bytes) {
      fail(new ConnectionClosedError('a text message on a WebSocket that carries bytes'));
      closeSocket();
      return;
    }
    if (bytes.byteLength === 0) return;
    controller.enqueue(bytes);
    const desired = controller.desiredSize ?? 0;
    if (desired > 0) return;
    if (canPause) {
      if (!paused) {
        paused = true;
        socket.pause!();
      }
    } else if (readHighWaterMark - desired > maxReadBuffer) {
      fail(new ConnectionClosedError(
        `${readHighWaterMark - desired} bytes received and not read: this WebSocket cannot pause its reads (maxReadBuffer ${maxReadBuffer})`,
        { code: ERR_NOMEM },
      ));
      closeSocket();
    }
  };
  socket.onerror = (event) => {
    fail(new ConnectionClosedError('the WebSocket failed', { cause: causeOf(event) }));
  };
  socket.onclose = (event) => {
    const normal = openSettled && NORMAL_CLOSURE.has(event.code);
    const why = `the WebSocket closed (code ${event.code}${event.reason ? `, ${JSON.stringify(event.reason)}` : ''})`;
    if (normal) {
      failure ??= new ConnectionClosedError(why);
      endReadable(null);
    } else {
      fail(new ConnectionClosedError(why));
    }
  };

  /** Resolves once the socket has taken its buffered bytes down to the mark, or has failed. */
  const drained = async (): Promise<void> => {
    let wait = 0;
    while (failure === null && socket.bufferedAmount > writeHighWaterMark) {
      await sleep(wait);
      wait = Math.min(MAX_POLL_MS, wait * 2 + 1);
    }
  };

  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      if (!openSettled || socket.readyState === CONNECTING) await opened;
      if (failure) throw failure;
      if (chunk.byteLength === 0) return;
      socket.send(chunk);
      await drained();
    },
    close() {
      failure ??= new ConnectionClosedError('the transport was closed');
      closeSocket();
    },
    abort() {
      failure ??= new ConnectionClosedError('the transport was aborted');
      closeSocket();
    },
  });

  return { readable, writable, opened };
}
