/**
 * The WebSocket byte transport against a scripted socket with the standard
 * interface: how messages become chunks, how writes wait on
 * `bufferedAmount`, pausing where the socket can pause and the read bound
 * where it cannot, and how each kind of close ends the streams. Also the
 * token subprotocol's encoding and the WebSocket URL.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ERR_CONNECTION_CLOSED, ERR_NOMEM } from '../../src/base/constants.js';
import { ConnectionClosedError } from '../../src/base/errors.js';
import { KubeError } from '../../src/kubernetes/errors.js';
import { kubePortForward } from '../../src/kubernetes/port-forward-entry.js';
import { kubeWebSocketUrl } from '../../src/kubernetes/port-forward-websocket.js';
import { bearerTokenProtocol, BEARER_TOKEN_PROTOCOL_PREFIX } from '../../src/kubernetes/websocket-protocols.js';
import { webSocketTransport, type WebSocketLike } from '../../src/kubernetes/websocket-transport.js';
import { rejectionOf } from '../streams/session-pair.js';
import type { WebSocket as WsWebSocket } from 'ws';

// The two WebSocket classes the transport is written for fit its interface as they are.
export const domSocketFits = (ws: WebSocket): WebSocketLike => ws;
export const wsSocketFits = (ws: WsWebSocket): WebSocketLike => ws;

/** A socket whose network side the test plays: what was sent, how much is buffered, when it opens and closes. */
class ScriptedSocket implements WebSocketLike {
  binaryType = 'blob';
  readyState = 0;
  bufferedAmount = 0;
  protocol = '';
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  readonly sent: Uint8Array[] = [];
  closedWith: number | undefined | null = null;
  pauses = 0;
  resumes = 0;

  constructor(readonly pausable: boolean) {
    if (!pausable) {
      this.pause = undefined;
      this.resume = undefined;
    }
  }

