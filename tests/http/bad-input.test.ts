/**
 * Peers that send what HTTP over SPDY does not allow: requests without
 * their required headers, replies without a valid :status, connections that
 * start with neither SPDY nor HTTP/1.1. The right answer goes out and
 * nothing else breaks.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect as netConnect } from 'node:net';
import { PROTOCOL_ERROR, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1 } from '../../src/base/constants.js';
import { classifyPreface } from '../../src/handshake/accept.js';
import { SpdyClient } from '../../src/http/client.js';
import { InvalidResponseError } from '../../src/http/response.js';
import { serveSession } from '../../src/http/server.js';
import { createMemoryTransportPair } from '../../src/streams/memory-transport.js';
import { SpdySession } from '../../src/streams/spdy-session.js';
import type { SpdyStream } from '../../src/streams/spdy-stream.js';
import { serve } from '../../src/node/http/serve.js';

function pair(): [SpdySession, SpdySession] {
  const [a, b] = createMemoryTransportPair();
  return [new SpdySession(a, { side: 'client' }), new SpdySession(b, { side: 'server' })];
}

test('a request without :path or :host is answered 400 Bad Request', async () => {
  const [client, server] = pair();
  let handled = 0;
  void serveSession(server, () => {
    handled++;
    return new Response('no');
  }, { scheme: 'https', version: PROTO_SPDY3_1 });
  try {
    for (const nv of [
      [[':method', 'GET'], [':host', 'x'], [':scheme', 'https'], [':version', 'HTTP/1.1']],
      [[':method', 'GET'], [':path', '/'], [':scheme', 'https'], [':version', 'HTTP/1.1']],
    ] as Array<Array<[string, string]>>) {
      const stream = await client.openStream({ headers: nv, endStream: true });
      const reply = await stream.headers;
      assert.ok(reply.some(([k, v]) => k === ':status' && v === '400 Bad Request'));
      await new Response(stream.readable).text();
    }
    assert.is(handled, 0);
  } finally {
    client.destroy();
    server.destroy();
  }
});

test('a forbidden method (CONNECT) is answered 400, not a crash', async () => {
  const [client, server] = pair();
  void serveSession(server, () => new Response('no'), { scheme: 'https', version: PROTO_SPDY3_1 });
  try {
    const stream = await client.openStream({
      headers: [[':method', 'CONNECT'], [':path', '/'], [':host', 'x'], [':scheme', 'https'], [':version', 'HTTP/1.1']],
      endStream: true,
    });
    assert.ok((await stream.headers).some(([k, v]) => k === ':status' && v.startsWith('400')));
  } finally {
    client.destroy();
    server.destroy();
  }
});

/** A client's fetch of `/` from a bare server session: `check` gets it and the server's stream; both sessions end after. */
async function oneFetch(
  check: (t: { clientSession: SpdySession; pending: Promise<Response>; stream: SpdyStream }) => Promise<void>,
): Promise<void> {
  const [clientSession, server] = pair();
  const client = new SpdyClient(clientSession, { origin: 'https://example.test' });
  const reader = server.incoming.getReader();
  try {
    const pending = client.fetch('/');
    const { value: stream } = await reader.read();
    await check({ clientSession, pending, stream: stream! });
  } finally {
    clientSession.destroy();
    server.destroy();
  }
}

const resetWith = (stream: SpdyStream, statusCode: number): Promise<void> => stream.closed.then(
  () => assert.unreachable('the stream should be reset'),
  (err) => assert.is((err as { statusCode: number }).statusCode, statusCode),
);

for (const status of [undefined, 'abc', '99 Too Low', '600 Too High']) {
  test(`a reply with :status ${JSON.stringify(status)} fails the fetch and is reset with PROTOCOL_ERROR`, () => oneFetch(async ({ pending, stream }) => {
    await stream.respond(status === undefined ? [[':version', 'HTTP/1.1']] : [[':status', status]], { endStream: false });
    await pending.then(
      () => assert.unreachable('fetch should fail'),
      (err) => assert.ok(err instanceof InvalidResponseError),
    );
    await resetWith(stream, PROTOCOL_ERROR);
  }));
}

test('a reply with a header name HTTP forbids fails the fetch and the stream is reset with PROTOCOL_ERROR', () => oneFetch(async ({ pending, stream }) => {
  await stream.respond([[':status', '200 OK'], ['bad name', 'x']]);
  await pending.then(() => assert.unreachable('fetch should fail'), (err) => assert.instance(err, TypeError));
  await resetWith(stream, PROTOCOL_ERROR);
}));

test('a push that names no URL is refused even when its whole body came with it: the client holds none of it', () => oneFetch(async ({ clientSession, pending, stream }) => {
  // No :path: nothing a later fetch could claim. Its SYN_STREAM, DATA and FIN go out together.
  const pushed = await stream.push([[':status', '200 OK'], [':version', 'HTTP/1.1']], { body: new Uint8Array(100) });
  await stream.respond([[':status', '200 OK'], [':version', 'HTTP/1.1']], { body: 'page' });
  assert.is(await (await pending).text(), 'page');
  await pushed.closed.catch(() => undefined);
  for (let i = 0; i < 5 && clientSession.bufferedBytes > 0; i++) await new Promise((r) => setImmediate(r));
  assert.is(clientSession.bufferedBytes, 0);
}));

test('the first bytes of a cleartext connection tell SPDY/2, SPDY/3 and HTTP/1.1 apart', () => {
  const v2 = new Uint8Array([0x80, 0x02, 0x00, 0x01]);
  const v3 = new Uint8Array([0x80, 0x03, 0x00, 0x01]);
  assert.equal(classifyPreface(v2, false, PROTO_SPDY3_1), { kind: 'spdy', version: PROTO_SPDY2 });
  assert.equal(classifyPreface(v3, false, PROTO_SPDY3_1), { kind: 'spdy', version: PROTO_SPDY3_1 });
  assert.equal(classifyPreface(v3, false, PROTO_SPDY3), { kind: 'spdy', version: PROTO_SPDY3 });
  assert.equal(classifyPreface(new TextEncoder().encode('GET / HTTP/1.1'), false, PROTO_SPDY3_1), { kind: 'http1' });
  assert.is(classifyPreface(new Uint8Array([0x80]), false, PROTO_SPDY3_1), undefined);
  assert.is(classifyPreface(new Uint8Array(), false, PROTO_SPDY3_1), undefined);
  assert.throws(() => classifyPreface(new Uint8Array(), true, PROTO_SPDY3_1));
});

test('garbage, an endless HTTP/1.1 head and an early close leave the server serving', async () => {
  const server = serve({ port: 0, hostname: '127.0.0.1', plain: true }, () => new Response('still here'));
  await server.ready;
  const send = (bytes: Uint8Array | string, end: boolean): Promise<void> =>
    new Promise((resolve) => {
      const s = netConnect(server.port, '127.0.0.1', () => {
        s.write(bytes);
        if (end) s.end();
      });
      s.on('data', () => undefined);
      s.on('error', () => resolve());
      s.on('close', () => resolve());
    });
  try {
    await send(new Uint8Array([0x80, 0x03, 0x00, 0x04, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]), true);
    await send(`GET / HTTP/1.1\r\n${'X-Long: yes\r\n'.repeat(2000)}`, false);
    await send('G', true);
    const { connect } = await import('../../src/node/http/connect.js');
    const client = await connect(`http://127.0.0.1:${server.port}`);
    assert.is(await (await client.fetch('/')).text(), 'still here');
    await client.close();
  } finally {
    await server.close();
  }
});

test.run();
