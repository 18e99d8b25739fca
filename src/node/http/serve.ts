/**
 * `serve()`: an HTTP server over SPDY in Node, on TLS (ALPN picks the
 * version) or cleartext TCP (the client's first frame, or its HTTP/1.1
 * `Upgrade` request, picks it). Connections come from the shared acceptor
 * (`../acceptor.ts`); this adds HTTP.
 */
import { InvalidArgumentError } from '../../base/errors.js';
import type { Server } from 'node:net';
import type { TlsOptions } from 'node:tls';
import { PROTO_SPDY3_1, type ProtocolVersion } from '../../base/constants.js';
import { checkVersion } from '../../codec/version.js';
import type { SpdyConfig } from '../../base/config.js';
import { traceTransport, type TraceDirection } from '../../http/frame-trace.js';
import type { DecodedFrame } from '../../codec/frame-decoder.js';
import { serveSession, type RequestHandler } from '../../http/server.js';
import { listenAcceptor, type ConnectionInfo } from '../acceptor.js';

/** One client connection, as `onConnection` and `onFrame` see it. */
export type { ConnectionInfo } from '../acceptor.js';

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
  const served = new Set<Promise<void>>();
  const onFrame = options.onFrame;
  const acceptor = listenAcceptor(
    {
      port: options.port, host: options.hostname, plain, version: options.version === undefined ? undefined : version,
      config: options.config, upgrade: options.upgrade ?? true, cert: options.cert, key: options.key, tls: options.tls,
      wrap: (transport, info) => {
        options.onConnection?.(info);
        return onFrame
          ? traceTransport(transport, { version: info.version, config: options.config }, (d, f) => onFrame(d, f, info))
          : transport;
      },
    },
    (session, _socket, info) => {
      const task = serveSession(session, handler, {
        scheme: plain ? 'http' : 'https',
        version: info.version,
        remoteAddress: info.remoteAddress,
        onError: options.onError,
      });
      served.add(task);
      void task.finally(() => served.delete(task));
    },
  );
  return {
    ready: acceptor.ready,
    get port() {
      return acceptor.port;
    },
    server: acceptor.server,
    async close() {
      await acceptor.close();
      await Promise.allSettled([...served]);
    },
  };
}
