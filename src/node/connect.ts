/**
 * Opening a SPDY session from Node: cleartext TCP, or TLS where ALPN picks
 * the version.
 */
import type tls from 'node:tls';
import type { ProtocolVersion } from '../base/constants.js';
import type { SpdyConfig } from '../base/config.js';
import { SpdySession, type SpdySessionOptions } from '../streams/spdy-session.js';
import { dial } from './dial.js';

/** Options of `connectSession`. */
export interface ConnectSessionOptions {
  /** Default 'localhost'. */
  host?: string;
  port: number;
  /** Cleartext SPDY over TCP (as `spdycat --no-tls`); default false: TLS with ALPN. */
  plain?: boolean;
  /**
   * Cleartext: the version spoken (default SPDY/3.1). TLS: the only version
   * offered in ALPN; by default all are offered and the server's choice decides.
   */
  version?: ProtocolVersion;
  config?: SpdyConfig;
  /** TLS: trusted CA certificates (PEM). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** TLS: verify the server's certificate (default true). */
  rejectUnauthorized?: boolean;
  /** TLS: SNI server name; default `host` when it is a name. */
  servername?: string;
  /** TLS: any other `tls.connect` options. */
  tls?: tls.ConnectionOptions;
  /** Options passed on to `SpdySession` (write buffering). */
  session?: Omit<SpdySessionOptions, 'side' | 'version' | 'config'>;
  signal?: AbortSignal;
}

/**
 * Connects and starts a client session. Over TLS the version is the one
 * the server chose by ALPN; a server that chose none fails the connection
 * with `UnsupportedVersionError`.
 */
export async function connectSession(options: ConnectSessionOptions): Promise<SpdySession> {
  const host = options.host ?? 'localhost';
  const url = new URL(`${options.plain ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${options.port}`);
  const dialed = await dial(url, {
    plain: options.plain ?? false,
    version: options.version,
    ca: options.ca,
    rejectUnauthorized: options.rejectUnauthorized,
    servername: options.servername,
    tls: options.tls,
    signal: options.signal,
  });
  return new SpdySession(dialed.transport, {
    ...options.session, side: 'client', version: dialed.version, ...(options.config && { config: options.config }),
  });
}
