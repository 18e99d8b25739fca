/**
 * Node's WebSocket for port-forward's `transport: 'websocket'`: the `ws`
 * package, which (unlike a browser's WebSocket, or Node's own from 22 on)
 * sends the token as an `Authorization` header, takes the target's CA,
 * client certificate and key, and shows the HTTP status and body of a
 * refused handshake. `ws` is an optional peer dependency, loaded on first
 * use; without it, the runtime's WebSocket serves targets that need no TLS
 * settings of their own.
 */
import type { IncomingMessage } from 'node:http';
import type { ClientOptions, WebSocket as WsWebSocket } from 'ws';
import { InvalidArgumentError } from '../../base/errors.js';
import { KubeError } from '../../kubernetes/errors.js';
import { globalWebSocketFactory } from '../../kubernetes/port-forward-websocket.js';
import { authHeaders, type KubeTarget, type KubeWebSocketFactory } from '../../kubernetes/target.js';
import { refusal } from '../../kubernetes/upgrade.js';
import type { WebSocketLike } from '../../kubernetes/websocket-transport.js';

/** Bytes of a refusal's body kept for the error. */
const MAX_BODY = 65536;

type WsConstructor = new (url: string, protocols: string[], options: ClientOptions) => WsWebSocket;

let wsClass: Promise<WsConstructor | null> | null = null;

/** `ws`'s WebSocket class, or null when the package is not installed. */
function loadWs(): Promise<WsConstructor | null> {
  wsClass ??= import('ws').then(
    (mod) => ((mod as { WebSocket?: WsConstructor }).WebSocket ?? (mod as unknown as { default: WsConstructor }).default),
    () => null,
  );
  return wsClass;
}

const pemOf = (v: string | Uint8Array | undefined): string | Buffer | undefined =>
  v === undefined ? undefined : typeof v === 'string' ? v : Buffer.from(v);

/** A refused handshake's response: its head and up to `MAX_BODY` bytes of body, as a `KubeError`. */
function refusalOf(res: IncomingMessage): Promise<KubeError> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      const headers: Array<[string, string]> = [];
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.push([res.rawHeaders[i]!.toLowerCase(), res.rawHeaders[i + 1]!]);
      const head = { status: res.statusCode ?? 0, reason: res.statusMessage ?? '', headers };
      resolve(refusal(head, new Uint8Array(Buffer.concat(chunks))));
    };
    res.on('data', (chunk: Buffer) => {
      if (size >= MAX_BODY) return;
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_BODY) {
        res.destroy();
        done();
      }
    });
    res.once('end', done);
    res.once('error', done);
  });
}

/**
 * Opens the WebSocket with `ws`: credentials as headers, the target's TLS
 * settings. `SPDY/3.1+portforward.k8s.io` is not a valid subprotocol to
 * `ws` (a `/` may not appear in an HTTP token, RFC 6455 section 4.1), and
 * Go's WebSocket servers and clients do not check: so the offer is sent as
 * a plain header, and the server's choice is read, and taken out of the
 * answer, before `ws` looks for a subprotocol it did not offer.
 */
function openWithWs(WebSocketClass: WsConstructor, url: URL, protocols: readonly string[], target: KubeTarget): ReturnType<KubeWebSocketFactory> {
  const ca = pemOf(target.ca);
  const cert = pemOf(target.cert);
  const key = pemOf(target.key);
  const socket = new WebSocketClass(url.href, [], {
    headers: { ...Object.fromEntries(authHeaders(target)), 'Sec-WebSocket-Protocol': protocols.join(', ') },
    // SPDY compresses its own headers; its DATA is the application's.
    perMessageDeflate: false,
    followRedirects: false,
    rejectUnauthorized: target.rejectUnauthorized ?? true,
    ...(target.servername !== undefined ? { servername: target.servername } : {}),
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
  });
  let chosen = '';
  Object.defineProperty(socket, 'protocol', { get: () => chosen, configurable: true });
  let refuse!: (err: KubeError) => void;
  const refused = new Promise<never>((_, reject) => {
    refuse = reject;
  });
  refused.catch(() => undefined);
  socket.on('unexpected-response', (_req, res) => {
    void refusalOf(res).then((err) => {
      // Rejected before the socket is torn down, so the refusal is what the caller sees.
      refuse(err);
      socket.terminate();
    });
  });
  socket.on('upgrade', (res) => {
    const header = res.headers['sec-websocket-protocol'];
    delete res.headers['sec-websocket-protocol'];
    chosen = typeof header === 'string' ? header.trim() : '';
    if (!protocols.includes(chosen)) {
      refuse(new KubeError(
        `the server chose the WebSocket subprotocol ${JSON.stringify(chosen)}, not one of ${protocols.join(', ')}: it does not tunnel port-forward over WebSocket`,
        { status: 101 },
      ));
      // Closed from this listener, `ws` goes no further with the handshake.
      socket.terminate();
    }
  });
  // Errors reach the transport through `onerror`; this listener keeps `ws` from throwing them.
  socket.on('error', () => undefined);
  return { socket: socket as unknown as WebSocketLike, refused };
}

/**
 * Node's `KubeWebSocketFactory`: the `ws` package when it is installed,
 * otherwise the runtime's WebSocket (Node 22 and up) for targets without a
 * CA, client certificate or `rejectUnauthorized: false`, which it could not
 * apply.
 */
export const nodeWebSocketFactory: KubeWebSocketFactory = async (url, protocols, target) => {
  const WebSocketClass = await loadWs();
  if (WebSocketClass) return openWithWs(WebSocketClass, url, protocols, target);
  const needsTls = target.ca !== undefined || target.cert !== undefined || target.key !== undefined || target.rejectUnauthorized === false;
  if (needsTls || typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'function') {
    throw new InvalidArgumentError('port-forward over WebSocket in Node needs the ws package (npm install ws)');
  }
  return globalWebSocketFactory(url, protocols, target);
};
