/**
 * The server side (`kubeUpgradeHandler`) against our own client: exec with
 * stdin, stdout, stderr and exit codes in each protocol generation, a tty
 * with resize, attach, refusals (403 with the accepted protocols, 404), the
 * wait for missing channels, and port-forward fan-out on one session;
 * port-forward over WebSocket (`transport: 'websocket'`) with its refusals,
 * and exec over WebSocket in `v5.channel.k8s.io` (and v4 refused with the
 * 400 kubectl falls back from).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { KubeError } from '../../src/kubernetes/errors.js';
import { openKubeConnection } from '../../src/kubernetes/connection.js';
import { EXEC_PROTOCOLS } from '../../src/kubernetes/protocols.js';
import { kubeBearerToken } from '../../src/kubernetes/server-request.js';
import { bearerTokenProtocol } from '../../src/kubernetes/websocket-protocols.js';
import type { KubeTarget } from '../../src/kubernetes/target.js';
import { kubeAttach, kubeExec, kubePortForward } from '../../src/node/kubernetes/client.js';
import { dialKube } from '../../src/node/kubernetes/dial.js';
import { WebSocket as WsClient } from 'ws';
import { rejectionOf } from '../streams/session-pair.js';
import { startPodServer, type PodServer } from './pod-server.js';
import { freePort, startEchoPort, text, type EchoPort } from '../interop/echo-port.js';

const encoder = new TextEncoder();


const test = suite<{ srv: PodServer; target: KubeTarget; echo: EchoPort; echoPort: number }>('our Kubernetes server to our client');

test.before(async (ctx) => {
  ctx.srv = await startPodServer();
  ctx.target = { server: ctx.srv.url, namespace: 'default', pod: 'web-0' };
  ctx.echo = await startEchoPort({ allowHalfOpen: true });
  ctx.echoPort = ctx.echo.port;
});

test.after(async (ctx) => {
  await ctx.srv.close();
  await ctx.echo.close();
});

test('exec negotiates v4 and echoes stdin on stdout; closing stdin is end of input', async ({ srv, target }) => {
  const ex = await kubeExec(target, { command: ['cat'], stdin: true });
  assert.is(ex.protocol, 'v4.channel.k8s.io');
  const req = srv.log.upgrades.at(-1)!;
  assert.equal([req.subresource, req.namespace, req.pod, req.command], ['exec', 'default', 'web-0', ['cat']]);
  assert.equal([req.stdin, req.stdout, req.stderr, req.tty], [true, true, true, false]);
  const out = text(ex.stdout);
  const w = ex.stdin!.getWriter();
  await w.write(encoder.encode('hello '));
  await w.write(encoder.encode('server\n'));
  await w.close();
  assert.is(await out, 'hello server\n');
  assert.equal(await ex.status, { exitCode: 0, status: 'Success' });
  await ex.close();
});

test('1 MiB through stdin and back: no flow-control stall at 64 KiB', async ({ target }) => {
  const ex = await kubeExec(target, { command: ['cat'], stdin: true });
  const body = randomBytes(1024 * 1024);
  const hash = createHash('sha256');
  const reading = (async () => {
    let n = 0;
    for await (const chunk of ex.stdout!) {
      hash.update(chunk);
      n += chunk.length;
    }
    return n;
  })();
  const w = ex.stdin!.getWriter();
  for (let off = 0; off < body.length; off += 100_000) await w.write(body.subarray(off, off + 100_000));
  await w.close();
  assert.is(await reading, body.length);
  assert.is(hash.digest('hex'), createHash('sha256').update(body).digest('hex'));
  assert.is((await ex.status).exitCode, 0);
  await ex.close();
});

test('a non-zero exit code travels in the v4 status; stderr is its own channel', async ({ target }) => {
  const ex = await kubeExec(target, { command: ['sh', '-c', 'echo out; echo oops >&2; exit 3'] });
  const [out, err, status] = await Promise.all([text(ex.stdout), text(ex.stderr), ex.status]);
  assert.is(out, 'out\n');
  assert.is(err, 'oops\n');
  assert.equal([status.exitCode, status.status, status.reason], [3, 'Failure', 'NonZeroExitCode']);
  assert.match(status.message ?? '', /exit status 3/);
  await ex.close();
});

test('a client offering v3 and older gets v3 and a text status; v1 gets an empty one for success', async ({ target }) => {
  const v3 = await kubeExec(target, { command: ['sh', '-c', 'exit 5'], protocols: EXEC_PROTOCOLS.slice(1) });
  assert.is(v3.protocol, 'v3.channel.k8s.io');
  await text(v3.stdout);
  const st = await v3.status;
  assert.equal([st.status, st.exitCode], ['Failure', -1]);
  assert.is(st.message, 'command terminated with non-zero exit code: exit status 5');
  await v3.close();
  const v1 = await kubeExec(target, { command: ['echo', 'old'], protocols: ['channel.k8s.io'] });
  assert.is(v1.protocol, 'channel.k8s.io');
  assert.is(await text(v1.stdout), 'old\n');
  assert.equal(await v1.status, { exitCode: 0, status: 'Success' });
  await v1.close();
});

test('a tty has no stderr channel and hands resize events to the handler in order', async ({ srv, target }) => {
  const before = srv.log.resizes.length;
  const ex = await kubeExec(target, { command: ['tty-echo', '4'], stdin: true, tty: true });
  assert.is(ex.stderr, null);
  assert.is(srv.log.upgrades.at(-1)!.tty, true);
  const out = text(ex.stdout);
  await ex.resize(120, 40);
  await ex.resize(80, 24);
  const w = ex.stdin!.getWriter();
  // The sizes must have arrived before the handler sees `q` and ends.
  while (srv.log.resizes.length < before + 2) await new Promise((r) => setTimeout(r, 5));
  await w.write(encoder.encode('ab'));
  await w.write(encoder.encode('q'));
  const got = await out;
  assert.match(got, /size 120x40\r\nsize 80x24\r\n/);
  assert.match(got, /echo:ab.*bye\r\n$/s);
  assert.equal(srv.log.resizes.slice(before), [{ width: 120, height: 40 }, { width: 80, height: 24 }]);
  assert.equal(await ex.status, { exitCode: 4, status: 'Failure', reason: 'NonZeroExitCode', message: 'command terminated with non-zero exit code: exit status 4' });
  await ex.close();
});

test('v2 with a tty opens no resize channel and the handler gets none', async ({ target }) => {
  const ex = await kubeExec(target, { command: ['tty-echo'], stdin: true, tty: true, protocols: ['v2.channel.k8s.io'] });
  assert.is(ex.protocol, 'v2.channel.k8s.io');
  const out = text(ex.stdout);
  const w = ex.stdin!.getWriter();
  await w.write(encoder.encode('xq'));
  assert.is(await out, 'echo:xbye\r\n');
  assert.is((await ex.status).exitCode, 0);
  await ex.close();
});

test('attach goes to the attach handler with no command', async ({ srv, target }) => {
  const at = await kubeAttach(target, { stdin: true, stderr: false });
  assert.equal([srv.log.upgrades.at(-1)!.subresource, srv.log.upgrades.at(-1)!.command], ['attach', []]);
  const out = text(at.stdout);
  const w = at.stdin!.getWriter();
  await w.write(encoder.encode('attached'));
  await w.close();
  assert.is(await out, 'echo:attachedbye\r\n');
  assert.is((await at.status).exitCode, 0);
  await at.close();
});

test('no protocol in common is a 403 naming what the server accepts', async ({ target }) => {
  const refused = await rejectionOf(kubeExec(target, { command: ['true'], protocols: ['v9.channel.k8s.io'] })) as KubeError;
  assert.instance(refused, KubeError);
  assert.is(refused.status, 403);
  assert.equal(refused.acceptedProtocols, [...EXEC_PROTOCOLS]);
  assert.match(String(refused.body), /unable to negotiate protocol/);
  // Port-forward's protocol is no exec protocol.
  const crossed = await rejectionOf(kubeExec(target, { command: ['true'], protocols: ['portforward.k8s.io'] })) as KubeError;
  assert.is(crossed.status, 403);
});

test('a sub-resource without a handler is a 404 metav1.Status', async () => {
  const srv = await startPodServer({ portForward: undefined });
  try {
    const missing = await rejectionOf(kubePortForward({ server: srv.url, pod: 'p' })) as KubeError;
    assert.instance(missing, KubeError);
    assert.is(missing.status, 404);
    assert.equal([(missing.body as { kind: string }).kind, (missing.body as { reason: string }).reason], ['Status', 'NotFound']);
  } finally {
    await srv.close();
  }
});

test('a server that refuses everything but v3 answers a v4-only client 403', async () => {
  const srv = await startPodServer({ execProtocols: ['v3.channel.k8s.io'] });
  try {
    const target = { server: srv.url, pod: 'p' };
    const refused = await rejectionOf(kubeExec(target, { command: ['true'], protocols: ['v4.channel.k8s.io'] })) as KubeError;
    assert.is(refused.status, 403);
    assert.equal(refused.acceptedProtocols, ['v3.channel.k8s.io']);
    const ok = await kubeExec(target, { command: ['true'] });
    assert.is(ok.protocol, 'v3.channel.k8s.io');
    assert.equal(await ok.status, { exitCode: 0, status: 'Success' });
    await ok.close();
  } finally {
    await srv.close();
  }
});

test('a client that never opens the announced channels is dropped after the stream timeout, the handler never run', async () => {
  let ran = false;
  const srv = await startPodServer({ streamTimeoutMs: 200, exec: () => { ran = true; } });
  try {
    const conn = await openKubeConnection(
      { server: srv.url, pod: 'p', dial: dialKube }, 'exec', [['command', 'true'], ['stdin', 'true'], ['stdout', 'true']], EXEC_PROTOCOLS,
    );
    const error = await conn.session.openStream({ headers: [['streamtype', 'error']] });
    await error.headers;
    // stdin and stdout never come: the server gives up.
    await conn.session.closed.catch(() => undefined);
    assert.is(ran, false);
  } finally {
    await srv.close();
  }
});

test('a throwing handler is reported as an internal error in the v4 status', async () => {
  const srv = await startPodServer({
    exec: () => {
      throw new Error('no such container');
    },
  });
  try {
    const ex = await kubeExec({ server: srv.url, pod: 'p' }, { command: ['x'] });
    const st = await ex.status;
    assert.equal([st.status, st.reason, st.exitCode], ['Failure', 'InternalError', -1]);
    assert.match(st.message ?? '', /no such container/);
    await ex.close();
  } finally {
    await srv.close();
  }
});

test('20 port-forward connections on one session, each its own requestid, each echoed', async ({ srv, target, echoPort }) => {
  const pf = await kubePortForward(target);
  const before = srv.log.forwarded.length;
  const conns = await Promise.all(Array.from({ length: 20 }, () => pf.open(echoPort)));
  const results = await Promise.all(conns.map(async (c, i) => {
    const w = c.writable.getWriter();
    await w.write(encoder.encode(`connection ${i} `.repeat(1000)));
    await w.close();
    return text(c.readable);
  }));
  assert.equal(results, conns.map((_, i) => `connection ${i} `.repeat(1000)));
  assert.is(srv.log.forwarded.length - before, 20);
  assert.equal(await Promise.all(conns.map((c) => c.error)), conns.map(() => null));
  await pf.close();
});

test('port-forward to a port nothing listens on: the reason comes on the error stream', async ({ target }) => {
  const closedPort = await freePort();
  const pf = await kubePortForward(target);
  const conn = await pf.open(closedPort);
  assert.match((await conn.error) ?? '', new RegExp(`error forwarding port ${closedPort} to pod web-0: .*ECONNREFUSED`));
  await pf.close();
});

test('port-forward over WebSocket: 1 MiB each way on 5 connections, authorized like SPDY', async ({ srv, target, echoPort }) => {
  const before = srv.log.asked.length;
  const pf = await kubePortForward(target, { transport: 'websocket' });
  const conns = await Promise.all(Array.from({ length: 5 }, () => pf.open(echoPort)));
  const bodies = conns.map(() => randomBytes(1024 * 1024));
  const hashes = await Promise.all(conns.map(async (c, i) => {
    const w = c.writable.getWriter();
    const wrote = (async () => {
      for (let off = 0; off < bodies[i]!.length; off += 64 * 1024) await w.write(bodies[i]!.subarray(off, off + 64 * 1024));
      await w.close();
    })();
    const h = createHash('sha256');
    for await (const chunk of c.readable) h.update(chunk);
    await wrote;
    return h.digest('hex');
  }));
  assert.equal(hashes, bodies.map((b) => createHash('sha256').update(b).digest('hex')));
  await pf.close();
  assert.equal(srv.log.asked.slice(before).map((a) => a.upgrade), ['websocket']);
  const req = srv.log.upgrades.at(-1)!;
  assert.equal([req.subresource, req.transport, req.pod], ['portforward', 'websocket', 'web-0']);
});

/** A bare WebSocket handshake for port-forward with these subprotocols (sent by hand: `ws` refuses the `/`): the answer's status. */
function handshakeStatus(port: number, protocols: string): Promise<{ status: number; protocol: string }> {
  return new Promise((resolve) => {
    const ws = new WsClient(`ws://127.0.0.1:${port}/api/v1/namespaces/default/pods/web-0/portforward`, [], {
      headers: { 'Sec-WebSocket-Protocol': protocols },
    });
    ws.on('upgrade', (res) => {
      resolve({ status: res.statusCode ?? 0, protocol: String(res.headers['sec-websocket-protocol'] ?? '') });
      ws.terminate();
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, protocol: '' });
      res.resume();
      ws.terminate();
    });
    ws.on('error', () => undefined);
  });
}

