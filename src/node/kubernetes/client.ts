/**
 * The Kubernetes client in Node: the runtime-neutral calls with Node's
 * dialler filled in, kubeconfig files read from disk, and port-forward's
 * `listen()` (a local TCP listener, each accepted connection forwarded).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, isAbsolute, resolve } from 'node:path';
import { kubeAttach as attachOn, kubeExec as execOn, type KubeAttachOptions, type KubeExecOptions, type KubeExecution } from '../../kubernetes/exec.js';
import { parseKubeConfig, type KubeConfigOptions, type KubeConfigTarget } from '../../kubernetes/kubeconfig.js';
import { kubePortForward as portForwardOn } from '../../kubernetes/port-forward-entry.js';
import type { KubePortForward, KubePortForwardOptions } from '../../kubernetes/port-forward.js';
import type { KubeTarget } from '../../kubernetes/target.js';
import { socketToWeb } from '../socket-stream.js';
import { dialKube } from './dial.js';
import { nodeWebSocketFactory } from './websocket.js';

/** The target with Node's dialler and WebSocket factory where it brings none of its own. */
const withDialer = (target: KubeTarget): KubeTarget => ({
  ...target,
  dial: target.dial ?? dialKube,
  webSocket: target.webSocket ?? nodeWebSocketFactory,
});

/** `kubeExec` with Node's dialler unless the target brings its own. */
export function kubeExec(target: KubeTarget, options: KubeExecOptions): Promise<KubeExecution> {
  return execOn(withDialer(target), options);
}

/** `kubeAttach` with Node's dialler unless the target brings its own. */
export function kubeAttach(target: KubeTarget, options: KubeAttachOptions = {}): Promise<KubeExecution> {
  return attachOn(withDialer(target), options);
}

/** Options of `listen()`. */
export interface KubeListenOptions {
  /** The pod's port each local connection goes to. */
  readonly remotePort: number;
  /** Local port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly hostname?: string;
}

/** A local listener forwarding to the pod. */
export interface KubeListener {
  /** The local port. */
  readonly port: number;
  /** Stops accepting and ends the connections still forwarded. */
  close(): Promise<void>;
  /** Errors the server reported on the forwarded connections' error streams. */
  onError?: (message: string) => void;
}

/** A port-forward session with Node's local listener. */
export interface NodeKubePortForward extends KubePortForward {
  /** Forwards every connection accepted on a local port to `remotePort` on the pod (as `kubectl port-forward`). */
  listen(options: KubeListenOptions): Promise<KubeListener>;
}

async function forwardSocket(pf: KubePortForward, socket: Socket, remotePort: number, listener: KubeListener): Promise<void> {
  socket.on('error', () => undefined);
  let conn;
  try {
    conn = await pf.open(remotePort);
  } catch {
    socket.destroy();
    return;
  }
  conn.error.then((message) => {
    if (message !== null) listener.onError?.(message);
  }, () => undefined);
  // The library's own socket bridge: half-closes each way as the peer's FIN comes.
  const local = socketToWeb(socket);
  local.readable.pipeTo(conn.writable).catch(() => {
    conn.reset();
    socket.destroy();
  });
  conn.readable.pipeTo(local.writable).catch(() => {
    conn.reset();
    socket.destroy();
  });
}

/**
 * `kubePortForward` with Node's dialler, plus `listen()`. With
 * `transport: 'websocket'` the WebSocket is the `ws` package's (see
 * `nodeWebSocketFactory`).
 */
export async function kubePortForward(target: KubeTarget, options: KubePortForwardOptions = {}): Promise<NodeKubePortForward> {
  const pf = await portForwardOn(withDialer(target), options);
  const servers = new Set<Server>();
  const sockets = new Set<Socket>();
  const closeListeners = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await Promise.all([...servers].map((srv) => new Promise<void>((r) => srv.close(() => r()))));
    servers.clear();
  };
  return {
    ...pf,
    async close(): Promise<void> {
      await closeListeners();
      await pf.close();
    },
    async listen(options: KubeListenOptions): Promise<KubeListener> {
      // Half-open: a local client that ends its side still gets the pod's answer.
      const server = createServer({ allowHalfOpen: true });
      servers.add(server);
      const listener: KubeListener = {
        port: 0,
        close: () => new Promise<void>((r) => {
          servers.delete(server);
          server.close(() => r());
        }),
      };
      server.on('connection', (socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        void forwardSocket(pf, socket, options.remotePort, listener);
      });
      await new Promise<void>((r, j) => {
        server.once('error', j);
        server.listen(options.port ?? 0, options.hostname ?? '127.0.0.1', () => r());
      });
      (listener as { port: number }).port = (server.address() as { port: number }).port;
      return listener;
    },
  };
}

/**
 * A kubeconfig's context as a target: `pathOrText` is a file path (paths
 * inside it are relative to its directory) or the file's text.
 */
export function loadKubeConfig(pathOrText: string, options: Omit<KubeConfigOptions, 'readFile'> = {}): KubeConfigTarget {
  const isPath = !pathOrText.includes('\n') && existsSync(pathOrText);
  const text = isPath ? readFileSync(pathOrText, 'utf8') : pathOrText;
  const base = isPath ? dirname(resolve(pathOrText)) : process.cwd();
  return parseKubeConfig(text, {
    ...options,
    readFile: (p) => readFileSync(isAbsolute(p) ? p : resolve(base, p), 'utf8'),
  });
}
