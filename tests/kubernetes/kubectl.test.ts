/**
 * The server side against the real `kubectl` (SPDY forced, WebSockets off):
 * `exec -i` with stdin piped and the command's exit code as kubectl's own,
 * a large stdin (kubectl's spdystream does no flow control), `exec -it`
 * through a pseudo-terminal (util-linux `script`) with its size reaching the
 * handler, and `port-forward` moving 64 MiB each way. Skipped with a printed
 * line when kubectl is not installed (a failure under CI).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
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

interface Run {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

interface Ctx {
  srv: PodServer;
  dir: string;
  env: NodeJS.ProcessEnv;
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

const test = suite<Ctx>('the real kubectl against our Kubernetes server');

if (available(kubectl, 'kubectl against the server side')) {
  test.before(async (ctx) => {
    ctx.srv = await startPodServer();
    ctx.dir = mkdtempSync(join(tmpdir(), 'spdy-streams-kubectl-'));
    const config = join(ctx.dir, 'config');
    writeFileSync(config, [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: test',
      '  cluster:',
      `    server: ${ctx.srv.url}`,
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
    test('kubectl exec -it through a pseudo-terminal: echo, the terminal size, the exit code', async ({ srv, env }) => {
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
    });
  }

  test('kubectl port-forward moves 64 MiB each way, checked by sha256', async ({ srv, env }) => {
    const size = 64 * 1024 * 1024;
    const fromPod = randomBytes(size);
    let podGot: Promise<string> = Promise.resolve('');
    // The pod's port: hashes what comes in while sending its own 64 MiB, and
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
      await within(ended, 'the 64 MiB transfers', () => socket.destroy());
      socket.destroy();
      assert.is(n, size);
      assert.is(h.digest('hex'), sha256(fromPod));
      assert.is(await podGot, sha256(toPod));
      assert.ok(srv.log.forwarded.includes(podPort));
      assert.equal(srv.log.upgrades.at(-1)!.subresource, 'portforward');
    } finally {
      child.kill();
      await new Promise<void>((r) => pod.close(() => r()));
    }
  });
}

test.run();
