/**
 * `spdy-streams/bun`: a SPDY transport over `Bun.connect`, whose sockets
 * take callbacks rather than exposing Web Streams. Imports nothing from Node
 * and needs no Bun types: the few members used are declared here.
 */
import { ERR_INVALID_STATE } from '../base/constants.js';
import { ReadableStream, WritableStream } from '../base/web-streams.js';
import { EOFError, SpdyError } from '../base/errors.js';
import type { Transport } from '../streams/transport.js';

/** TLS settings of {@link connectBun}. */
export interface BunTlsOptions {
  /** Certificates (PEM) to trust besides the system's. */
  ca?: string | string[];
  /** The name the certificate must carry (default: `hostname`). */
  serverName?: string;
  /** Default `true`: refuse a certificate that does not verify. */
  rejectUnauthorized?: boolean;
  /** ALPN protocols to offer, most wanted first (for SPDY: `getNpnProtocols()`). */
  alpnProtocols?: readonly string[];
}

/** Options of {@link connectBun}. */
export interface BunConnectOptions {
  hostname: string;
  port: number;
  /** TLS settings; `true` for the defaults. Cleartext when absent. */
  tls?: boolean | BunTlsOptions;
  /** Bytes read ahead of the reader before the socket is paused. Default 65536. */
  readHighWaterMark?: number;
}

/** A connected Bun socket as a {@link Transport}. */
export interface BunTransport extends Transport {
  /** The protocol the TLS server chose with ALPN; null in cleartext or when it chose none. */
  readonly alpnProtocol: string | null;
}

/** The members of Bun's `Socket` used here. */
interface BunSocket {
  write(data: Uint8Array): number;
  end(): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  readonly alpnProtocol: string | false | null;
}

interface BunSocketHandler {
  data(socket: BunSocket, data: Uint8Array): void;
  drain(socket: BunSocket): void;
  end(socket: BunSocket): void;
  close(socket: BunSocket, error?: Error): void;
  error(socket: BunSocket, error: Error): void;
  handshake?(socket: BunSocket, success: boolean, authorizationError: Error | null): void;
}

interface BunGlobal {
  connect(options: {
    hostname: string;
    port: number;
    tls?: boolean | { ca?: string | string[]; serverName?: string; rejectUnauthorized?: boolean; ALPNProtocols?: Uint8Array };
    socket: BunSocketHandler;
  }): Promise<BunSocket>;
}

/** ALPN's wire list: each name after its length byte. */
function alpnList(names: readonly string[]): Uint8Array {
  const parts = names.map((n) => new TextEncoder().encode(n));
  const out = new Uint8Array(parts.reduce((sum, p) => sum + 1 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out[at++] = p.length;
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const byteLength = (chunk: Uint8Array): number => chunk.byteLength;

/**
 * Opens a TCP (or TLS) connection with `Bun.connect` and resolves, once it is
 * connected (for TLS, once the handshake succeeded), with a transport that
 * `new SpdySession(transport, ...)` takes. The readable pauses the socket
 * while its queue is full; `write()` waits for the socket to drain;
 * `close()` ends the write side; `cancel()` and `abort()` close the socket.
 */
export function connectBun(options: BunConnectOptions): Promise<BunTransport> {
  const bun = (globalThis as { Bun?: BunGlobal }).Bun;
  if (!bun) return Promise.reject(new SpdyError('connectBun needs Bun (globalThis.Bun is missing)', { code: ERR_INVALID_STATE }));
  const readHighWaterMark = options.readHighWaterMark ?? 65536;
  const tls = options.tls === true ? {} : options.tls || undefined;

  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let readDone = false;
  // The bytes of a write the socket took only in part, and who waits for them.
  let pending: { rest: Uint8Array; resolve(): void; reject(err: unknown): void } | null = null;
  let closedError: unknown = null;
  let handshake: { resolve(): void; reject(err: unknown): void } | null = null;

  const endRead = (err?: unknown): void => {
    if (readDone) return;
    readDone = true;
    if (err) controller.error(err);
    else controller.close();
  };
  const failWrites = (err: unknown): void => {
    closedError ??= err;
    pending?.reject(closedError);
    pending = null;
  };
  /** Writes as much of `pending` as the socket takes; settles it when all went. */
  const flush = (socket: BunSocket): void => {
    if (!pending) return;
    const n = socket.write(pending.rest);
    if (n < 0) return failWrites(new EOFError('connection closed'));
    if (n < pending.rest.length) {
      pending.rest = pending.rest.subarray(n);
      return;
    }
    const done = pending;
    pending = null;
    done.resolve();
  };

  const readable = new ReadableStream<Uint8Array>(
    {
      start: (c) => void (controller = c),
      pull: () => socketRef?.resume(),
      cancel: () => {
        readDone = true;
        socketRef?.terminate();
      },
    },
    { highWaterMark: readHighWaterMark, size: byteLength },
  );
  let socketRef: BunSocket | null = null;

  const handler: BunSocketHandler = {
    data(socket, data) {
      if (readDone) return;
      // Bun may reuse its read buffer once this returns: keep a copy.
      controller.enqueue(data.slice());
      if ((controller.desiredSize ?? 0) <= 0) socket.pause();
    },
    drain: (socket) => flush(socket),
    end: () => endRead(),
    close(_socket, error) {
      const err = error ?? new EOFError('connection closed');
      endRead(error);
      failWrites(err);
      handshake?.reject(err);
    },
    error(_socket, error) {
      endRead(error);
      failWrites(error);
      handshake?.reject(error);
    },
  };
  if (tls) {
    handler.handshake = (_socket, success, authorizationError) => {
      if (success && !(authorizationError && tls.rejectUnauthorized !== false)) handshake?.resolve();
      else handshake?.reject(authorizationError ?? new EOFError('TLS handshake failed'));
      handshake = null;
    };
  }

  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      if (closedError) throw closedError;
      return new Promise<void>((resolve, reject) => {
        pending = { rest: chunk, resolve, reject };
        flush(socketRef!);
      });
    },
    close() {
      if (closedError) throw closedError;
      socketRef?.end();
    },
    abort() {
      socketRef?.terminate();
    },
  });

  const handshaken = tls ? new Promise<void>((resolve, reject) => void (handshake = { resolve, reject })) : Promise.resolve();
  // Awaited below once connected; a failure before then must not count as unhandled.
  handshaken.catch(() => undefined);
  const connecting = bun.connect({
    hostname: options.hostname,
    port: options.port,
    ...(tls && {
      tls: {
        ...(tls.ca !== undefined && { ca: tls.ca }),
        serverName: tls.serverName ?? options.hostname,
        rejectUnauthorized: tls.rejectUnauthorized ?? true,
        ...(tls.alpnProtocols && { ALPNProtocols: alpnList(tls.alpnProtocols) }),
      },
    }),
    socket: handler,
  });
  return connecting.then(async (socket) => {
    socketRef = socket;
    await handshaken;
    return { readable, writable, alpnProtocol: socket.alpnProtocol || null };
  });
}
