/**
 * The server's half of port-forward over WebSocket in Node: completing the
 * WebSocket handshake of a request an HTTP server handed to its `'upgrade'`
 * listener, with the `ws` package (an optional peer dependency, loaded on
 * first use). `ws` refuses a subprotocol with a `/` in it (not an HTTP
 * token), and kubectl offers `SPDY/3.1+portforward.k8s.io`: so the offer is
 * taken out of the request before `ws` reads it, and the choice is written
 * into the 101 by hand, as Go's server (the API server's) sends it.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket as WsWebSocket, WebSocketServer as WsServer } from 'ws';
import type { WebSocketLike } from '../../kubernetes/websocket-transport.js';

type WsServerConstructor = new (options: ConstructorParameters<typeof WsServer>[0]) => WsServer;

let wsServerClass: Promise<WsServerConstructor | null> | null = null;

/** `ws`'s server class, or null when the package is not installed. */
function loadWsServer(): Promise<WsServerConstructor | null> {
  wsServerClass ??= import('ws').then(
    (mod) => (mod as { WebSocketServer?: WsServerConstructor }).WebSocketServer
      ?? (mod as unknown as { default?: { WebSocketServer?: WsServerConstructor } }).default?.WebSocketServer
      ?? null,
    () => null,
  );
  return wsServerClass;
}

/** The subprotocol each request in the middle of its handshake gets, for the `'headers'` event. */
const chosen = new WeakMap<IncomingMessage, string>();
let server: Promise<WsServer | null> | null = null;

/** One `ws` server for every handler: it holds no sockets (`noServer`, no client tracking). */
function wsServer(): Promise<WsServer | null> {
  server ??= loadWsServer().then((WebSocketServer) => {
    if (!WebSocketServer) return null;
    const wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      // SPDY compresses its own headers; DATA is the application's.
      perMessageDeflate: false,
      // A message is one write of the client's: a SPDY frame (16 MiB at most) or a
      // channel's chunk; more than this is no client of these protocols.
      maxPayload: 64 * 1024 * 1024,
    });
    wss.on('headers', (headers, req) => {
      const protocol = chosen.get(req);
      if (protocol !== undefined) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
    });
    return wss;
  });
  return server;
}

/** Whether a WebSocket can be accepted here: true when `ws` is installed. */
export async function canAcceptWebSocket(): Promise<boolean> {
  return (await wsServer()) !== null;
}

/**
 * Completes the WebSocket handshake of `req` on `socket`, naming
 * `subprotocol` in the 101. Resolves with the open socket; with null when
 * `ws` is not installed (nothing is written then, the caller answers), or
 * when the handshake was not a valid one (`ws` has answered 400 and closed
 * the socket).
 */
export async function acceptWebSocket(
  req: IncomingMessage, socket: Duplex, head: Uint8Array, subprotocol: string,
): Promise<WebSocketLike | null> {
  const wss = await wsServer();
  if (!wss) return null;
  delete req.headers['sec-websocket-protocol'];
  chosen.set(req, subprotocol);
  const buffer = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  return new Promise((resolve) => {
    let settled = false;
    const gone = (): void => {
      if (settled) return;
      settled = true;
      resolve(null);
    };
    socket.once('close', gone);
    wss.handleUpgrade(req, socket, buffer, (ws: WsWebSocket) => {
      socket.off('close', gone);
      chosen.delete(req);
      if (settled) return;
      settled = true;
      // Errors reach the transport through `onerror`; this keeps `ws` from throwing them.
      ws.on('error', () => undefined);
      resolve(ws as unknown as WebSocketLike);
    });
  });
}
