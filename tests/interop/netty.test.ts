/**
 * Interoperation with Netty 4.1's codec-spdy over cleartext TCP: SPDY/3.1
 * only, HTTP carried by SpdyHttpEncoder/SpdyHttpDecoder on top of
 * SpdySessionHandler (which does SPDY/3.1 flow control, stream and session).
 * Our HTTP client against a Netty server, and a Netty client against our
 * server; in both the peer reports the control frames it sent and received,
 * so that a RST_STREAM or GOAWAY it sent because of us fails the test.
 *
 * The peer is tests/peers/netty/Peer.java, built here with javac against
 * Debian's libnetty-java.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { PROTO_SPDY3_1 } from '../../src/base/constants.js';
import { connect } from '../../src/node/http/connect.js';
import { serve } from '../../src/node/http/serve.js';
import { available, buildNettyPeer, nettySpdy, Peer, type PeerEvent } from './peers.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The upload bytes both sides can name by length alone (Peer.pattern). */
function pattern(n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 11)) & 0xff;
  return b;
}

/** Netty found fault with nothing: it sent no RST_STREAM and no GOAWAY with an error status, and threw nothing. */
function assertNettyContent(peer: Peer): void {
  const complaints = peer.events.filter((e: PeerEvent) =>
    (e.event === 'send' && (e.frame === 'RST_STREAM' || (e.frame === 'GOAWAY' && e.status !== 0))) ||
    e.event === 'exception' || (e.event === 'recv' && (e.invalid === true || e.truncated === true)));
  assert.equal(complaints, [], `Netty objected:\n${peer.transcript()}`);
}

