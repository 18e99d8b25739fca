/**
 * Accepting SPDY sessions in Node: cleartext TCP, where the client's first
 * frame tells SPDY/2 from SPDY/3, or TLS, where ALPN picks the version.
 */
import net from 'node:net';
import tls from 'node:tls';
import { getNpnProtocols, npnGetVersion, npnToken } from '../codec/npn.js';
import { PROTO_SPDY3_1, type ProtocolVersion } from '../base/constants.js';
import { checkVersion } from '../codec/version.js';
import type { SpdyConfig } from '../base/config.js';
import { acceptPreface, guessedVersionConfig } from '../handshake/accept.js';
import { SpdySession, type SpdySessionOptions } from '../streams/spdy-session.js';
import { socketToWeb } from './socket-stream.js';

/** Options of `listenSessions`. */
export interface ListenSessionsOptions {
  /** Default 0: any free port (read it from `server.port` once `ready`). */
  port?: number;
  /** Default: all interfaces. */
  host?: string;
  /** Cleartext SPDY over TCP; default false: TLS with ALPN. */
  plain?: boolean;
  /**
   * Cleartext: the version spoken with SPDY/3 clients (default SPDY/3.1); a
   * client whose first frame says SPDY/2 gets SPDY/2. TLS: the only version
   * offered in ALPN; by default all are, the client's choice among them deciding.
   */
  version?: ProtocolVersion;
  config?: SpdyConfig;
  /** TLS certificate chain and key (PEM). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** TLS: any other `tls.createServer` options. */
  tls?: tls.TlsOptions;
  /** Options passed on to each `SpdySession` (write buffering). */
  session?: Omit<SpdySessionOptions, 'side' | 'version' | 'config'>;
}

/** A listening SPDY server. */
export interface SessionServer {
  /** Resolves once listening; rejects if the port could not be bound. */
  readonly ready: Promise<void>;
  /** The port listened on (known once `ready`). */
  readonly port: number;
  /** The Node server underneath. */
  readonly server: net.Server;
  /** The sessions open now. */
  readonly sessions: ReadonlySet<SpdySession>;
  /** Stops listening and closes every session (GOAWAY, then their streams finish). */
  close(): Promise<void>;
}

/**
 * Listens for SPDY connections and calls `onSession` with each new server
 * session. Sessions end on their own when the client goes away; `close()`
 * ends them all.
 */
export function listenSessions(
  options: ListenSessionsOptions,
  onSession: (session: SpdySession, socket: net.Socket) => void,
): SessionServer {
  const sessions = new Set<SpdySession>();
  // Connections accepted but not yet sessions (TLS handshake, first bytes).
  const pending = new Set<net.Socket>();
  const accept = (socket: net.Socket): void => {
    pending.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => pending.delete(socket));
  };
  const preferred = checkVersion(options.version ?? PROTO_SPDY3_1);
  const start = (
    raw: net.Socket, socket: net.Socket, version: ProtocolVersion,
    transport = socketToWeb(socket), config = options.config,
  ): void => {
    pending.delete(raw);
    socket.setNoDelay(true);
    const session = new SpdySession(transport, {
      ...options.session, side: 'server', version, ...(config && { config }),
    });
    sessions.add(session);
    session.closed.catch(() => {}).finally(() => sessions.delete(session));
    onSession(session, socket);
  };

  let server: net.Server;
  if (options.plain) {
    server = net.createServer((socket) => {
      accept(socket);
      acceptPreface(socketToWeb(socket), { version: preferred, upgrade: false }).then(
        (accepted) => {
          if (accepted) start(socket, socket, accepted.version, accepted.transport, guessedVersionConfig(options.config));
          else socket.destroy();
        },
        () => socket.destroy(),
      );
    });
  } else {
    // TLS sockets are made by hand over the accepted TCP sockets, so that
    // `close()` knows which connections are still in their handshake.
    const secureContext = tls.createSecureContext({
      ...options.tls,
      ...(options.cert !== undefined && { cert: options.cert }),
      ...(options.key !== undefined && { key: options.key }),
    });
    const ALPNProtocols = options.version === undefined ? getNpnProtocols() : [npnToken(preferred)];
    server = net.createServer((raw) => {
      accept(raw);
      const socket = new tls.TLSSocket(raw, { isServer: true, secureContext, ALPNProtocols });
      socket.on('error', () => raw.destroy());
      socket.once('secure', () => {
        const version = npnGetVersion(socket.alpnProtocol || null);
        if (version === 0) {
          socket.destroy();
          return;
        }
        start(raw, socket, version);
      });
    });
  }

  const ready = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  ready.catch(() => {});

  return {
    ready,
    server,
    sessions,
    get port() {
      const address = server.address();
      return address && typeof address === 'object' ? address.port : 0;
    },
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of pending) socket.destroy();
      await Promise.all([...sessions].map((s) => s.close().catch(() => {})));
      await stopped;
    },
  };
}
