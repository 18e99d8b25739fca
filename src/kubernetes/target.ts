/**
 * Where a streaming request goes and how it proves who it is: the API
 * server (or `kubectl proxy`), the pod, the credentials, and the function
 * that opens the connection (Node's dialler, or the caller's own).
 */
import type { Transport } from '../streams/transport.js';
import { InvalidArgumentError } from '../base/errors.js';
import type { WebSocketLike } from './websocket-transport.js';

/** Opens a byte connection to the target's server (TLS already set up for `https:`). */
export type KubeDialer = (server: URL, target: KubeTarget) => Promise<Transport>;

/** A WebSocket being opened by a `KubeWebSocketFactory`. */
export interface KubeWebSocketOpening {
  /** The socket, open or still connecting. */
  readonly socket: WebSocketLike;
  /**
   * Rejects with a `KubeError` when the server refused the handshake and the
   * socket could say why (`ws` sees the HTTP status and body; a browser does
   * not); settles before the socket reports its failure, and never when
   * the handshake succeeds.
   */
  readonly refused?: Promise<never>;
}

/**
 * Opens a WebSocket to `url` offering `protocols`, with the target's
 * credentials: the runtime-neutral default uses the global `WebSocket` and
 * sends the token as a subprotocol; Node's uses the `ws` package with an
 * `Authorization` header and the target's TLS settings.
 */
export type KubeWebSocketFactory = (url: URL, protocols: readonly string[], target: KubeTarget) => KubeWebSocketOpening | Promise<KubeWebSocketOpening>;

/** The cluster and the pod (API.md section 8). */
export interface KubeTarget {
  /** API server URL, `https://host:6443` or `http://127.0.0.1:8001` (kubectl proxy). */
  readonly server: string;
  readonly namespace?: string;
  readonly pod: string;
  /** The pod's container; the server picks the default when absent. */
  readonly container?: string;
  /** Bearer token. */
  readonly token?: string;
  /** Trusted certificates (PEM) for the server's. */
  readonly ca?: string | Uint8Array;
  /** Client certificate and key (PEM). */
  readonly cert?: string | Uint8Array;
  readonly key?: string | Uint8Array;
  /** Default true; a kubeconfig's `insecure-skip-tls-verify: true` sets it false. */
  readonly rejectUnauthorized?: boolean;
  /** TLS server name (a kubeconfig's `tls-server-name`). */
  readonly servername?: string;
  /** Opens the connection; in Node the default dials TCP/TLS. Elsewhere it must be given. */
  readonly dial?: KubeDialer;
  /**
   * Opens the WebSocket of port-forward's `transport: 'websocket'`; the
   * default is the global `WebSocket` (Node's entry: the `ws` package).
   */
  readonly webSocket?: KubeWebSocketFactory;
  /** Gives up the request while it is being set up. */
  readonly signal?: AbortSignal;
}

/** The streaming sub-resource. */
export type KubeSubresource = 'exec' | 'attach' | 'portforward';

/** The request path with its query: `/api/v1/namespaces/NS/pods/POD/SUB?...`. */
export function subresourcePath(target: KubeTarget, sub: KubeSubresource, query: ReadonlyArray<readonly [string, string]>): string {
  if (!target.pod) throw new InvalidArgumentError('the target names no pod');
  const server = new URL(target.server);
  const base = server.pathname.replace(/\/+$/, '');
  const ns = encodeURIComponent(target.namespace ?? 'default');
  const params = new URLSearchParams(query.map(([k, v]) => [k, v]));
  if (target.container) params.append('container', target.container);
  const qs = params.toString();
  return `${base}/api/v1/namespaces/${ns}/pods/${encodeURIComponent(target.pod)}/${sub}${qs ? `?${qs}` : ''}`;
}

/** The credentials that travel as headers. */
export function authHeaders(target: KubeTarget): Array<[string, string]> {
  return target.token ? [['Authorization', `Bearer ${target.token}`]] : [];
}

/** The dialler to use, or an error saying one is needed. */
export function dialerOf(target: KubeTarget): KubeDialer {
  if (!target.dial) {
    throw new InvalidArgumentError('no way to open a connection here: pass target.dial (Node does this for you)');
  }
  return target.dial;
}
