/**
 * Port-forward with its SPDY/3.1 session carried in WebSocket binary
 * messages (subprotocol `SPDY/3.1+portforward.k8s.io`), as kubectl 1.31
 * and up speak it to the API server. The WebSocket is opened by the
 * target's `webSocket` factory: the global `WebSocket` by default, which
 * runs in a browser, though a browser will not offer the API server's
 * subprotocol name (see `KubePortForwardOptions.webSocketProtocol`).
 */
import { PROTO_SPDY3_1 } from '../base/constants.js';
import { InvalidArgumentError } from '../base/errors.js';
import { SpdySession } from '../streams/spdy-session.js';
import { KUBE_SESSION_CONFIG } from './connection.js';
import { KubeError } from './errors.js';
import { portForwardOn, type KubePortForward, type KubePortForwardOptions } from './port-forward.js';
import { subresourcePath, type KubeTarget, type KubeWebSocketFactory, type KubeWebSocketOpening } from './target.js';
import { bearerTokenProtocol, PORT_FORWARD_WEBSOCKET_PROTOCOL } from './websocket-protocols.js';
import { webSocketTransport, type WebSocketLike } from './websocket-transport.js';

/** The global `WebSocket` constructor, where the runtime has one. */
type WebSocketConstructor = new (url: string, protocols: string[]) => WebSocketLike;

/** The WebSocket URL of the target's `sub` resource: `ws:` for `http:`, `wss:` for `https:`. */
export function kubeWebSocketUrl(target: KubeTarget, sub: 'portforward', query: ReadonlyArray<readonly [string, string]> = []): URL {
  const server = new URL(target.server);
  if (server.protocol !== 'http:' && server.protocol !== 'https:') {
    throw new InvalidArgumentError(`unsupported API server scheme ${server.protocol}`);
  }
  const url = new URL(subresourcePath(target, sub, query), server);
  url.protocol = server.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}

/**
 * The runtime's own `WebSocket` (browsers, Deno, Bun, Node 22 and up). It
 * cannot send headers, so a token goes as a subprotocol; TLS is the
 * runtime's (the target's `ca`, `cert` and `key` are not used). It throws
 * `InvalidArgumentError` for a subprotocol the runtime refuses, which the
 * API server's `SPDY/3.1+portforward.k8s.io` is.
 */
export const globalWebSocketFactory: KubeWebSocketFactory = (url, protocols, target) => {
  const WebSocketClass = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof WebSocketClass !== 'function') {
    throw new InvalidArgumentError('this runtime has no WebSocket: pass target.webSocket (in Node, install the ws package)');
  }
  const offered = target.token ? [...protocols, bearerTokenProtocol(target.token)] : [...protocols];
  try {
    return { socket: new WebSocketClass(url.href, offered) };
  } catch (err) {
    // A SyntaxError: the standard WebSocket takes HTTP tokens only, and `/` is not one.
    throw new InvalidArgumentError(
      `this runtime's WebSocket refuses the subprotocols ${offered.map((p) => JSON.stringify(p)).join(', ')}, ` +
      `as it allows no '/' in one: use the ws package (Node), or a proxy that accepts the tunnel under another name (options.webSocketProtocol)`,
      { cause: err },
    );
  }
};

/** Waits for the socket to open, turning each way it can fail into a `KubeError`. */
async function whenOpen(opening: KubeWebSocketOpening, opened: Promise<void>, url: URL, signal?: AbortSignal): Promise<void> {
  const outcomes: Array<Promise<unknown>> = [opened];
  if (opening.refused) outcomes.push(opening.refused);
  let onAbort: (() => void) | undefined;
  if (signal) {
    outcomes.push(new Promise((_, reject) => {
      onAbort = () => reject(signal.reason);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }));
  }
  try {
    await Promise.race(outcomes);
  } catch (err) {
    if (err instanceof KubeError || (signal?.aborted && err === signal.reason)) throw err;
    // A browser tells nothing of a refused handshake: no status, no body.
    throw new KubeError(`the WebSocket to ${url.origin}${url.pathname} did not open (refused, or the server could not be reached)`, { cause: err });
  } finally {
    if (onAbort) signal!.removeEventListener('abort', onAbort);
  }
}

/**
 * Opens a port-forward session to the target's pod over a WebSocket with
 * subprotocol `SPDY/3.1+portforward.k8s.io` (or `options.webSocketProtocol`).
 * Rejects with `KubeError` when
 * the handshake fails (with the HTTP status where the socket can see it)
 * or the server chooses another subprotocol.
 */
export async function kubePortForwardWebSocket(target: KubeTarget, options: KubePortForwardOptions = {}): Promise<KubePortForward> {
  const url = kubeWebSocketUrl(target, 'portforward');
  const tunnel = options.webSocketProtocol ?? PORT_FORWARD_WEBSOCKET_PROTOCOL;
  const opening = await (target.webSocket ?? globalWebSocketFactory)(url, [tunnel], target);
  const { socket } = opening;
  const transport = webSocketTransport(socket, options.webSocket);
  try {
    await whenOpen(opening, transport.opened, url, target.signal);
    if (socket.protocol !== tunnel) {
      throw new KubeError(
        `the server chose the WebSocket subprotocol ${JSON.stringify(socket.protocol)}, not ${tunnel}: it does not tunnel port-forward over WebSocket`,
        { status: 101 },
      );
    }
  } catch (err) {
    transport.writable.abort(err).catch(() => undefined);
    transport.readable.cancel(err).catch(() => undefined);
    throw err;
  }
  const session = new SpdySession(transport, { side: 'client', version: PROTO_SPDY3_1, config: KUBE_SESSION_CONFIG });
  // The end of the connection is reported by the calls built on it.
  session.closed.catch(() => undefined);
  return portForwardOn({ session });
}
