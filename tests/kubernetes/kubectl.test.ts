/**
 * The server side against the real `kubectl`. With SPDY forced (WebSockets
 * off): `exec -i` with stdin piped and the command's exit code as kubectl's
 * own, a large stdin (kubectl's spdystream does no flow control), `exec -it`
 * through a pseudo-terminal (util-linux `script`) with its size reaching the
 * handler, and `port-forward` moving 64 MiB each way. With kubectl's
 * defaults (WebSockets, from kubectl 1.31 on): `port-forward` moving the
 * same 64 MiB, `exec` in `v5.channel.k8s.io` with exit codes, 16 MiB of
 * stdin and a terminal, `attach`, and both falling back to SPDY when the server
 * turns WebSockets off. Skipped
 * with a printed line when kubectl is not installed (a failure under CI).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { available, type Toolchain } from '../interop/peers.js';
import { startPodServer, type PodServer } from './pod-server.js';

const onPath = (command: string): boolean =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));

const kubectl: Toolchain = {
  name: 'kubectl',
  packages: ['kubernetes-client'],
  missing: onPath('kubectl') ? null : 'no kubectl on PATH',
};

const script: Toolchain = {
  name: "util-linux's script (a pseudo-terminal for kubectl -it)",
  packages: ['bsdutils'],
  missing: onPath('script') ? null : 'no script on PATH',
};

/** kubectl's client version as major * 100 + minor (1.32 is 132); 0 when it cannot be read. */
function kubectlVersion(): number {
  if (kubectl.missing !== null) return 0;
  const r = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8', timeout: 30_000 });
  try {
    const v = (JSON.parse(r.stdout) as { clientVersion?: { major?: string; minor?: string } }).clientVersion;
    return parseInt(v?.major ?? '', 10) * 100 + parseInt(v?.minor ?? '', 10) || 0;
  } catch {
    return 0;
  }
}

/** kubectl 1.31 and up forward ports over WebSocket by default (and try exec over it from 1.30). */
const version = kubectlVersion();
const webSocketKubectl = version >= 131;

/**
 * Whether to check which way an exec or attach went: kubectl 1.31 and up go
 * over WebSocket by default; older ones are not checked (1.30 already may
 * for exec), with a line saying so.
 */
function checkingExecPath(what: string): boolean {
  if (!webSocketKubectl) console.log(`skipped the transport assertions of ${what}: kubectl ${version / 100 | 0}.${version % 100} (WebSockets by default from 1.31)`);
  return webSocketKubectl;
}

function kubeconfig(dir: string, url: string): string {
  const config = join(dir, `config-${new URL(url).port}`);
  writeFileSync(config, [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: test',
    '  cluster:',
    `    server: ${url}`,
    'users:',
    '- name: test',
    '  user:',
    '    token: test-token',
    'contexts:',
    '- name: test',
    '  context: {cluster: test, user: test, namespace: default}',
    'current-context: test',
    '',
  ].join('\n'));
  return config;
}

/** The environment kubectl runs in by default: neither WebSocket switch set. */
function defaultEnv(config: string, home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: config, HOME: home };
  delete env.KUBECTL_REMOTE_COMMAND_WEBSOCKETS;
  delete env.KUBECTL_PORT_FORWARD_WEBSOCKETS;
  return env;
}

interface Run {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

interface Ctx {
  srv: PodServer;
  dir: string;
  /** SPDY forced. */
  env: NodeJS.ProcessEnv;
  /** kubectl's defaults. */
  defaults: NodeJS.ProcessEnv;
}

/** A test that stalls fails instead of hanging the run. */
const DEADLINE_MS = 90_000;

function within<T>(promise: Promise<T>, what: string, onTimeout: () => void = () => undefined): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`${what} took more than ${DEADLINE_MS} ms`));
    }, DEADLINE_MS);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Runs a program with `input` written to its stdin (a function writes it over time). */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, input: Uint8Array | string | ((stdin: NodeJS.WritableStream) => Promise<void>) = ''): Promise<Run> {
  let child!: ReturnType<typeof spawn>;
  return within(new Promise((resolve, reject) => {
    child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => (err += d));
    child.stdin!.on('error', () => undefined);
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
    if (typeof input === 'function') void input(child.stdin!).catch(reject);
    else child.stdin!.end(input);
  }), `${command} ${args.join(' ')}`, () => child.kill('SIGKILL'));
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/**
 * Runs `kubectl port-forward` against `srv` and moves `size` random bytes
 * each way through one connection, checking both by sha256.
 */
