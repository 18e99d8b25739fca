/**
 * Opening a SPDY session from Node: cleartext TCP, or TLS where ALPN picks
 * the version.
 */
import net from 'node:net';
import tls from 'node:tls';
import { getNpnProtocols, npnGetVersion, npnToken } from '../codec/npn.js';
import { PROTO_SPDY3_1, type ProtocolVersion } from '../codec/constants.js';
import { checkVersion } from '../codec/version.js';
import type { SpdyConfig } from '../config.js';
import { UnsupportedVersionError } from '../errors.js';
import { SpdySession, type SpdySessionOptions } from '../streams/spdy-session.js';
import { socketToWeb } from './socket-stream.js';

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

function waitFor(socket: net.Socket, event: 'connect' | 'secureConnect', signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      socket.destroy();
      reject(signal!.reason);
    };
    const cleanup = (): void => {
      socket.off(event, onEvent);
      socket.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    const onEvent = (): void => {
      cleanup();
      resolve();
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    if (signal?.aborted) return onAbort();
    socket.once(event, onEvent);
    socket.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Connects and starts a client session. Over TLS the version is the one
 * the server chose by ALPN; a server that chose none fails the connection
 * with `UnsupportedVersionError`.
 */
export async function connectSession(options: ConnectSessionOptions): Promise<SpdySession> {
  const host = options.host ?? 'localhost';
  let version: ProtocolVersion;
  let socket: net.Socket;
  if (options.plain) {
    version = checkVersion(options.version ?? PROTO_SPDY3_1);
    socket = net.connect({ host, port: options.port });
    await waitFor(socket, 'connect', options.signal);
  } else {
    const offered = options.version === undefined ? getNpnProtocols() : [npnToken(checkVersion(options.version))];
    const tlsSocket = tls.connect({
      ...options.tls,
      host,
      port: options.port,
      ALPNProtocols: offered,
      ...(options.ca !== undefined && { ca: options.ca }),
      ...(options.rejectUnauthorized !== undefined && { rejectUnauthorized: options.rejectUnauthorized }),
      servername: options.servername ?? options.tls?.servername ?? (net.isIP(host) ? undefined : host),
    });
    socket = tlsSocket;
    await waitFor(tlsSocket, 'secureConnect', options.signal);
    const chosen = npnGetVersion(tlsSocket.alpnProtocol || null);
    if (chosen === 0) {
      tlsSocket.destroy();
      throw new UnsupportedVersionError(`the server chose no SPDY version by ALPN (${String(tlsSocket.alpnProtocol)})`);
    }
    version = chosen;
  }
  socket.setNoDelay(true);
  return new SpdySession(socketToWeb(socket), {
    ...options.session, side: 'client', version, ...(options.config && { config: options.config }),
  });
}
