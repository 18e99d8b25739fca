/**
 * Port-forward with `transport: 'websocket'` from Node (the `ws` package)
 * through a WebSocket bridge (websocket-bridge.ts, standing in for the API
 * server) to the spdystream kubelet stand-in: the handshake kubectl 1.31
 * makes, 64 MiB each way, 20 connections on one session, the token, and
 * the refusals.
 */
import { rejectionOf } from '../streams/session-pair.js';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { KubeError } from '../../src/kubernetes/errors.js';
import type { KubeTarget } from '../../src/kubernetes/target.js';
import { kubePortForward } from '../../src/node/kubernetes/client.js';
import { available, buildKubeletPeer, goSpdystream, Peer } from './peers.js';
import { startBridge, type Bridge } from './websocket-bridge.js';

const TOKEN = 'websocket-test-token';
const encoder = new TextEncoder();

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  let out = '';
  const d = new TextDecoder();
  for await (const chunk of stream) out += d.decode(chunk, { stream: true });
  return out + d.decode();
}

interface Context {
  peer: Peer;
  bridge: Bridge;
  silentBridge: Bridge;
  target: KubeTarget;
  echo: Server;
  echoPort: number;
}

const test = suite<Context>('port-forward over WebSocket (ws) through a bridge to a spdystream kubelet');

