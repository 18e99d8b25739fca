/**
 * Our Kubernetes client (exec, attach, port-forward) against a stand-in for
 * the kubelet built on Go's spdystream (tests/peers/kubelet): the protocol
 * negotiation, the channel streams, exit statuses, a tty's resize events,
 * and port-forward throughput and fan-out on one session.
 */
import { rejectionOf } from '../streams/session-pair.js';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from 'node:net';
import { KubeError } from '../../src/kubernetes/errors.js';
import type { KubeTarget } from '../../src/kubernetes/target.js';
import { kubeAttach, kubeExec, kubePortForward } from '../../src/node/kubernetes/client.js';
import { available, buildKubeletPeer, goSpdystream, Peer } from './peers.js';
import { assertEachEchoed, assertEchoed, freePort, startEchoPort, text, type EchoPort } from './echo-port.js';

const TOKEN = 'kubelet-test-token';
const encoder = new TextEncoder();


const test = suite<{ peer: Peer; target: KubeTarget; echo: EchoPort; echoPort: number }>('our Kubernetes client to a spdystream kubelet');

if (available(goSpdystream, 'Kubernetes client interop')) {
  test.before(async (ctx) => {
    ctx.peer = Peer.start(buildKubeletPeer(), [TOKEN]);
    const port = Number((await ctx.peer.line(/^listening (\d+)$/))[1]);
    ctx.target = { server: `http://127.0.0.1:${port}`, namespace: 'default', pod: 'web-0', token: TOKEN };
    ctx.echo = await startEchoPort();
    ctx.echoPort = ctx.echo.port;
  });

  test.after(async (ctx) => {
    await ctx.peer.stop();
    await ctx.echo.close();
  });

  test('exec sends the Upgrade kubectl sends and gets v4 with stdin echoed on stdout', async ({ peer, target }) => {
    const ex = await kubeExec(target, { command: ['cat'], stdin: true });
    assert.is(ex.protocol, 'v4.channel.k8s.io');
    const req = await peer.next('request', (e) => e.sub === 'exec');
    assert.is(req.method, 'POST');
    assert.is(req.upgrade, 'SPDY/3.1');
    assert.equal(req.protocols, ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io']);
    assert.equal((req.query as Record<string, string[]>).command, ['cat']);
    const types = [await peer.next('stream'), await peer.next('stream'), await peer.next('stream'), await peer.next('stream')].map((e) => e.type);
    assert.equal(types, ['error', 'stdin', 'stdout', 'stderr']);
    const out = text(ex.stdout);
    const w = ex.stdin!.getWriter();
    await w.write(encoder.encode('hello '));
    await w.write(encoder.encode('kubelet\n'));
    // Closing stdin is end of input for cat: it exits and stdout ends.
    await w.close();
    assert.is(await out, 'hello kubelet\n');
    assert.equal(await ex.status, { exitCode: 0, status: 'Success' });
    await ex.close();
  });

  test('a non-zero exit code comes back from the v4 status; stderr has its own channel', async ({ target }) => {
    const ex = await kubeExec(target, { command: ['sh', '-c', 'echo out; echo oops >&2; exit 3'] });
    const [out, err, status] = await Promise.all([text(ex.stdout), text(ex.stderr), ex.status]);
    assert.is(out, 'out\n');
    assert.is(err, 'oops\n');
    assert.is(status.exitCode, 3);
    assert.is(status.status, 'Failure');
    assert.is(status.reason, 'NonZeroExitCode');
    await ex.close();
  });

  test('a v3-only server gets v3 and reports failure as text', async ({ target }) => {
    const ex = await kubeExec({ ...target, pod: 'v3-only' }, { command: ['sh', '-c', 'exit 5'] });
    assert.is(ex.protocol, 'v3.channel.k8s.io');
    await text(ex.stdout);
    const status = await ex.status;
    assert.is(status.status, 'Failure');
    assert.is(status.exitCode, -1);
    assert.match(status.message ?? '', /exit status 5/);
    await ex.close();
  });

  test('a v1-only server gets channel.k8s.io and success is an empty error channel', async ({ target }) => {
    const ex = await kubeExec({ ...target, pod: 'v1-only' }, { command: ['echo', 'old'] });
    assert.is(ex.protocol, 'channel.k8s.io');
    assert.is(await text(ex.stdout), 'old\n');
    assert.equal(await ex.status, { exitCode: 0, status: 'Success' });
    await ex.close();
  });

  test('a tty merges stderr into stdout and carries resize events as JSON', async ({ peer, target }) => {
    const ex = await kubeExec(target, { command: ['sh', '-c', 'read line; echo got $line; echo err >&2'], stdin: true, tty: true });
    assert.is(ex.stderr, null);
    await ex.resize(120, 40);
    await ex.resize(80, 24);
    assert.equal([await peer.next('resize'), await peer.next('resize')].map((e) => [e.width, e.height]), [[120, 40], [80, 24]]);
    const out = text(ex.stdout);
    const w = ex.stdin!.getWriter();
    await w.write(encoder.encode('line\n'));
    await w.close();
    assert.is(await out, 'got line\nerr\n');
    assert.is((await ex.status).exitCode, 0);
    await ex.close();
  });

  test('attach opens the same channels on pods/attach', async ({ peer, target }) => {
    const at = await kubeAttach(target, { stdin: true, stderr: false });
    const req = await peer.next('request', (e) => e.sub === 'attach');
    assert.is((req.query as Record<string, string[]>).command, undefined);
    const out = text(at.stdout);
    const w = at.stdin!.getWriter();
    await w.write(encoder.encode('attached'));
    await w.close();
    assert.is(await out, 'attached');
    assert.is((await at.status).exitCode, 0);
    await at.close();
  });

  test('401, 404 and 403 are KubeErrors with the status and the server body', async ({ target }) => {
    const unauthorized = await rejectionOf(kubeExec({ ...target, token: 'wrong' }, { command: ['true'] }));
    assert.instance(unauthorized, KubeError);
    assert.is((unauthorized as KubeError).status, 401);
    assert.is(((unauthorized as KubeError).body as { reason: string }).reason, 'Unauthorized');
    const missing = await rejectionOf(kubeExec({ ...target, pod: 'missing' }, { command: ['true'] })) as KubeError;
    assert.is(missing.status, 404);
    assert.is((missing.body as { reason: string }).reason, 'NotFound');
    const refused = await rejectionOf(kubeExec({ ...target, pod: 'v9-only' }, { command: ['true'] })) as KubeError;
    assert.is(refused.status, 403);
    assert.equal(refused.acceptedProtocols, ['v9.channel.k8s.io']);
    assert.match(refused.message, /X-Accepted-Stream-Protocol-Versions: v9\.channel\.k8s\.io/);
  });

  test('port-forward moves 64 MiB each way on one connection at full speed', async ({ target, echoPort }) => {
    const pf = await kubePortForward(target);
    const conn = await pf.open(echoPort);
    await assertEchoed(conn, 64 * 1024 * 1024);
    assert.is(await conn.error, null);
    await pf.close();
  });

  test('20 port-forward connections at once share one session', async ({ peer, target, echoPort }) => {
    const pf = await kubePortForward(target);
    const conns = await Promise.all(Array.from({ length: 20 }, () => pf.open(echoPort)));
    await assertEachEchoed(conns);
    const forwards = peer.all('forward').slice(-20);
    assert.equal(new Set(forwards.map((e) => e.requestid)).size, 20);
    await pf.close();
  });

  test('listen() forwards local TCP connections; a refused pod port surfaces on error', async ({ target, echoPort }) => {
    const pf = await kubePortForward(target);
    const l = await pf.listen({ remotePort: echoPort });
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: l.port });
      let got = '';
      s.on('data', (d) => (got += d));
      s.on('end', () => resolve(got));
      s.on('error', reject);
      s.end('through the listener');
    });
    assert.is(reply, 'through the listener');
    // A port nothing listens on: the server says why on the error stream.
    const closedPort = await freePort();
    const conn = await pf.open(closedPort);
    assert.match((await conn.error) ?? '', new RegExp(`error forwarding port ${closedPort}`));
    await l.close();
    await pf.close();
  });
}


test.run();
