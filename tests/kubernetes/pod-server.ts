/**
 * A pretend API server for the server-side tests: a Node HTTP server whose
 * upgrades go to `kubeUpgradeHandler`, with handlers that run commands on
 * this machine (as the kubelet stand-in in tests/peers does), a built-in
 * terminal program for the tty tests, and port-forward to loopback ports.
 * Plain GETs get the little of the API kubectl reads before it upgrades:
 * version, discovery, and the pod (Running).
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { Readable, Writable } from 'node:stream';
import type { KubeExecContext, KubeExecResult } from '../../src/kubernetes/server-exec.js';
import type { KubeForwardedConnection } from '../../src/kubernetes/server-port-forward.js';
import type { KubeServerRequest } from '../../src/kubernetes/server-request.js';
import { kubeUpgradeHandler, type KubeUpgradeHandlerOptions } from '../../src/node/kubernetes/server.js';
import { socketToWeb } from '../../src/node/socket-stream.js';

/** What the server saw, for the tests to check. */
export interface PodServerLog {
  readonly gets: string[];
  readonly upgrades: KubeServerRequest[];
  /** Every upgrade request as it came, before the handler read it: its path and `Upgrade` header. */
  readonly asked: Array<{ path: string; upgrade: string }>;
  readonly resizes: Array<{ width: number; height: number }>;
  readonly forwarded: number[];
}

/** A running pretend API server. */
export interface PodServer {
  readonly port: number;
  readonly url: string;
  readonly log: PodServerLog;
  close(): Promise<void>;
}

const encoder = new TextEncoder();

/**
 * The built-in terminal program (`command: ['tty-echo', CODE]`): echoes its
 * input, writes `size WxH` for each resize, and exits with CODE at `q`.
 */
async function ttyEcho(ctx: KubeExecContext, log: PodServerLog): Promise<number> {
  const out = ctx.stdout!.getWriter();
  const code = Number(ctx.request.command[1] ?? 0);
  const sizes = (async () => {
    if (!ctx.resize) return;
    for await (const size of ctx.resize) {
      log.resizes.push(size);
      await out.write(encoder.encode(`size ${size.width}x${size.height}\r\n`)).catch(() => undefined);
    }
  })();
  sizes.catch(() => undefined);
  const reader = ctx.stdin!.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      const quit = text.indexOf('q');
      await out.write(encoder.encode(`echo:${quit < 0 ? text : text.slice(0, quit)}`));
      if (quit >= 0) break;
    }
  } finally {
    reader.releaseLock();
  }
  await out.write(encoder.encode('bye\r\n'));
  await out.close();
  return code;
}

/** Runs the request's command on this machine with its channels as the process's. */
async function runCommand(ctx: KubeExecContext): Promise<KubeExecResult> {
  const [program, ...args] = ctx.request.command;
  const child = spawn(program!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  await spawned;
  const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  child.stdin.on('error', () => undefined);
  if (ctx.stdin) ctx.stdin.pipeTo(Writable.toWeb(child.stdin)).catch(() => undefined);
  else child.stdin.end();
  const copies: Array<Promise<void>> = [];
  if (ctx.stdout) copies.push((Readable.toWeb(child.stdout) as ReadableStream<Uint8Array>).pipeTo(ctx.stdout));
  else child.stdout.resume();
  if (ctx.stderr) copies.push((Readable.toWeb(child.stderr) as ReadableStream<Uint8Array>).pipeTo(ctx.stderr));
  else child.stderr.resume();
  const code = await exited;
  await Promise.allSettled(copies);
  return { exitCode: code };
}

/** Port-forward to 127.0.0.1:port, as the kubelet forwards into the pod's network namespace. */
async function forward(conn: KubeForwardedConnection, log: PodServerLog): Promise<void> {
  log.forwarded.push(conn.port);
  const socket: Socket = connect({ host: '127.0.0.1', port: conn.port, allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.setNoDelay(true);
  const local = socketToWeb(socket);
  await Promise.all([conn.readable.pipeTo(local.writable), local.readable.pipeTo(conn.writable)]).catch(() => {
    socket.destroy();
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The GETs kubectl makes before exec, attach and port-forward. */
function answerGet(req: IncomingMessage, res: ServerResponse, log: PodServerLog): void {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  log.gets.push(path);
  if (path === '/version') return json(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' });
  if (path === '/api') return json(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
  if (path === '/apis') return json(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
  if (path === '/api/v1') {
    return json(res, 200, {
      kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1',
      resources: [
        { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'], shortNames: ['po'] },
        { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
        { name: 'pods/attach', singularName: '', namespaced: true, kind: 'PodAttachOptions', verbs: ['create', 'get'] },
        { name: 'pods/portforward', singularName: '', namespaced: true, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      ],
    });
  }
  const pod = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(path);
  if (pod) {
    return json(res, 200, {
      kind: 'Pod', apiVersion: 'v1',
      metadata: { name: pod[2], namespace: pod[1], uid: '00000000-0000-0000-0000-000000000001' },
      spec: { containers: [{ name: 'main', image: 'none' }] },
      status: { phase: 'Running', containerStatuses: [{ name: 'main', ready: true, state: { running: {} } }] },
    });
  }
  json(res, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' });
}

/** Starts the pretend API server on a free loopback port. */
export async function startPodServer(options: Partial<KubeUpgradeHandlerOptions> = {}): Promise<PodServer> {
  const log: PodServerLog = { gets: [], upgrades: [], asked: [], resizes: [], forwarded: [] };
  const server = createServer((req, res) => answerGet(req, res, log));
  const sockets = new Set<import('node:stream').Duplex>();
  const handler = kubeUpgradeHandler({
    exec: (ctx) => (ctx.request.command[0] === 'tty-echo' ? ttyEcho(ctx, log) : runCommand(ctx)),
    attach: (ctx) => ttyEcho(ctx, log),
    portForward: (conn) => forward(conn, log),
    authorize: (_req, request) => {
      log.upgrades.push(request);
    },
    ...options,
  });
  server.on('upgrade', (req, socket, head) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    log.asked.push({ path: new URL(req.url ?? '/', 'http://localhost').pathname, upgrade: String(req.headers.upgrade ?? '').toLowerCase() });
    handler(req, socket, head);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    log,
    async close() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