test('port-forward over WebSocket: the authorize hook refuses it as it refuses SPDY; kubeBearerToken reads either form of the token', async () => {
  const srv = await startPodServer({ authorize: (req) => kubeBearerToken(req) === 'right' });
  try {
    const target = { server: srv.url, pod: 'p' };
    const refused = await rejectionOf(kubePortForward({ ...target, token: 'wrong' }, { transport: 'websocket' })) as KubeError;
    assert.instance(refused, KubeError);
    assert.is(refused.status, 403);
    assert.equal((refused.body as { reason?: string } | null)?.reason, 'Forbidden');
    const pf = await kubePortForward({ ...target, token: 'right' }, { transport: 'websocket' });
    await pf.close();
    const spdy = await rejectionOf(kubePortForward({ ...target, token: 'wrong' })) as KubeError;
    assert.is(spdy.status, 403);
    // A browser's way: the token as a subprotocol.
    const tunnel = 'SPDY/3.1+portforward.k8s.io';
    assert.equal(await handshakeStatus(srv.port, `${bearerTokenProtocol('right')}, ${tunnel}`), { status: 101, protocol: tunnel });
    assert.equal(await handshakeStatus(srv.port, `${bearerTokenProtocol('wrong')}, ${tunnel}`), { status: 403, protocol: '' });
  } finally {
    await srv.close();
  }
});