  send(data: Uint8Array): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(data);
    this.bufferedAmount += data.byteLength;
  }
  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 2;
  }
  pause?(): void {
    this.pauses++;
  }
  resume?(): void {
    this.resumes++;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(data: unknown): void {
    this.onmessage?.({ data });
  }
  closed(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

const bytes = (...values: number[]): ArrayBuffer => new Uint8Array(values).buffer;
const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

const test = suite('WebSocket transport');

test('binary messages become chunks and writes become messages, once the socket opens', async () => {
  const ws = new ScriptedSocket(true);
  const t = webSocketTransport(ws);
  assert.is(ws.binaryType, 'arraybuffer');
  const w = t.writable.getWriter();
  const writing = w.write(new Uint8Array([1, 2, 3]));
  await tick();
  assert.is(ws.sent.length, 0, 'nothing is sent while connecting');
  ws.open();
  await t.opened;
  await writing;
  assert.equal(ws.sent.map((c) => [...c]), [[1, 2, 3]]);
  ws.receive(bytes(4, 5));
  ws.receive(new Uint8Array([6]));
  const r = t.readable.getReader();
  assert.equal([...(await r.read()).value!], [4, 5]);
  assert.equal([...(await r.read()).value!], [6]);
  ws.closed(1000);
  assert.is((await r.read()).done, true, 'a normal close ends the readable');
});

test('a write waits while bufferedAmount is over the high-water mark', async () => {
  const ws = new ScriptedSocket(true);
  ws.readyState = 1;
  const t = webSocketTransport(ws, { writeHighWaterMark: 10 });
  const w = t.writable.getWriter();
  let done = false;
  const writing = w.write(new Uint8Array(16)).then(() => (done = true));
  await tick(20);
  assert.is(ws.sent.length, 1);
  assert.is(done, false, 'still over the mark');
  ws.bufferedAmount = 10;
  await writing;
  assert.is(done, true);
  // A failure while waiting releases the write: later writes see the failure.
  const second = w.write(new Uint8Array(16));
  await tick(5);
  ws.closed(1006);
  await second;
  const err = await rejectionOf(w.write(new Uint8Array(1)));
  assert.instance(err, ConnectionClosedError);
});

test('a socket that can pause is paused while the queue is full and resumed when read', async () => {
  const ws = new ScriptedSocket(true);
  ws.readyState = 1;
  const t = webSocketTransport(ws, { readHighWaterMark: 8 });
  ws.receive(bytes(1, 2, 3, 4));
  assert.is(ws.pauses, 0);
  ws.receive(bytes(5, 6, 7, 8));
  assert.is(ws.pauses, 1);
  ws.receive(bytes(9));
  assert.is(ws.pauses, 1, 'paused once');
  const r = t.readable.getReader();
  await r.read();
  await r.read();
  await tick();
  assert.is(ws.resumes, 1);
});

test('a socket that cannot pause fails the transport past maxReadBuffer', async () => {
  const ws = new ScriptedSocket(false);
  ws.readyState = 1;
  const t = webSocketTransport(ws, { readHighWaterMark: 4, maxReadBuffer: 10 });
  ws.receive(new ArrayBuffer(6));
  ws.receive(new ArrayBuffer(4));
  assert.is(ws.closedWith, null, 'at the bound: still open');
  ws.receive(new ArrayBuffer(1));
  assert.is(ws.closedWith, 1000, 'past it: closed');
  const err = await rejectionOf(t.readable.getReader().read());
  assert.instance(err, ConnectionClosedError);
  assert.is(err.code, ERR_NOMEM);
});

test('closing the writable closes the socket after the bytes sent; cancel does too', async () => {
  const ws = new ScriptedSocket(true);
  ws.readyState = 1;
  const t = webSocketTransport(ws);
  const w = t.writable.getWriter();
  await w.write(new Uint8Array([1]));
  await w.close();
  assert.is(ws.closedWith, 1000);
  assert.is(ws.sent.length, 1);
  const ws2 = new ScriptedSocket(true);
  ws2.readyState = 1;
  await webSocketTransport(ws2).readable.cancel();
  assert.is(ws2.closedWith, 1000);
});

test('an abnormal close, an error and a text message error the readable', async () => {
  for (const end of [
    (ws: ScriptedSocket) => ws.closed(1006),
    (ws: ScriptedSocket) => ws.onerror?.({ error: new Error('reset') }),
    (ws: ScriptedSocket) => ws.receive('text'),
  ]) {
    const ws = new ScriptedSocket(true);
    ws.readyState = 1;
    const t = webSocketTransport(ws);
    end(ws);
    const err = await rejectionOf(t.readable.getReader().read());
    assert.instance(err, ConnectionClosedError);
    assert.is(err.code, ERR_CONNECTION_CLOSED);
  }
});

test('a socket that closes before it opens rejects opened', async () => {
  const ws = new ScriptedSocket(true);
  const t = webSocketTransport(ws);
  ws.closed(1006);
  assert.instance(await rejectionOf(t.opened), ConnectionClosedError);
  const late = new ScriptedSocket(true);
  late.readyState = 3;
  assert.instance(await rejectionOf(webSocketTransport(late).opened), ConnectionClosedError);
});

test('the bearer token subprotocol is base64url without padding', () => {
  for (const token of ['a', 'ab', 'abc', 'eyJhbGciOi.J9?>>~~', 'tökén']) {
    const p = bearerTokenProtocol(token);
    assert.ok(p.startsWith(BEARER_TOKEN_PROTOCOL_PREFIX));
    const encoded = p.slice(BEARER_TOKEN_PROTOCOL_PREFIX.length);
    assert.match(encoded, /^[A-Za-z0-9_-]+$/);
    assert.is(Buffer.from(encoded, 'base64url').toString('utf8'), token);
  }
});

test('the WebSocket URL keeps the server path and takes ws: or wss:', () => {
  const plain = kubeWebSocketUrl({ server: 'http://127.0.0.1:8001', pod: 'p' }, 'portforward');
  assert.is(plain.href, 'ws://127.0.0.1:8001/api/v1/namespaces/default/pods/p/portforward');
  const tls = kubeWebSocketUrl({ server: 'https://k8s.example:6443/prefix/', namespace: 'ns', pod: 'p' }, 'portforward');
  assert.is(tls.href, 'wss://k8s.example:6443/prefix/api/v1/namespaces/ns/pods/p/portforward');
});

test('a socket that opens with another subprotocol is a KubeError and is closed', async () => {
  const ws = new ScriptedSocket(true);
  const offers: string[][] = [];
  const opening = kubePortForward({
    server: 'https://k8s.example', pod: 'p', token: 't',
    webSocket: (url, protocols) => {
      assert.is(url.href, 'wss://k8s.example/api/v1/namespaces/default/pods/p/portforward');
      offers.push([...protocols]);
      return { socket: ws };
    },
  }, { transport: 'websocket' });
  await tick();
  ws.protocol = 'v4.channel.k8s.io';
  ws.open();
  const err = await rejectionOf(opening);
  assert.instance(err, KubeError);
  assert.is(err.status, 101);
  assert.equal(offers, [['SPDY/3.1+portforward.k8s.io']]);
  assert.is(ws.closedWith, 1000);
});

test.run();
