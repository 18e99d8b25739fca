/**
 * What the API server does for kubectl 1.31's port-forward, in small: it
 * accepts a WebSocket with subprotocol `SPDY/3.1+portforward.k8s.io`, makes
 * the SPDY/3.1 Upgrade to the kubelet stand-in (tests/peers/kubelet) over
 * TCP with the client's credentials, then relays bytes both ways, each
 * WebSocket binary message to TCP and TCP data as binary messages. A token
 * may come as the `Authorization` header or, from a browser, as the
 * `base64url.bearer.authorization.k8s.io.` subprotocol. A refused Upgrade is
 * passed back as the refusal of the WebSocket handshake. It also serves
 * files over HTTP, so a browser page can load the library from the same
 * origin.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { startEchoPort, type EchoPort } from './echo-port.js';
import { buildKubeletPeer, Peer } from './peers.js';

const TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
const BEARER_PREFIX = 'base64url.bearer.authorization.k8s.io.';
/** Bytes sent to a WebSocket and not yet written out before the TCP side is paused. */
const RELAY_HIGH_WATER = 1024 * 1024;

/** One WebSocket handshake the bridge saw. */
export interface BridgeRequest {
  readonly method: string;
  readonly path: string;
  /** Subprotocols offered, in order. */
  readonly protocols: readonly string[];
  /** The `Authorization` header the client sent, if any. */
  readonly authorization: string | undefined;
  /** The token decoded from the bearer subprotocol, if one was offered. */
  readonly subprotocolToken: string | undefined;
}

/** How the bridge answers. */
export interface BridgeOptions {
  /** The kubelet stand-in's port on 127.0.0.1. */
  readonly kubeletPort: number;
  /** False: accept the WebSocket without choosing a subprotocol. Default true. */
  readonly chooseProtocol?: boolean;
  /** The names the tunnel is accepted under, first offered first chosen. Default the API server's only. */
  readonly tunnelProtocols?: readonly string[];
  /** Files served over plain HTTP: path to body and content type. */
  readonly files?: (path: string) => { body: string | Uint8Array; type: string } | null;
}

/** A running bridge. */
export interface Bridge {
  readonly port: number;
  readonly requests: BridgeRequest[];
  /** Bytes relayed from WebSocket to TCP and back, over every connection. */
  readonly relayed: { toKubelet: number; toClient: number };
  close(): Promise<void>;
}

function offeredProtocols(req: IncomingMessage): string[] {
  return (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
}

/** Reads the kubelet's answer head; resolves with it and the bytes after it. */
function readHead(tcp: Socket): Promise<{ head: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      buffered = Buffer.concat([buffered, d]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      tcp.off('data', onData);
      tcp.off('error', reject);
      tcp.pause();
      resolve({ head: buffered.subarray(0, end).toString('latin1'), rest: buffered.subarray(end + 4) });
    };
    tcp.on('data', onData);
    tcp.once('error', reject);
    tcp.once('end', () => reject(new Error('the kubelet closed before answering')));
  });
}

/** Reads the rest of a refusal's body as far as Content-Length says (the stand-in always sends one or closes). */
function readBody(tcp: Socket, head: string, first: Buffer): Promise<Buffer> {
  const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? NaN);
  return new Promise((resolve) => {
    let body = first;
    const done = (): void => resolve(Number.isFinite(length) ? body.subarray(0, length) : body);
    if (Number.isFinite(length) && body.length >= length) return done();
    tcp.on('data', (d: Buffer) => {
      body = Buffer.concat([body, d]);
      if (Number.isFinite(length) && body.length >= length) done();
    });
    tcp.once('end', done);
    tcp.once('error', done);
    tcp.resume();
  });
}

/** Relays between an open WebSocket and the upgraded TCP connection, with backpressure both ways. */
function relay(ws: WebSocket, tcp: Socket, first: Buffer, relayed: Bridge['relayed']): void {
  let unsent = 0;
  const toClient = (d: Buffer): void => {
    relayed.toClient += d.length;
    unsent += d.length;
    ws.send(d, { binary: true }, () => {
      unsent -= d.length;
      if (unsent <= RELAY_HIGH_WATER && tcp.isPaused()) tcp.resume();
    });
    if (unsent > RELAY_HIGH_WATER) tcp.pause();
  };
  if (first.length > 0) toClient(first);
  tcp.on('data', toClient);
  tcp.resume();
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      ws.close(1003, 'binary messages only');
      tcp.destroy();
      return;
    }
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    relayed.toKubelet += bytes.length;
    if (!tcp.write(bytes)) {
      ws.pause();
      tcp.once('drain', () => ws.resume());
    }
  });
  tcp.on('end', () => ws.close(1000));
  tcp.on('error', () => ws.terminate());
  ws.on('close', () => tcp.end());
  ws.on('error', () => tcp.destroy());
}