test('port-forward over WebSocket without the tunnel subprotocol, or turned off: a 400 metav1.Status', async ({ target }) => {
  const renamed = await rejectionOf(kubePortForward(target, { transport: 'websocket', webSocketProtocol: 'tunnel.example' })) as KubeError;
  assert.instance(renamed, KubeError);
  assert.is(renamed.status, 400);
  assert.equal((renamed.body as { reason?: string } | null)?.reason, 'BadRequest');
  const off = await startPodServer({ webSocket: false });
  try {
    const refused = await rejectionOf(kubePortForward({ server: off.url, pod: 'p' }, { transport: 'websocket' })) as KubeError;
    assert.is(refused.status, 400);
    // SPDY is still served.
    const pf = await kubePortForward({ server: off.url, pod: 'p' });
    await pf.close();
  } finally {
    await off.close();
  }
});

/** Collects a v5 exec over a bare WebSocket: what came on each channel, and the close code. */
function execOverWebSocket(
  port: number, query: string, protocols: string[], messages: Uint8Array[],
): Promise<{ status: number; protocol: string; channels: Map<number, string>; first: number[]; code: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WsClient(`ws://127.0.0.1:${port}/api/v1/namespaces/default/pods/web-0/exec?${query}`, protocols);
    const channels = new Map<number, string>();
    const first: number[] = [];
    let protocol = '';
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, protocol: '', channels, first, code: 0 });
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      protocol = ws.protocol;
      for (const m of messages) ws.send(m);
    });
    ws.on('message', (data: Buffer) => {
      if (first.length < 1) first.push(...data);
      channels.set(data[0]!, (channels.get(data[0]!) ?? '') + data.subarray(1).toString());
    });
    ws.on('close', (code) => resolve({ status: 101, protocol, channels, first, code }));
    ws.on('error', reject);
  });
}

