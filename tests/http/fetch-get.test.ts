// fetch() GETs: the request's headers, retries of refused streams, response body methods.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, type ProtocolVersion } from '../../src/base/constants.js';
import type { Nv } from '../../src/codec/nv.js';
import { loopback } from './loopback.js';
import { DATA, DATA_FLAG_FIN, REFUSED_STREAM, RST_STREAM, SYN_REPLY, SYN_STREAM } from '../../src/base/constants.js';
import { SpdyClient } from '../../src/http/client.js';
import { hostileTransportPeer } from '../hardening/hostile-peer.js';
import type { RequestHandler } from '../../src/http/server.js';
import { InvalidArgumentError } from '../../src/base/errors.js';

const versions: Array<[string, ProtocolVersion]> = [['SPDY/2', PROTO_SPDY2], ['SPDY/3', PROTO_SPDY3], ['SPDY/3.1', PROTO_SPDY3_1]];

for (const plain of [false, true]) {
  for (const [name, version] of versions) {
    test(`GET over ${plain ? 'cleartext' : 'TLS'} ${name} gives a Response with status, headers and body`, async () => {
      let seen: { url: string; method: string; nv: Nv; version: number } | null = null;
      const lb = await loopback((req, ctx) => {
        seen = { url: req.url, method: req.method, nv: ctx.nv, version: ctx.version };
        return new Response(JSON.stringify({ hello: 'spdy' }), {
          status: 200,
          headers: { 'content-type': 'application/json', 'x-multi': 'a' },
        });
      }, { plain, version });
      try {
        assert.is(lb.client.session.version, version);
        const res = await lb.client.fetch('/path/file.json?q=1');
        assert.ok(res instanceof Response);
        assert.is(res.status, 200);
        assert.is(res.statusText, 'OK');
        assert.is(res.headers.get('content-type'), 'application/json');
        assert.is(res.url, `${lb.origin}/path/file.json?q=1`);
        assert.equal(await res.json(), { hello: 'spdy' });
        assert.is(seen!.url, `${lb.origin}/path/file.json?q=1`);
        assert.is(seen!.method, 'GET');
        assert.is(seen!.version, version);
      } finally {
        await lb.close();
      }
    });
  }
}

test('a request carries :method :path :version :host :scheme and no hop-by-hop header', async () => {
  let nv: Nv = [];
  const lb = await loopback((_req, ctx) => {
    nv = ctx.nv;
    return new Response(null, { status: 204 });
  });
  try {
    const res = await lb.client.fetch('/x?y=z', {
      headers: {
        connection: 'keep-alive', 'keep-alive': '5', 'proxy-connection': 'x', 'transfer-encoding': 'chunked',
        upgrade: 'h2c', 'x-custom': 'yes', Accept: 'text/plain',
      },
    });
    assert.is(res.status, 204);
    const names = nv.map(([n]) => n);
    const get = (n: string): string | undefined => nv.find(([k]) => k === n)?.[1];
    assert.is(get(':method'), 'GET');
    assert.is(get(':path'), '/x?y=z');
    assert.is(get(':version'), 'HTTP/1.1');
    assert.is(get(':host'), new URL(lb.origin).host);
    assert.is(get(':scheme'), 'https');
    assert.is(get('x-custom'), 'yes');
    assert.is(get('accept'), 'text/plain');
    for (const banned of ['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']) {
      assert.not.ok(names.includes(banned), `${banned} must not be sent`);
    }
    for (const n of names) assert.is(n, n.toLowerCase());
  } finally {
    await lb.close();
  }
});

test('a GET the server refuses with REFUSED_STREAM is sent again on a new stream', async () => {
  const peer = hostileTransportPeer('client');
  const client = new SpdyClient(peer.session, { origin: 'https://example.test' });
  const response = client.fetch('/again');
  const synStreams = () => peer.frames.filter((f) => f.frameType === SYN_STREAM) as any[];
  while (synStreams().length < 1) await new Promise((r) => setImmediate(r));
  await peer.send({ frameType: RST_STREAM, streamId: synStreams()[0].streamId, statusCode: REFUSED_STREAM });
  while (synStreams().length < 2) await new Promise((r) => setImmediate(r));
  const [first, second] = synStreams();
  assert.is(second.streamId, first.streamId + 2);
  assert.equal(second.nv, first.nv);
  await peer.send(
    { frameType: SYN_REPLY, streamId: second.streamId, nv: [[':status', '200 OK'], [':version', 'HTTP/1.1']] },
    { frameType: DATA, streamId: second.streamId, flags: DATA_FLAG_FIN, data: new TextEncoder().encode('second time') },
  );
  assert.is(await (await response).text(), 'second time');
  peer.session.destroy();
});

test('arrayBuffer(), text() and a HEAD request work on responses', async () => {
  const body = new Uint8Array(300000).map((_, i) => i % 256);
  const lb = await loopback(() => new Response(body, { headers: { 'content-length': String(body.length) } }));
  try {
    const res = await lb.client.fetch('/big');
    const got = new Uint8Array(await res.arrayBuffer());
    assert.is(got.length, body.length);
    assert.ok(got.every((b, i) => b === i % 256));
    const head = await lb.client.fetch('/big', { method: 'HEAD' });
    assert.is(head.status, 200);
    assert.is(head.headers.get('content-length'), String(body.length));
    assert.is(await head.text(), '');
  } finally {
    await lb.close();
  }
});

test('a handler that throws answers 500 and the session carries on', async () => {
  const lb = await loopback((req) => {
    if (req.url.endsWith('/boom')) throw new Error('boom');
    return new Response('fine');
  }, { server: { onError: () => undefined } });
  try {
    const bad = await lb.client.fetch('/boom');
    assert.is(bad.status, 500);
    await bad.text();
    const good = await lb.client.fetch('/ok');
    assert.is(await good.text(), 'fine');
  } finally {
    await lb.close();
  }
});

test('a handler that gives something other than a Response, at once or later, answers 500 and reports it', async () => {
  const errors: unknown[] = [];
  const lb = await loopback(
    ((req: Request) => (req.url.endsWith('/sync') ? 'text' : Promise.resolve(42))) as unknown as RequestHandler,
    { server: { onError: (err) => errors.push(err) } },
  );
  try {
    for (const path of ['/sync', '/later']) {
      const res = await lb.client.fetch(path);
      assert.is(res.status, 500, path);
      await res.text();
    }
    assert.is(errors.length, 2);
    assert.ok(errors.every((err) => err instanceof InvalidArgumentError));
  } finally {
    await lb.close();
  }
});

test.run();
