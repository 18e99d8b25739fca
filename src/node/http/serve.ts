/**
 * `serve()`: an HTTP server over SPDY in Node, on TLS (ALPN picks the
 * version) or cleartext TCP (the client's first frame, or its HTTP/1.1
 * `Upgrade` request, picks it).
 */
import { InvalidArgumentError } from '../../base/errors.js';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import { PROTO_SPDY3_1, type ProtocolVersion } from '../../base/constants.js';
import { getNpnProtocols, npnGetVersion, npnToken } from '../../codec/npn.js';
import { checkVersion } from '../../codec/version.js';
import type { SpdyConfig } from '../../base/config.js';
import { acceptPreface, guessedVersionConfig } from '../../handshake/accept.js';
import { traceTransport, type TraceDirection } from '../../http/frame-trace.js';
import type { DecodedFrame } from '../../codec/frame-decoder.js';
import { serveSession, type RequestHandler } from '../../http/server.js';
import { SpdySession } from '../../streams/spdy-session.js';
import type { Transport } from '../../streams/transport.js';
import { socketToWeb } from '../socket-stream.js';

/** One client connection, as `onConnection` and `onFrame` see it. */
export interface ConnectionInfo {
  /** `host:port` of the client. */
  readonly remoteAddress: string;
  readonly version: ProtocolVersion;
  /** How the version was chosen. */
  readonly via: 'alpn' | 'preface' | 'upgrade';
}

/** Options of `serve()`: where to listen, TLS or cleartext, the SPDY version and limits. */
export interface ServeOptions {
  /** Default 0: any free port (read `server.port` after `ready`). */
  port?: number;
  /** Default: all interfaces. */
  hostname?: string;
  /** PEM certificate chain and key; required unless `plain`. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Cleartext SPDY on TCP instead of TLS. */
  plain?: boolean;
  /**
   * Cleartext: the version spoken with SPDY/3 clients (default PROTO_SPDY3_1;
   * SPDY/2 clients are recognised by their first frame). TLS: when given,
   * the only version offered in ALPN; otherwise all three.
   */
  version?: ProtocolVersion;
  /** Limits and switches of each session (API.md section 6). */
  config?: SpdyConfig;
  /** Accept HTTP/1.1 `Upgrade: SPDY/x` requests on connections that do not start with SPDY. Default true. */
  upgrade?: boolean;
  /** More options for `tls.createServer`. */
  tls?: TlsOptions;
  /** Sees every frame sent and received on every connection. */
  onFrame?: (direction: TraceDirection, frame: DecodedFrame | Error, connection: ConnectionInfo) => void;
  /** Told of each connection once its version is known. */
  onConnection?: (connection: ConnectionInfo) => void;
  /** Told of errors thrown by the handler (answered with 500). */
  onError?: (error: unknown, request: Request | null) => void;
}

/** A running server. */
export interface SpdyServer {
  /** Resolves when the server listens; rejects if it cannot. */
  readonly ready: Promise<void>;
  /** The port listened on (known once `ready` resolved). */
  readonly port: number;
  /** The Node server underneath. */
  readonly server: Server;
  /**
   * Stops accepting connections, sends GOAWAY on every session, waits for
   * the open streams to finish, then closes the connections.
   */
  close(): Promise<void>;
}

function remoteOf(socket: Socket): string {
  const host = socket.remoteAddress ?? 'unknown';
  return `${host.includes(':') ? `[${host}]` : host}:${socket.remotePort ?? 0}`;
}

/**
 * Starts an HTTP server over SPDY; it answers each request with
 * `handler(request, ctx)`. Returns at once: await `server.ready`.
 */
export function serve(options: ServeOptions, handler: RequestHandler): SpdyServer {
  const plain = options.plain ?? false;
  const version = checkVersion(options.version ?? PROTO_SPDY3_1);
  if (!plain && (options.cert === undefined || options.key === undefined)) {
    throw new InvalidArgumentError('serve() over TLS needs cert and key (or plain: true)');
  }
  const sessions = new Set<SpdySession>();
  const ends = new WeakMap<SpdySession, Promise<void>>();
  const sockets = new Set<Socket>();
  const served = new Set<Promise<void>>();
  let closing = false;

  const run = (socket: Socket, transport: Transport, info: ConnectionInfo): void => {
    if (closing) {
      socket.destroy();
      return;
    }
    options.onConnection?.(info);
    const onFrame = options.onFrame;
    const traced = onFrame
      ? traceTransport(transport, { version: info.version, config: options.config }, (d, f) => onFrame(d, f, info))
      : transport;
    // In cleartext a SPDY/3 client looks like a SPDY/3.1 one: let it show which it is.
    const config = info.via === 'preface' ? guessedVersionConfig(options.config) : options.config;
    const session = new SpdySession(traced, { side: 'server', version: info.version, config });
    // Once the socket is gone nothing more can happen on the session, even
    // if its end is still being reported: closing the server does not wait for it.
    const socketGone = new Promise<void>((resolve) => {
      if (socket.destroyed) resolve();
      else socket.once('close', () => resolve());
    });
    const ended = Promise.race([session.closed.catch(() => undefined), socketGone]);
    ends.set(session, ended);
    sessions.add(session);
    const task = serveSession(session, handler, {
      scheme: plain ? 'http' : 'https',
      version: info.version,
      remoteAddress: info.remoteAddress,
      onError: options.onError,
    });
    served.add(task);
    void Promise.allSettled([task, ended]).then(() => {
      sessions.delete(session);
      served.delete(task);
    });
  };

  const sniff = (socket: Socket, alpnVersion: ProtocolVersion | 0): void => {
    const transport = socketToWeb(socket);
    const remoteAddress = remoteOf(socket);
    if (alpnVersion !== 0) {
      run(socket, transport, { remoteAddress, version: alpnVersion, via: 'alpn' });
      return;
    }
    acceptPreface(transport, { version, upgrade: options.upgrade ?? true }).then(
      (accepted) => {
        if (!accepted) return;
        run(socket, accepted.transport, { remoteAddress, version: accepted.version, via: accepted.upgraded ? 'upgrade' : 'preface' });
      },
      () => socket.destroy(),
    );
  };

  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setNoDelay(true);
  };

  let server: Server;
  if (plain) {
    server = createNetServer((socket) => {
      track(socket);
      sniff(socket, 0);
    });
  } else {
    server = createTlsServer(
      {
        ...options.tls,
        cert: options.cert,
        key: options.key,
        ALPNProtocols: options.version !== undefined ? [npnToken(version)] : getNpnProtocols(),
      },
      (socket: TLSSocket) => {
        track(socket);
        sniff(socket, npnGetVersion(socket.alpnProtocol || null));
      },
    );
    server.on('tlsClientError', () => undefined);
  }

  let port = 0;
  const ready = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.hostname, () => {
      server.off('error', reject);
      port = (server.address() as AddressInfo).port;
      resolve();
    });
  });
  ready.catch(() => undefined);

  return {
    ready,
    get port() {
      return port;
    },
    server,
    async close() {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...sessions].map((s) => Promise.race([s.close(), ends.get(s)])));
      await Promise.allSettled([...served]);
      // Connections still in their preface (or stuck) do not hold the close up.
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}