const message = (channel: number, text = ''): Uint8Array => Buffer.concat([Buffer.of(channel), Buffer.from(text)]);

test('exec over WebSocket in v5.channel.k8s.io: stdin, its close signal, stdout, stderr, the status, then a normal close', async ({ srv }) => {
  const before = srv.log.asked.length;
  const r = await execOverWebSocket(srv.port, 'command=sh&command=-c&command=cat%3B%20echo%20oops%20%3E%262%3B%20exit%206&stdin=true&stdout=true&stderr=true',
    ['v5.channel.k8s.io'], [message(0, 'over '), message(0, 'websocket'), Uint8Array.of(255, 0)]);
  assert.equal([r.status, r.protocol, r.code], [101, 'v5.channel.k8s.io', 1000]);
  // The kubelet's first message: an empty one on stdout.
  assert.equal(r.first, [1]);
  assert.is(r.channels.get(1), 'over websocket');
  assert.is(r.channels.get(2), 'oops\n');
  const status = JSON.parse(r.channels.get(3)!) as { status: string; reason: string; details: { causes: Array<{ message: string }> } };
  assert.equal([status.status, status.reason, status.details.causes[0]!.message], ['Failure', 'NonZeroExitCode', '6']);
  assert.equal(srv.log.asked.slice(before).map((a) => a.upgrade), ['websocket']);
  assert.equal(srv.log.upgrades.at(-1)!.transport, 'websocket');
});