/** Starts a bridge on 127.0.0.1 in front of the kubelet stand-in. */
export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const requests: BridgeRequest[] = [];
  const relayed = { toKubelet: 0, toClient: 0 };
  const sockets = new Set<Socket>();
  // `ws` refuses a subprotocol with a `/` (not an HTTP token), which Go's
  // WebSocket server (the API server's) takes: the bridge reads the offer
  // itself and names its choice in the 101 (the 'headers' event).
  const chosen = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  wss.on('headers', (headers, req) => {
    const protocol = chosen.get(req);
    if (protocol !== undefined) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
  });
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const file = options.files?.(new URL(req.url ?? '/', 'http://x').pathname) ?? null;
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    client.on('error', () => undefined);
    const protocols = offeredProtocols(req);
    const bearer = protocols.find((p) => p.startsWith(BEARER_PREFIX));
    const subprotocolToken = bearer === undefined ? undefined : Buffer.from(bearer.slice(BEARER_PREFIX.length), 'base64url').toString('utf8');
    const authorization = req.headers.authorization;
    requests.push({ method: req.method ?? '', path: req.url ?? '', protocols, authorization, subprotocolToken });
    // The API server takes either form of the token; the kubelet wants the header.
    const credentials = authorization ?? (subprotocolToken !== undefined ? `Bearer ${subprotocolToken}` : undefined);
    const tcp = connect({ host: '127.0.0.1', port: options.kubeletPort });
    sockets.add(tcp);
    tcp.once('close', () => sockets.delete(tcp));
    tcp.on('error', () => client.destroy());
    tcp.once('connect', async () => {
      tcp.setNoDelay(true);
      tcp.write([
        `POST ${req.url} HTTP/1.1`,
        `Host: 127.0.0.1:${options.kubeletPort}`,
        'Connection: Upgrade',
        'Upgrade: SPDY/3.1',
        'X-Stream-Protocol-Version: portforward.k8s.io',
        ...(credentials !== undefined ? [`Authorization: ${credentials}`] : []),
        'Content-Length: 0',
        '', '',
      ].join('\r\n'));
      let answer: { head: string; rest: Buffer };
      try {
        answer = await readHead(tcp);
      } catch {
        client.destroy();
        return;
      }
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer.head)?.[1] ?? 0);
      if (status !== 101) {
        // The kubelet's refusal, as the refusal of the WebSocket handshake.
        const body = await readBody(tcp, answer.head, answer.rest);
        const type = /\r\ncontent-type:\s*([^\r\n]*)/i.exec(answer.head)?.[1] ?? 'text/plain';
        const statusLine = answer.head.split('\r\n')[0];
        client.end(Buffer.concat([
          Buffer.from(`${statusLine}\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`, 'latin1'),
          body,
        ]));
        tcp.destroy();
        return;
      }
      const tunnel = protocols.find((p) => (options.tunnelProtocols ?? [TUNNEL_PROTOCOL]).includes(p));
      if (options.chooseProtocol !== false && tunnel !== undefined) chosen.set(req, tunnel);
      delete req.headers['sec-websocket-protocol'];
      wss.handleUpgrade(req, client, head, (ws) => relay(ws, tcp, answer.rest, relayed));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    relayed,
    async close(): Promise<void> {
      for (const ws of wss.clients) ws.terminate();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The kubelet stand-in behind two bridges (one that names no subprotocol), and an echo "pod port". */
export interface BridgeRig {
  readonly peer: Peer;
  readonly bridge: Bridge;
  readonly silentBridge: Bridge;
  readonly echo: EchoPort;
  close(): Promise<void>;
}

/**
 * Starts the kubelet stand-in accepting `token`, a bridge to it with
 * `options`, a silent one (accepting the WebSocket but choosing no
 * subprotocol) with `silentOptions`, and an echo server.
 */
export async function startBridgeRig(
  token: string,
  options: Omit<BridgeOptions, 'kubeletPort'> = {},
  silentOptions: Omit<BridgeOptions, 'kubeletPort' | 'chooseProtocol'> = {},
): Promise<BridgeRig> {
  const peer = Peer.start(buildKubeletPeer(), [token]);
  const kubeletPort = Number((await peer.line(/^listening (\d+)$/))[1]);
  const bridge = await startBridge({ ...options, kubeletPort });
  const silentBridge = await startBridge({ ...silentOptions, kubeletPort, chooseProtocol: false });
  const echo = await startEchoPort();
  return {
    peer, bridge, silentBridge, echo,
    async close() {
      await bridge.close();
      await silentBridge.close();
      await peer.stop();
      await echo.close();
    },
  };
}
