/**
 * Opening a connection for a SPDY client in Node: TCP (cleartext SPDY),
 * TLS with ALPN choosing the version, or either with an HTTP/1.1 Upgrade.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { PROTO_SPDY3_1, type ProtocolVersion } from '../base/constants.js';
import { getNpnProtocols, npnGetVersion, npnToken } from '../codec/npn.js';
import { checkVersion } from '../codec/version.js';
import { InvalidArgumentError, UnsupportedVersionError } from '../base/errors.js';
import type { Transport } from '../streams/transport.js';
import { requestUpgrade } from '../handshake/upgrade.js';
import { socketToWeb } from './socket-stream.js';
import { socketReads, type WithOnread } from './socket-reads.js';

/** How to reach a server. */
export interface DialOptions {
  /** Cleartext SPDY on TCP; default: true for `http:` URLs, false for `https:`. */
  plain?: boolean;
  /**
   * The version to speak. Cleartext: default PROTO_SPDY3_1 (both ends must
   * agree). TLS: the only token offered in ALPN; default all three.
   */
  version?: ProtocolVersion;
  /** Trusted certificates (PEM) for TLS, e.g. a self-signed server's. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate and key, for servers that ask for one. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Default true. */
  rejectUnauthorized?: boolean;
  /** TLS server name; default the URL's host name (none for IP addresses). */
  servername?: string;
  /**
   * Reach SPDY through an HTTP/1.1 `Upgrade` request (Kubernetes' way) on
   * the plain or TLS connection; `true` asks at `/`.
   */
  upgrade?: boolean | { path?: string; method?: string; headers?: ReadonlyArray<readonly [string, string]> };
  /** More options for `tls.connect`. */
  tls?: ConnectionOptions;
  /** Gives up connecting (the socket is destroyed and `dial` rejects with the reason). */
  signal?: AbortSignal;
}

/** A connection ready for a SPDY client session. */
export interface Dialed {
  readonly transport: Transport;
  readonly version: ProtocolVersion;
  /**
   * The socket under `transport`, for its addresses and options. Its bytes
   * reach `transport` through `onread` (see `socketReads`), so it emits no
   * 'data' events of its own.
   */
  readonly socket: Socket;
  /** The ALPN token the server chose (TLS), else null. */
  readonly alpnProtocol: string | null;
}

/** The default port of a URL's scheme. */
function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function waitFor(socket: Socket, event: 'connect' | 'secureConnect', signal?: AbortSignal): Promise<void> {
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

/** Opens a connection to `url`'s origin, ready for SPDY. */
export async function dial(url: URL, options: DialOptions = {}): Promise<Dialed> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`unsupported URL scheme ${url.protocol} (use http: or https:)`);
  }
  const plain = options.plain ?? url.protocol === 'http:';
  const host = hostOf(url);
  const port = portOf(url);
  const upgrade = options.upgrade === true ? {} : options.upgrade || null;
  let socket: Socket;
  let version: ProtocolVersion;
  let alpnProtocol: string | null = null;
  const reads = socketReads();
  if (plain) {
    version = checkVersion(options.version ?? PROTO_SPDY3_1);
    socket = netConnect({ host, port, onread: reads.onread });
    await waitFor(socket, 'connect', options.signal);
  } else {
    const tlsOptions: ConnectionOptions & WithOnread = {
      ...options.tls,
      host,
      port,
      servername: options.servername ?? options.tls?.servername ?? (isIP(host) ? undefined : host),
      ALPNProtocols: upgrade ? ['http/1.1'] : options.version ? [npnToken(checkVersion(options.version))] : getNpnProtocols(),
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      ...(options.cert !== undefined ? { cert: options.cert } : {}),
      ...(options.key !== undefined ? { key: options.key } : {}),
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      onread: reads.onread,
    };
    const tlsSocket: TLSSocket = tlsConnect(tlsOptions);
    socket = tlsSocket;
    await waitFor(tlsSocket, 'secureConnect', options.signal);
    alpnProtocol = tlsSocket.alpnProtocol || null;
    if (upgrade) {
      version = options.version ?? PROTO_SPDY3_1;
    } else {
      const negotiated = npnGetVersion(alpnProtocol);
      if (negotiated === 0) {
        tlsSocket.destroy();
        throw new UnsupportedVersionError(`${url.host} did not negotiate SPDY with ALPN (got ${alpnProtocol || 'nothing'})`);
      }
      version = negotiated;
    }
  }
  socket.setNoDelay(true);
  let transport = socketToWeb(socket, { reads });
  if (upgrade) {
    try {
      const result = await requestUpgrade(transport, {
        host: url.host,
        path: upgrade.path ?? '/',
        method: upgrade.method ?? 'GET',
        version,
        headers: upgrade.headers ?? [],
      });
      transport = result.transport;
      version = result.version;
    } catch (err) {
      socket.destroy();
      throw err;
    }
  }
  return { transport, version, socket, alpnProtocol };
}
