/**
 * The one Node acceptor behind `listenSessions()` and `serve()`: a TCP
 * server, TLS over each accepted socket (ALPN picks the version) or
 * cleartext (the client's first frame, or its HTTP/1.1 Upgrade, picks it),
 * a server `SpdySession` per connection, and the bookkeeping that lets
 * `close()` end them all. What runs on a session (HTTP, or anything else)
 * is the caller's.
 *
 * A connection has `frameTimeout` (default 60 s) to finish its TLS
 * handshake and show its version; after that, the session's own timeouts
 * hold it.
 */
import net from 'node:net';
import tls from 'node:tls';
import { resolveConfig, type SpdyConfig } from '../base/config.js';
import { PROTO_SPDY3_1, SERVER, type ProtocolVersion } from '../base/constants.js';
import { getNpnProtocols, npnGetVersion, npnToken } from '../codec/npn.js';
import { checkVersion } from '../codec/version.js';
import { acceptPreface, guessedVersionConfig } from '../handshake/accept.js';
import { SpdySession, type SpdySessionOptions } from '../streams/spdy-session.js';
import type { Transport } from '../streams/transport.js';
import { socketToWeb } from './socket-stream.js';

/** One client connection, once its version is known. */
export interface ConnectionInfo {
  /** `host:port` of the client. */
  readonly remoteAddress: string;
  readonly version: ProtocolVersion;
  /** How the version was chosen. */
  readonly via: 'alpn' | 'preface' | 'upgrade';
}

/** Where and how the acceptor listens. */
export interface AcceptorOptions {
  /** Default 0: any free port. */
  readonly port?: number;
  /** Default: all interfaces. */
  readonly host?: string;
  /** Cleartext SPDY over TCP; default false: TLS. */
  readonly plain?: boolean;
  /**
   * Cleartext: the version spoken with SPDY/3 clients (default SPDY/3.1); a
   * client whose first frame says SPDY/2 gets SPDY/2. TLS: the only version
   * offered in ALPN; by default all are.
   */
  readonly version?: ProtocolVersion;
  readonly config?: SpdyConfig;
  /** Accept HTTP/1.1 `Upgrade: SPDY/x` on connections that do not start with SPDY. */
  readonly upgrade: boolean;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  readonly tls?: tls.TlsOptions;
  /** Options passed on to each `SpdySession`. */
  readonly session?: Omit<SpdySessionOptions, 'side' | 'version' | 'config'>;
  /** The transport a session runs over, from the socket's (to trace it, say). */
  readonly wrap?: (transport: Transport, info: ConnectionInfo) => Transport;
}

/** A listening acceptor. */
export interface Acceptor {
  /** Resolves once listening; rejects if the port could not be bound. */
  readonly ready: Promise<void>;
  /** The port listened on (known once `ready`). */
  readonly port: number;
  /** The Node server underneath. */
  readonly server: net.Server;
  /** The sessions open now. */
  readonly sessions: ReadonlySet<SpdySession>;
  /**
   * Stops accepting, drops connections still starting, sends GOAWAY on
   * every session and waits for each to end (or its socket to go), then
   * destroys what is left.
   */
  close(): Promise<void>;
}

function remoteOf(socket: net.Socket): string {
  const host = socket.remoteAddress ?? 'unknown';
  return `${host.includes(':') ? `[${host}]` : host}:${socket.remotePort ?? 0}`;
}