async function forwardThrough(srv: PodServer, env: NodeJS.ProcessEnv, size: number): Promise<void> {
  const forwardedBefore = srv.log.forwarded.length;
  const fromPod = randomBytes(size);
  let podGot: Promise<string> = Promise.resolve('');
  // The pod's port: hashes what comes in while sending its own bytes, and
  // ends its side only after the client's: kubectl resets the data stream
  // as soon as the pod's side ends, dropping what the client still sends.
  const pod: Server = createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => undefined);
    const h = createHash('sha256');
    podGot = new Promise((resolve) => {
      s.on('data', (d: Buffer) => h.update(d));
      s.on('end', () => {
        resolve(h.digest('hex'));
        s.end();
      });
    });
    s.write(fromPod);
  });
  await new Promise<void>((r) => pod.listen(0, '127.0.0.1', () => r()));
  const podPort = (pod.address() as AddressInfo).port;
  const child = spawn('kubectl', ['port-forward', 'web-0', `0:${podPort}`, '--address', '127.0.0.1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let said = '';
  try {
    const localPort = await within(new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        said += d;
        const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(said);
        if (m) resolve(Number(m[1]));
      });
      child.stderr.on('data', (d: Buffer) => (said += d));
      child.once('close', (code) => reject(new Error(`kubectl port-forward exited (${code}): ${said}`)));
    }), 'kubectl port-forward starting');
    const toPod = randomBytes(size);
    const socket = connect({ host: '127.0.0.1', port: localPort, allowHalfOpen: true });
    const h = createHash('sha256');
    let n = 0;
    socket.on('data', (d: Buffer) => {
      h.update(d);
      n += d.length;
    });
    const ended = new Promise<void>((resolve, reject) => {
      socket.once('end', resolve);
      socket.once('error', reject);
    });
    socket.end(toPod);
    await within(ended, `the ${size} bytes each way`, () => socket.destroy());
    socket.destroy();
    assert.is(n, size);
    assert.is(h.digest('hex'), sha256(fromPod));
    assert.is(await podGot, sha256(toPod));
    assert.ok(srv.log.forwarded.includes(podPort));
    assert.equal(srv.log.upgrades.at(-1)!.subresource, 'portforward');
    assert.equal(srv.log.forwarded.length - forwardedBefore, 1);
  } finally {
    child.kill();
    await new Promise<void>((r) => pod.close(() => r()));
  }
}

const test = suite<Ctx>('the real kubectl against our Kubernetes server');