if (available(goSpdystream, 'Kubernetes port-forward over WebSocket')) {
  test.before(async (ctx) => {
    ctx.peer = Peer.start(buildKubeletPeer(), [TOKEN]);
    const kubeletPort = Number((await ctx.peer.line(/^listening (\d+)$/))[1]);
    ctx.bridge = await startBridge({ kubeletPort });
    // One that accepts the WebSocket but names no subprotocol: not a port-forward tunnel.
    ctx.silentBridge = await startBridge({ kubeletPort, chooseProtocol: false });
    ctx.target = { server: `http://127.0.0.1:${ctx.bridge.port}`, namespace: 'default', pod: 'web-0', token: TOKEN };
    ctx.echo = createServer((s: Socket) => {
      s.on('error', () => undefined);
      s.pipe(s);
    });
    await new Promise<void>((r) => ctx.echo.listen(0, '127.0.0.1', () => r()));
    ctx.echoPort = (ctx.echo.address() as AddressInfo).port;
  });

  test.after(async (ctx) => {
    await ctx.bridge.close();
    await ctx.silentBridge.close();
    await ctx.peer.stop();
    await new Promise<void>((r) => ctx.echo.close(() => r()));
  });

  test('the handshake is a GET offering SPDY/3.1+portforward.k8s.io with the token as a header', async ({ bridge, peer, target, echoPort }) => {
    const pf = await kubePortForward(target, { transport: 'websocket' });
    const req = bridge.requests.at(-1)!;
    assert.is(req.method, 'GET');
    assert.is(req.path, '/api/v1/namespaces/default/pods/web-0/portforward');
    assert.equal(req.protocols, ['SPDY/3.1+portforward.k8s.io']);
    assert.is(req.authorization, `Bearer ${TOKEN}`);
    assert.is(req.subprotocolToken, undefined);
    const conn = await pf.open(echoPort);
    const w = conn.writable.getWriter();
    await w.write(encoder.encode('over a websocket'));
    await w.close();
    assert.is(await text(conn.readable), 'over a websocket');
    assert.is(await conn.error, null);
    // The kubelet saw the SPDY port-forward the bridge carried.
    const forward = await peer.next('forward', (e) => Number(e.port) === echoPort);
    assert.ok(forward);
    await pf.close();
    await pf.closed;
  });

  test('64 MiB each way on one connection, checked by sha256', async ({ bridge, target, echoPort }) => {
    const before = { ...bridge.relayed };
    const pf = await kubePortForward(target, { transport: 'websocket' });
    const conn = await pf.open(echoPort);
    const body = randomBytes(64 * 1024 * 1024);
    const sent = createHash('sha256').update(body).digest('hex');
    const writing = (async () => {
      const w = conn.writable.getWriter();
      for (let off = 0; off < body.length; off += 256 * 1024) await w.write(body.subarray(off, off + 256 * 1024));
      await w.close();
    })();
    const h = createHash('sha256');
    let n = 0;
    for await (const chunk of conn.readable) {
      h.update(chunk);
      n += chunk.length;
    }
    await writing;
    assert.is(n, body.length);
    assert.is(h.digest('hex'), sent);
    assert.is(await conn.error, null);
    // Every byte went through WebSocket messages, SPDY framing on top.
    assert.ok(bridge.relayed.toKubelet - before.toKubelet > body.length);
    assert.ok(bridge.relayed.toClient - before.toClient > body.length);
    await pf.close();
  });

  test('20 connections at once share one WebSocket', async ({ bridge, peer, target, echoPort }) => {
    const handshakes = bridge.requests.length;
    const pf = await kubePortForward(target, { transport: 'websocket' });
    const conns = await Promise.all(Array.from({ length: 20 }, () => pf.open(echoPort)));
    const results = await Promise.all(conns.map(async (c, i) => {
      const w = c.writable.getWriter();
      await w.write(encoder.encode(`connection ${i}`));
      await w.close();
      return text(c.readable);
    }));
    assert.equal(results, conns.map((_, i) => `connection ${i}`));
    assert.is(bridge.requests.length, handshakes + 1);
    const forwards = peer.all('forward').slice(-20);
    assert.equal(new Set(forwards.map((e) => e.requestid)).size, 20);
    await pf.close();
  });

  test('a reader that stalls holds the pod\'s sender back: the WebSocket is paused, not buffered', async ({ bridge, target }) => {
    // A "pod port" that sends 64 MiB as fast as it may.
    const body = randomBytes(64 * 1024 * 1024);
    const source = createServer((s: Socket) => {
      s.on('error', () => undefined);
      s.end(body);
    });
    await new Promise<void>((r) => source.listen(0, '127.0.0.1', () => r()));
    try {
      const pf = await kubePortForward(target, { transport: 'websocket' });
      const conn = await pf.open((source.address() as AddressInfo).port);
      await conn.writable.close();
      const start = bridge.relayed.toClient;
      await new Promise((r) => setTimeout(r, 1000));
      const whileStalled = bridge.relayed.toClient - start;
      // What sits in the session's queues, ours, ws's, and the sockets' buffers: far less than the whole.
      assert.ok(whileStalled < 24 * 1024 * 1024, `${whileStalled} bytes came while nothing read`);
      const h = createHash('sha256');
      let n = 0;
      for await (const chunk of conn.readable) {
        h.update(chunk);
        n += chunk.length;
      }
      assert.is(n, body.length);
      assert.is(h.digest('hex'), createHash('sha256').update(body).digest('hex'));
      await pf.close();
    } finally {
      await new Promise<void>((r) => source.close(() => r()));
    }
  });

  test('a wrong token is the kubelet\'s 401, a missing pod its 404, as KubeErrors with the status body', async ({ target }) => {
    const unauthorized = await rejectionOf(kubePortForward({ ...target, token: 'wrong' }, { transport: 'websocket' }));
    assert.instance(unauthorized, KubeError);
    assert.is((unauthorized as KubeError).status, 401);
    assert.is(((unauthorized as KubeError).body as { reason: string }).reason, 'Unauthorized');
    const anonymous = await rejectionOf(kubePortForward({ ...target, token: undefined }, { transport: 'websocket' })) as KubeError;
    assert.instance(anonymous, KubeError);
    assert.is(anonymous.status, 401);
    const missing = await rejectionOf(kubePortForward({ ...target, pod: 'missing' }, { transport: 'websocket' })) as KubeError;
    assert.instance(missing, KubeError);
    assert.is(missing.status, 404);
    assert.is((missing.body as { reason: string }).reason, 'NotFound');
  });

  test('a server that chooses no subprotocol is a KubeError, not a session', async ({ silentBridge, target }) => {
    const err = await rejectionOf(kubePortForward({ ...target, server: `http://127.0.0.1:${silentBridge.port}` }, { transport: 'websocket' }));
    assert.instance(err, KubeError);
    assert.is((err as KubeError).status, 101);
  });

  test('nothing listening is a KubeError with the socket\'s failure as its cause', async ({ target }) => {
    const port = await freePort();
    const err = await rejectionOf(kubePortForward({ ...target, server: `http://127.0.0.1:${port}` }, { transport: 'websocket' }));
    assert.instance(err, KubeError);
    assert.is((err as KubeError).status, 0);
    assert.ok((err as KubeError).cause);
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test.run();