/** Listens, and calls `onSession` with each new server session. */
export function listenAcceptor(
  options: AcceptorOptions,
  onSession: (session: SpdySession, socket: net.Socket, info: ConnectionInfo) => void,
): Acceptor {
  const preferred = checkVersion(options.version ?? PROTO_SPDY3_1);
  const startTimeout = resolveConfig(options.config, SERVER).frameTimeout;
  const sessions = new Set<SpdySession>();
  const ends = new Map<SpdySession, Promise<void>>();
  // Every accepted TCP socket; those still starting are not in a session yet.
  const sockets = new Set<net.Socket>();
  const starting = new Set<net.Socket>();
  let closing = false;

  const start = (raw: net.Socket, socket: net.Socket, transport: Transport, info: ConnectionInfo): void => {
    starting.delete(raw);
    if (closing) {
      raw.destroy();
      return;
    }
    socket.setNoDelay(true);
    // In cleartext a SPDY/3 client looks like a SPDY/3.1 one: let it show which it is.
    const config = info.via === 'preface' ? guessedVersionConfig(options.config) : options.config;
    const session = new SpdySession(options.wrap ? options.wrap(transport, info) : transport, {
      ...options.session, side: 'server', version: info.version, ...(config && { config }),
    });
    // Once the socket is gone nothing more can happen on the session, even
    // if its end is still being reported: closing does not wait for it.
    const socketGone = new Promise<void>((resolve) => {
      if (raw.destroyed) resolve();
      else raw.once('close', () => resolve());
    });
    const ended = Promise.race([session.closed.catch(() => undefined), socketGone]);
    sessions.add(session);
    ends.set(session, ended);
    void ended.then(() => {
      sessions.delete(session);
      ends.delete(session);
    });
    onSession(session, socket, info);
  };

  /** The version from ALPN, or else from the first bytes (a frame, or an Upgrade request). */
  const sniff = (raw: net.Socket, socket: net.Socket, alpnVersion: ProtocolVersion | 0): void => {
    const transport = socketToWeb(socket);
    const remoteAddress = remoteOf(raw);
    if (alpnVersion !== 0) {
      start(raw, socket, transport, { remoteAddress, version: alpnVersion, via: 'alpn' });
      return;
    }
    acceptPreface(transport, { version: preferred, upgrade: options.upgrade, config: options.config }).then(
      (accepted) => {
        if (!accepted) {
          raw.destroy();
          return;
        }
        const via = accepted.upgraded ? 'upgrade' : 'preface';
        start(raw, socket, accepted.transport, { remoteAddress, version: accepted.version, via });
      },
      () => raw.destroy(),
    );
  };

  const secureContext = options.plain ? null : tls.createSecureContext({
    ...options.tls,
    ...(options.cert !== undefined && { cert: options.cert }),
    ...(options.key !== undefined && { key: options.key }),
  });
  const ALPNProtocols = options.version === undefined ? getNpnProtocols() : [npnToken(preferred)];

  // TLS sockets are made by hand over the accepted TCP sockets, so that
  // `close()` knows which connections are still in their handshake.
  const server = net.createServer((raw) => {
    sockets.add(raw);
    starting.add(raw);
    raw.on('error', () => {});
    const slow = startTimeout > 0 ? setTimeout(() => {
      if (starting.has(raw)) raw.destroy();
    }, startTimeout) : null;
    slow?.unref();
    raw.once('close', () => {
      if (slow) clearTimeout(slow);
      sockets.delete(raw);
      starting.delete(raw);
    });
    if (!secureContext) {
      sniff(raw, raw, 0);
      return;
    }
    // The server's TLS options that are not about the certificate (requestCert, say) go to each socket.
    const socket = new tls.TLSSocket(raw, { ...options.tls, isServer: true, secureContext, ALPNProtocols });
    socket.on('error', () => raw.destroy());
    socket.once('secure', () => sniff(raw, socket, npnGetVersion(socket.alpnProtocol || null)));
  });

  let port = 0;
  const ready = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host, () => {
      server.off('error', reject);
      port = (server.address() as net.AddressInfo).port;
      resolve();
    });
  });
  ready.catch(() => {});

  return {
    ready,
    get port() {
      return port;
    },
    server,
    sessions,
    async close() {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of starting) socket.destroy();
      await Promise.allSettled([...sessions].map((s) => Promise.race([s.close(), ends.get(s)])));
      // Connections whose session ended without their socket closing do not hold the close up.
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}