test('exec over WebSocket with a tty: resize messages reach the handler; no stderr', async ({ srv }) => {
  const before = srv.log.resizes.length;
  const r = await execOverWebSocket(srv.port, 'command=tty-echo&command=2&stdin=true&stdout=true&stderr=true&tty=true', ['v5.channel.k8s.io'], [
    message(4, '{"Width":90,"Height":20}\n'), message(0, 'x'), message(0, 'q'),
  ]);
  assert.is(r.status, 101);
  assert.equal(srv.log.resizes.slice(before), [{ width: 90, height: 20 }]);
  assert.match(r.channels.get(1)!, /echo:x/);
  assert.is(r.channels.has(2), false);
  assert.is((JSON.parse(r.channels.get(3)!) as { details: { causes: Array<{ message: string }> } }).details.causes[0]!.message, '2');
});

test('exec over WebSocket: a handler that leaves stdin unread while megabytes come still ends the exchange', async () => {
  const srv = await startPodServer({
    exec: (ctx) => {
      ctx.stdin!.getReader();
      return 0;
    },
    onError: () => undefined,
  });
  try {
    const chunk = Buffer.concat([Buffer.of(0), Buffer.alloc(256 * 1024, 7)]);
    const r = await execOverWebSocket(srv.port, 'command=x&stdin=true&stdout=true', ['v5.channel.k8s.io'], Array.from({ length: 16 }, () => chunk));
    assert.is(r.code, 1000);
    assert.is((JSON.parse(r.channels.get(3)!) as { status: string }).status, 'Success');
  } finally {
    await srv.close();
  }
});

test('exec over WebSocket offering only v4 (no close signal) is refused with a 400, for the client to fall back to SPDY', async ({ srv }) => {
  const r = await execOverWebSocket(srv.port, 'command=true&stdout=true', ['v4.channel.k8s.io'], []);
  assert.is(r.status, 400);
  assert.equal(srv.log.upgrades.at(-1)!.protocols, ['v4.channel.k8s.io']);
});

test.run();
