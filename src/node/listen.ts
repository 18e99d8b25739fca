/**
 * Accepting SPDY sessions in Node for any application: cleartext TCP, where
 * the client's first frame tells SPDY/2 from SPDY/3, or TLS, where ALPN picks
 * the version. The acceptor itself (`acceptor.ts`) is shared with `serve()`.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import type { ProtocolVersion } from '../base/constants.js';
import type { SpdyConfig } from '../base/config.js';
import type { SpdySession, SpdySessionOptions } from '../streams/spdy-session.js';
import { listenAcceptor, type Acceptor } from './acceptor.js';

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

/** A listening SPDY server: `close()` stops listening and closes every session (GOAWAY, then their streams finish). */
export type SessionServer = Acceptor;

/**
 * Listens for SPDY connections and calls `onSession` with each new server
 * session. Sessions end on their own when the client goes away; `close()`
 * ends them all.
 */
export function listenSessions(
  options: ListenSessionsOptions,
  onSession: (session: SpdySession, socket: net.Socket) => void,
): SessionServer {
  return listenAcceptor({ ...options, upgrade: false }, (session, socket) => onSession(session, socket));
}
