/**
 * The server side's pure parts: reading a streaming request as the kubelet
 * does (Go's boolean spellings, a tty dropping stderr, repeated protocol
 * headers), a WebSocket request's subprotocols and the answer to it, the
 * kubelet's protocol choice and its 403, the channels a
 * request announces, and resize events cut out of arbitrarily split bytes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KubeError } from '../../src/kubernetes/errors.js';
import { readResizeEvents } from '../../src/kubernetes/resize-events.js';
import { expectedChannels } from '../../src/kubernetes/server-exec.js';
import { kubeBearerToken, negotiateKubeRequest, negotiateKubeWebSocket, parseKubeRequest } from '../../src/kubernetes/server-request.js';
import { rejectionOf } from '../streams/session-pair.js';

const encoder = new TextEncoder();

function bytes(...pieces: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const p of pieces) c.enqueue(encoder.encode(p));
      c.close();
    },
  });
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of it) out.push(v);
  return out;
}

const exec = (query: string, protocols: string[] = []) => parseKubeRequest({
  url: `/api/v1/namespaces/ns%201/pods/web-0/exec?${query}`,
  headers: protocols.map((p) => ['X-Stream-Protocol-Version', p] as const),
});

test('the flags read as Go reads them; a tty drops stderr; commands keep their order', () => {
  const r = exec('command=sh&command=-c&command=echo%20hi&stdin=1&stdout=True&stderr=true&tty=t&container=main');
  assert.ok(r);
  assert.equal([r!.namespace, r!.pod, r!.container, r!.command], ['ns 1', 'web-0', 'main', ['sh', '-c', 'echo hi']]);
  assert.equal([r!.stdin, r!.stdout, r!.stderr, r!.tty], [true, true, false, true]);
  const plain = exec('command=true&stdout=yes&stderr=true');
  assert.equal([plain!.stdin, plain!.stdout, plain!.stderr, plain!.tty], [false, false, true, false]);
});

test('paths that are no pod sub-resource are null; a proxy prefix is allowed', () => {
  assert.is(parseKubeRequest({ url: '/api/v1/namespaces/a/pods/b/log', headers: [] }), null);
  assert.is(parseKubeRequest({ url: '/api/v1/namespaces/a/pods/b', headers: [] }), null);
  assert.is(parseKubeRequest({ url: '/api/v1/namespaces/a/pods/%E0/exec', headers: [] }), null);
  assert.is(parseKubeRequest({ url: '/proxy/x/api/v1/namespaces/a/pods/b/portforward', headers: [] })!.subresource, 'portforward');
});

test('the first offered protocol we speak wins, in the client\'s order; none in common is a 403 listing ours', () => {
  const offered = exec('command=x', ['v5.channel.k8s.io', 'v3.channel.k8s.io', 'v4.channel.k8s.io'])!;
  assert.equal(negotiateKubeRequest(offered), { protocol: 'v3.channel.k8s.io', headers: [['X-Stream-Protocol-Version', 'v3.channel.k8s.io']] });
  const refused = negotiateKubeRequest(offered, ['v2.channel.k8s.io', 'channel.k8s.io']);
  assert.ok('refuse' in refused);
  if (!('refuse' in refused)) return;
  assert.is(refused.refuse.status, 403);
  assert.equal(refused.refuse.headers, [
    ['X-Accepted-Stream-Protocol-Versions', 'v2.channel.k8s.io'], ['X-Accepted-Stream-Protocol-Versions', 'channel.k8s.io'],
  ]);
  // No offer: the oldest protocol, named in no header.
  assert.equal(negotiateKubeRequest(exec('command=x')!), { protocol: 'channel.k8s.io', headers: [] });
  const commaJoined = parseKubeRequest({ url: '/api/v1/namespaces/a/pods/b/exec', headers: [['x-stream-protocol-version', 'v9, v2.channel.k8s.io']] })!;
  assert.equal(commaJoined.protocols, ['v9', 'v2.channel.k8s.io']);
});

test('the announced channels: resize only with a tty from v3 on, stderr never with a tty', () => {
  const tty = exec('command=x&stdin=true&stdout=true&stderr=true&tty=true')!;
  assert.equal(expectedChannels(tty, 'v4.channel.k8s.io'), ['error', 'stdin', 'stdout', 'resize']);
  assert.equal(expectedChannels(tty, 'v2.channel.k8s.io'), ['error', 'stdin', 'stdout']);
  assert.equal(expectedChannels(exec('command=x&stderr=true')!, 'v4.channel.k8s.io'), ['error', 'stderr']);
});

test('resize events split anywhere, glued together or apart, come out whole and in order', async () => {
  const text = '{"Width":80,"Height":24}\n{"Width":120,"Height":40}{"Height":1,"Width":2}\n';
  const expected = [{ width: 80, height: 24 }, { width: 120, height: 40 }, { width: 2, height: 1 }];
  for (let cut = 1; cut < text.length; cut++) {
    assert.equal(await collect(readResizeEvents(bytes(text.slice(0, cut), text.slice(cut)))), expected, `cut at ${cut}`);
  }
  assert.equal(await collect(readResizeEvents(bytes(...text.split('')))), expected);
  assert.equal(await collect(readResizeEvents(bytes('{"Width":1,"Height":2,"Note":"a } in a string"}'))), [{ width: 1, height: 2 }]);
});

test('a resize event that is no terminal size ends the events with KubeError', async () => {
  assert.instance(await rejectionOf(collect(readResizeEvents(bytes('{"Width":-1,"Height":2}')))), KubeError);
  assert.instance(await rejectionOf(collect(readResizeEvents(bytes('{"Width":1,}')))), KubeError);
  assert.instance(await rejectionOf(collect(readResizeEvents(bytes(`{"Width":"${'x'.repeat(5000)}`)))), KubeError);
});

test('a WebSocket request: its subprotocols are its offer (a bearer token left out); the tunnel and v5 are accepted', () => {
  const ws = (sub: string, protocols: string) => parseKubeRequest({
    url: `/api/v1/namespaces/default/pods/web-0/${sub}`,
    headers: [['Connection', 'Upgrade'], ['Upgrade', 'WebSocket'], ['X-Stream-Protocol-Version', 'v4.channel.k8s.io'], ['Sec-WebSocket-Protocol', protocols]],
  })!;
  const pf = ws('portforward', 'base64url.bearer.authorization.k8s.io.c2VjcmV0, SPDY/3.1+portforward.k8s.io');
  assert.equal([pf.transport, pf.protocols], ['websocket', ['SPDY/3.1+portforward.k8s.io']]);
  assert.equal(negotiateKubeWebSocket(pf), { protocol: 'portforward.k8s.io', subprotocol: 'SPDY/3.1+portforward.k8s.io' });
  const other = negotiateKubeWebSocket(ws('portforward', 'portforward.k8s.io'));
  assert.ok('refuse' in other);
  assert.is(other.refuse.status, 400);
  const ex = ws('exec?command=true', 'v5.channel.k8s.io');
  assert.equal([ex.transport, ex.protocols], ['websocket', ['v5.channel.k8s.io']]);
  assert.equal(negotiateKubeWebSocket(ex), { protocol: 'v5.channel.k8s.io', subprotocol: 'v5.channel.k8s.io' });
  assert.equal(negotiateKubeWebSocket(ws('attach', 'v5.channel.k8s.io')), { protocol: 'v5.channel.k8s.io', subprotocol: 'v5.channel.k8s.io' });
  // v4 over WebSocket has no close signal for stdin: not served, so the client falls back to SPDY.
  const refused = negotiateKubeWebSocket(ws('exec?command=true', 'v4.channel.k8s.io'));
  assert.ok('refuse' in refused);
  assert.is(refused.refuse.status, 400);
  assert.is((JSON.parse(refused.refuse.body!) as { reason: string }).reason, 'BadRequest');
  assert.is(exec('', ['v4.channel.k8s.io'])!.transport, 'spdy');
});

test('kubeBearerToken: the Authorization header first, else the bearer subprotocol in base64url', () => {
  const sub = 'base64url.bearer.authorization.k8s.io.';
  assert.is(kubeBearerToken({ headers: [['authorization', 'Bearer abc'], ['Sec-WebSocket-Protocol', `${sub}eHl6`]] }), 'abc');
  assert.is(kubeBearerToken({ headers: [['Sec-WebSocket-Protocol', `SPDY/3.1+portforward.k8s.io, ${sub}dMO8a2VuLw`]] }), 't\u00fcken/');
  assert.is(kubeBearerToken({ rawHeaders: ['Authorization', 'bearer raw'] }), 'raw');
  assert.is(kubeBearerToken({ headers: [['Authorization', 'Basic dTpw']] }), null);
  assert.is(kubeBearerToken({ headers: [['Sec-WebSocket-Protocol', `${sub}not=valid`]] }), null);
  assert.is(kubeBearerToken({ headers: [] }), null);
});

test.run();
