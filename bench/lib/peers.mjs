// Starting benchmark peers (bench/peer.mjs) as child processes and calling
// their commands over IPC.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PEER = fileURLToPath(new URL('../peer.mjs', import.meta.url));

/**
 * Forks `peer.mjs role stack` and resolves once it is up, with `call(cmd,
 * ...args)`, `stop()`, and for a server its `port`. `execArgv` adds Node
 * options (a profiler, say); `heapMb` has the peer hold that many MB of live
 * objects, as an application's own state would (see peer.mjs).
 */
export function startPeer(role, stack, { execArgv = [], heapMb = 0 } = {}) {
  const child = fork(PEER, [role, stack], {
    execArgv: ['--expose-gc', ...execArgv],
    env: { ...process.env, BENCH_HEAP_MB: String(heapMb) },
    stdio: 'inherit',
  });
  const waiting = new Map();
  let next = 1;
  child.on('message', ({ id, result, error }) => {
    const w = waiting.get(id);
    waiting.delete(id);
    if (error) w?.reject(new Error(`${stack} ${role}: ${error}`));
    else w?.resolve(result);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  exited.then((code) => {
    for (const w of waiting.values()) w.reject(new Error(`${stack} ${role} exited (${code})`));
  });
  const ready = new Promise((resolve, reject) => waiting.set(0, { resolve, reject }));
  const call = (cmd, ...args) => new Promise((resolve, reject) => {
    const id = next++;
    waiting.set(id, { resolve, reject });
    child.send({ id, cmd, args });
  });
  const stop = () => {
    if (child.connected) child.disconnect();
    return exited;
  };
  return ready.then((port) => ({ port, call, stop, pid: child.pid }));
}

/** A server and a client of one stack; `run(cmd, ...args)` calls the client with the server's port first. */
export async function startPair(stack, options) {
  const server = await startPeer('server', stack, options);
  const client = await startPeer('client', stack, options);
  return {
    stack,
    server,
    client,
    run: (cmd, ...args) => client.call(cmd, server.port, ...args),
    stop: () => Promise.all([client.stop(), server.stop()]),
  };
}
