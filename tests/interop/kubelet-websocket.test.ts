/**
 * Port-forward with `transport: 'websocket'` from Node (the `ws` package)
 * through a WebSocket bridge (websocket-bridge.ts, standing in for the API
 * server) to the spdystream kubelet stand-in: the handshake kubectl 1.31
 * makes, 64 MiB each way, 20 connections on one session, the token, and
 * the refusals.
 */
import { rejectionOf } from '../streams/session-pair.js';
import { suite } from 'uvu';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import * as assert from 'uvu/assert';
import { KubeError } from '../../src/kubernetes/errors.js';
import type { KubeTarget } from '../../src/kubernetes/target.js';
import { kubePortForward } from '../../src/node/kubernetes/client.js';
import { available, goSpdystream, type Peer } from './peers.js';
import { assertEachEchoed, assertEchoed, freePort, text } from './echo-port.js';
import { startBridgeRig, type Bridge, type BridgeRig } from './websocket-bridge.js';

const TOKEN = 'websocket-test-token';
const encoder = new TextEncoder();


interface Context {
  peer: Peer;
  bridge: Bridge;
  silentBridge: Bridge;
  target: KubeTarget;
  rig: BridgeRig;
  echoPort: number;
}

const test = suite<Context>('port-forward over WebSocket (ws) through a bridge to a spdystream kubelet');

if (available(goSpdystream, 'Kubernetes port-forward over WebSocket')) {
  test.before(async (ctx) => {
    // The silent bridge accepts the WebSocket but names no subprotocol: not a port-forward tunnel.
    const rig = await startBridgeRig(TOKEN);
    Object.assign(ctx, { rig, peer: rig.peer, bridge: rig.bridge, silentBridge: rig.silentBridge, echoPort: rig.echo.port });
    ctx.target = { server: `http://127.0.0.1:${rig.bridge.port}`, namespace: 'default', pod: 'web-0', token: TOKEN };
  });

  test.after((ctx) => ctx.rig.close());

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
    const size = 64 * 1024 * 1024;
    await assertEchoed(conn, size);
    assert.is(await conn.error, null);
    // Every byte went through WebSocket messages, SPDY framing on top.
    assert.ok(bridge.relayed.toKubelet - before.toKubelet > size);
    assert.ok(bridge.relayed.toClient - before.toClient > size);
    await pf.close();
  });

  test('20 connections at once share one WebSocket', async ({ bridge, peer, target, echoPort }) => {
    const handshakes = bridge.requests.length;
    const pf = await kubePortForward(target, { transport: 'websocket' });
    const conns = await Promise.all(Array.from({ length: 20 }, () => pf.open(echoPort)));
    await assertEachEchoed(conns);
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


test.run();