if (available(kubectl, 'kubectl against the server side')) {
  test.before(async (ctx) => {
    ctx.srv = await startPodServer();
    ctx.dir = mkdtempSync(join(tmpdir(), 'spdy-streams-kubectl-'));
    const config = kubeconfig(ctx.dir, ctx.srv.url);
    ctx.defaults = defaultEnv(config, ctx.dir);
    ctx.env = {
      ...process.env,
      KUBECONFIG: config,
      // kubectl's discovery cache goes under $HOME/.kube.
      HOME: ctx.dir,
      KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false',
      KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false',
    };
  });

  test.after(async (ctx) => {
    await ctx.srv.close();
    rmSync(ctx.dir, { recursive: true, force: true });
  });

  test('kubectl exec -i pipes stdin through the command and gets v4 after reading the pod', async ({ srv, env }) => {
    const r = await run('kubectl', ['exec', '-i', 'web-0', '--', 'cat'], env, 'hello kubectl\n');
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout.toString(), 'hello kubectl\n');
    const req = srv.log.upgrades.at(-1)!;
    assert.equal([req.subresource, req.pod, req.container, req.command, req.stdin, req.tty], ['exec', 'web-0', 'main', ['cat'], true, false]);
    // kubectl 1.30 and newer offer v5 (which the kubelet speaks over WebSocket only) before v4.
    assert.ok(req.protocols.includes('v4.channel.k8s.io'), req.protocols.join(', '));
    assert.ok(srv.log.gets.includes('/api/v1/namespaces/default/pods/web-0'), 'kubectl reads the pod before exec');
  });

  test('kubectl exec exits with the command\'s exit code; stderr is apart', async ({ env }) => {
    const r = await run('kubectl', ['exec', 'web-0', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], env);
    assert.is(r.code, 3, r.stderr);
    assert.is(r.stdout.toString(), 'out\n');
    assert.match(r.stderr, /^err\n/);
    assert.match(r.stderr, /command terminated with exit code 3/);
    const ok = await run('kubectl', ['exec', 'web-0', '--', 'true'], env);
    assert.is(ok.code, 0, ok.stderr);
  });

  test('kubectl exec -i with 16 MiB of stdin: no flow-control reset, every byte through', async ({ env }) => {
    const body = randomBytes(16 * 1024 * 1024);
    const r = await run('kubectl', ['exec', '-i', 'web-0', '--', 'sha256sum'], env, body);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout.toString().split(' ')[0], sha256(body));
  });

  if (available(script, 'kubectl exec -it')) {
    const terminal = (srv: PodServer, env: NodeJS.ProcessEnv): Promise<void> => (async () => {
      const before = srv.log.resizes.length;
      const r = await run('script', ['-qfec', 'stty cols 100 rows 30; kubectl exec -it web-0 -- tty-echo 7', '/dev/null'], env, async (stdin) => {
        // Typed keys, after the terminal is set up and the size sent.
        while (srv.log.resizes.length === before) await new Promise((res) => setTimeout(res, 20));
        stdin.write('ab');
        await new Promise((res) => setTimeout(res, 200));
        stdin.write('q');
      });
      const out = r.stdout.toString();
      assert.is(r.code, 7, out + r.stderr);
      assert.equal(srv.log.resizes[before], { width: 100, height: 30 });
      assert.match(out, /size 100x30\r\n/);
      assert.match(out, /echo:ab/);
      assert.match(out, /bye\r\n/);
      assert.is(srv.log.upgrades.at(-1)!.tty, true);
    })();

    test('kubectl exec -it through a pseudo-terminal: echo, the terminal size, the exit code', async ({ srv, env }) => {
      await terminal(srv, env);
      assert.is(srv.log.upgrades.at(-1)!.transport, 'spdy');
    });

    test('kubectl exec -it with its defaults (over WebSocket from 1.31 on): echo, the terminal size, the exit code', async ({ srv, defaults }) => {
      await terminal(srv, defaults);
      if (checkingExecPath('exec -it')) assert.is(srv.log.upgrades.at(-1)!.transport, 'websocket');
    });
  }

  test('kubectl port-forward (SPDY) moves 64 MiB each way, checked by sha256', async ({ srv, env }) => {
    const before = srv.log.asked.length;
    await forwardThrough(srv, env, 64 * 1024 * 1024);
    assert.equal(srv.log.asked.slice(before).map((a) => a.upgrade), ['spdy/3.1']);
  });

  test('kubectl port-forward with its defaults: over WebSocket from 1.31 on, 64 MiB each way', async ({ srv, defaults }) => {
    const before = srv.log.asked.length;
    await forwardThrough(srv, defaults, 64 * 1024 * 1024);
    const kinds = srv.log.asked.slice(before).map((a) => a.upgrade);
    if (!webSocketKubectl) {
      console.log(`skipped the WebSocket assertions: kubectl ${version / 100 | 0}.${version % 100} does not forward ports over WebSocket (1.31 and up do)`);
      assert.equal(kinds, ['spdy/3.1']);
      return;
    }
    assert.equal(kinds, ['websocket'], 'one WebSocket upgrade, no fallback to SPDY');
    const req = srv.log.upgrades.at(-1)!;
    assert.equal([req.subresource, req.transport, req.protocols], ['portforward', 'websocket', ['SPDY/3.1+portforward.k8s.io']]);
  });

  test('kubectl exec with its defaults: over WebSocket (v5.channel.k8s.io) from 1.31 on; stdin, stderr apart, the exit code', async ({ srv, defaults }) => {
    const before = srv.log.asked.length;
    const r = await run('kubectl', ['exec', '-i', 'web-0', '--', 'sh', '-c', 'cat; echo err >&2; exit 5'], defaults, 'by default\n');
    assert.is(r.code, 5, r.stderr);
    assert.is(r.stdout.toString(), 'by default\n');
    assert.match(r.stderr, /^err\n/);
    assert.match(r.stderr, /command terminated with exit code 5/);
    if (!checkingExecPath('exec')) return;
    assert.equal(srv.log.asked.slice(before).map((a) => a.upgrade), ['websocket'], 'one WebSocket upgrade, no fallback to SPDY');
    const req = srv.log.upgrades.at(-1)!;
    assert.equal([req.transport, req.protocols], ['websocket', ['v5.channel.k8s.io']]);
  });

  test('kubectl attach -i with its defaults: the attach handler over the same path', async ({ srv, defaults }) => {
    const before = srv.log.asked.length;
    const r = await run('kubectl', ['attach', '-i', 'web-0'], defaults, 'xyq');
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout.toString(), /^echo:xybye\r\n$/);
    assert.is(srv.log.upgrades.at(-1)!.subresource, 'attach');
    if (checkingExecPath('attach')) assert.equal(srv.log.asked.slice(before).map((a) => a.upgrade), ['websocket']);
  });

  test('kubectl exec -i with its defaults: 16 MiB of stdin, every byte through', async ({ srv, defaults }) => {
    const before = srv.log.asked.length;
    const body = randomBytes(16 * 1024 * 1024);
    const r = await run('kubectl', ['exec', '-i', 'web-0', '--', 'sha256sum'], defaults, body);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout.toString().split(' ')[0], sha256(body));
    if (checkingExecPath('exec with 16 MiB')) assert.equal(srv.log.asked.slice(before).map((a) => a.upgrade), ['websocket']);
  });

  test('kubectl exec and port-forward with their defaults fall back to SPDY when the server turns WebSockets off', async ({ dir }) => {
    const off = await startPodServer({ webSocket: false });
    try {
      const env = defaultEnv(kubeconfig(dir, off.url), dir);
      const r = await run('kubectl', ['exec', '-i', 'web-0', '--', 'cat'], env, 'fallback\n');
      assert.is(r.code, 0, r.stderr);
      assert.is(r.stdout.toString(), 'fallback\n');
      await forwardThrough(off, env, 1024 * 1024);
      if (checkingExecPath('the fallback')) {
        assert.equal(off.log.asked.map((a) => a.upgrade), ['websocket', 'spdy/3.1', 'websocket', 'spdy/3.1']);
      }
    } finally {
      await off.close();
    }
  });
}

test.run();