if (available(nettySpdy, 'tests/interop/netty.test.ts')) {
  const { classPath } = buildNettyPeer();
  const java = (...args: string[]): Peer => Peer.start('java', ['-cp', classPath, 'Peer', ...args]);

  const toNetty = suite<{ peer: Peer; port: number }>('our client to a Netty server');

  toNetty.before(async (ctx) => {
    ctx.peer = java('server');
    ctx.port = Number((await ctx.peer.line(/^listening (\d+)$/))[1]);
  });
  toNetty.after(async (ctx) => {
    await ctx.peer?.stop();
  });

  toNetty('GET, a 1 MiB POST and a 404 from a Netty server, with concurrent GETs, then GOAWAY', async ({ peer, port }) => {
    const client = await connect(`http://127.0.0.1:${port}`, { plain: true, version: PROTO_SPDY3_1 });
    await peer.next('accepted');

    const hello = await client.fetch('/hello', { headers: { 'x-multi': 'a, b', 'x-one': '1' } });
    assert.is(hello.status, 200);
    assert.is(await hello.text(), 'hello from netty, GET');
    assert.is(hello.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.is(hello.headers.get('x-multi'), 'a, b', 'NUL-joined values from Netty become one list');
    const seen = await peer.next('request', (e) => e.uri === '/hello');
    const seenHeaders = seen.headers as Record<string, string[]>;
    assert.equal(seenHeaders.host, [`127.0.0.1:${port}`]);
    assert.equal(seenHeaders['x-one'], ['1']);

    const upload = pattern(1 << 20);
    const echo = await client.fetch('/echo', { method: 'POST', body: upload, headers: { 'content-type': 'application/octet-stream' } });
    assert.is(echo.status, 200);
    const back = new Uint8Array(await echo.arrayBuffer());
    assert.is(back.length, upload.length);
    assert.is(sha256(back), sha256(upload), 'the echo differs from the upload');
    assert.is(echo.headers.get('x-sha256'), sha256(upload), 'Netty received other bytes than we sent');
    const posted = await peer.next('request', (e) => e.uri === '/echo');
    assert.is(posted.method, 'POST');
    assert.is(posted.bytes, upload.length);

    const missing = await client.fetch('/missing');
    assert.is(missing.status, 404);
    assert.is(await missing.text(), 'no such resource');

    const many = await Promise.all(Array.from({ length: 8 }, () => client.fetch('/hello').then((r) => r.text())));
    assert.equal(many, Array.from({ length: 8 }, () => 'hello from netty, GET'));

    await client.close();
    await peer.next('recv', (e) => e.frame === 'GOAWAY');
    await peer.next('connection-closed');
    assertNettyContent(peer);
    assert.ok(peer.events.some((e) => e.event === 'recv' && e.frame === 'SETTINGS'), 'our SETTINGS reached Netty');
  });

  toNetty("a request whose header block is over Netty's 16 KiB limit gets 431 alone; the session goes on", async ({ peer, port }) => {
    const client = await connect(`http://127.0.0.1:${port}`, { plain: true, version: PROTO_SPDY3_1 });
    await peer.next('accepted');
    // SpdyFrameCodec truncates the block at 16 KiB and SpdyHttpDecoder answers
    // the stream itself, with a SYN_REPLY carrying 431 and FIN.
    const big = await client.fetch('/hello', { headers: { 'x-big': 'x'.repeat(20_000) } });
    assert.is(big.status, 431);
    assert.is(await big.text(), '');
    assert.ok(await peer.next('recv', (e) => e.frame === 'SynStream' && e.truncated === true));
    const after = await client.fetch('/hello');
    assert.is(await after.text(), 'hello from netty, GET');
    await client.close();
    await peer.next('connection-closed');
    assert.equal(peer.events.filter((e) => e.event === 'send' && (e.frame === 'RST_STREAM' || e.frame === 'GOAWAY')), []);
  });

  toNetty.run();

  const fromNetty = suite('a Netty client to our server');

  fromNetty('a Netty client GETs, POSTs 1 MiB, gets a 404 and a PING answer from our server', async () => {
    const requests: Array<{ method: string; url: string; multi: string | null; bytes: number }> = [];
    const server = serve({ port: 0, hostname: '127.0.0.1', plain: true }, async (req) => {
      const body = new Uint8Array(await req.arrayBuffer());
      const url = new URL(req.url);
      requests.push({ method: req.method, url: req.url, multi: req.headers.get('x-multi'), bytes: body.length });
      if (url.pathname === '/hello') {
        // Set-Cookie is the one header whose values Headers keeps apart: they go out NUL-joined.
        const headers = new Headers({ 'content-type': 'text/plain' });
        headers.append('set-cookie', 'a=1');
        headers.append('set-cookie', 'b=2');
        return new Response(`hello from spdy-streams, ${req.method} ${url.search}`, { headers });
      }
      if (url.pathname === '/echo' && req.method === 'POST') {
        return new Response(body, { headers: { 'x-sha256': sha256(body) } });
      }
      return new Response('not here', { status: 404 });
    });
    await server.ready;
    const peer = java('client', String(server.port));
    try {
      const upload = await peer.next('upload');
      const hello = await peer.next('response', (e) => e.stream === '1');
      assert.is(hello.status, 200);
      assert.is(hello.text, 'hello from spdy-streams, GET ?from=netty');
      assert.equal((hello.headers as Record<string, string[]>)['set-cookie'], ['a=1', 'b=2']);
      const echo = await peer.next('response', (e) => e.stream === '3');
      assert.is(echo.status, 200);
      assert.is(echo.bytes, upload.bytes);
      assert.is(echo.sha256, upload.sha256, 'the echo differs from the upload');
      assert.equal((echo.headers as Record<string, string[]>)['x-sha256'], [upload.sha256]);
      const missing = await peer.next('response', (e) => e.stream === '5');
      assert.is(missing.status, 404);
      await peer.next('recv', (e) => e.frame === 'PING' && e.id === 1);
      await peer.next('done');
      assert.is(await peer.exited, 0);
      assertNettyContent(peer);

      const byPath = new Map(requests.map((r) => [new URL(r.url).pathname, r]));
      assert.equal(byPath.get('/hello'), {
        method: 'GET', url: `http://127.0.0.1:${server.port}/hello?from=netty`, multi: 'a, b', bytes: 0,
      });
      assert.is(byPath.get('/echo')?.bytes, 1 << 20);
      assert.is(byPath.get('/missing')?.method, 'GET');
    } finally {
      await peer.stop();
      await server.close();
    }
  });

  fromNetty.run();
}
