// SpdySession basics: stream ids, incoming streams, bodies to FIN, headers each way.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CTRL_FLAG_FIN, InvalidArgumentError, PING, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SETTINGS, SYN_REPLY, SYN_STREAM,
  SpdySession, StreamClosedError, UnsupportedVersionError, WINDOW_UPDATE, createMemoryTransportPair,
} from '../../src/index.js';
import { hostileTransportPeer } from '../hardening/hostile-peer.js';
import {
  header, iterate, nextIncoming, ok, randomBytes, readAll, rejectionOf, request, sessionPair, sha256, stateOf, tick,
  writeAll,
} from './session-pair.js';

for (const version of [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1] as const) {
  test(`v${version}: a request with a body gets a reply with a body, both intact`, async () => {
    const { client, server } = sessionPair({ version });
    const up = randomBytes(300_000, 1);
    const down = randomBytes(200_000, 2);
    const served = (async () => {
      const stream = await nextIncoming(server);
      assert.is(header(await stream.headers, ':path'), '/upload');
      assert.is(sha256(await readAll(stream.readable)), sha256(up));
      await stream.respond(ok([['x-kind', 'echo']]));
      await writeAll(stream.writable, down);
    })();
    const stream = await client.openStream({ headers: request('/upload', 'POST') });
    assert.is(stream.id, 1);
    assert.is(stream.origin, 'local');
    await writeAll(stream.writable, up);
    const reply = await stream.headers;
    assert.is(header(reply, ':status'), '200');
    assert.is(header(reply, 'x-kind'), 'echo');
    assert.is(sha256(await readAll(stream.readable)), sha256(down));
    await stream.closed;
    await served;
    assert.is(client.numOpenStreams, 0);
    assert.is(server.numOpenStreams, 0);
    await client.close();
    await server.closed;
  });
}

test('streams we open get odd ids in the order their SYN_STREAMs go out', async () => {
  const { client, server } = sessionPair();
  const a = await client.openStream({ headers: request('/a'), endStream: true });
  const b = await client.openStream({ headers: request('/b'), endStream: true });
  assert.equal([a.id, b.id], [1, 3]);
  for (let i = 0; i < 2; i++) await (await nextIncoming(server)).respond(ok(), { endStream: true });
  await Promise.all([a.closed, b.closed]);
  await client.close();
});

test('for await over session.incoming yields each peer stream, and ends when the session closes', async () => {
  const { client, server } = sessionPair();
  const seen: string[] = [];
  const serving = (async () => {
    for await (const stream of iterate(server.incoming)) {
      seen.push(header(await stream.headers, ':path')!);
      await stream.respond(ok(), { endStream: true });
    }
  })();
  for (const path of ['/1', '/2', '/3']) {
    const s = await client.openStream({ headers: request(path), endStream: true });
    await s.closed;
  }
  await client.close();
  await serving;
  assert.equal(seen, ['/1', '/2', '/3']);
});

test('for await over a readable yields the DATA in order and ends at FIN', async () => {
  const { client, server } = sessionPair();
  const parts = ['one', 'two', 'three'].map((s) => new TextEncoder().encode(s));
  const served = (async () => {
    const stream = await nextIncoming(server);
    await stream.respond(ok());
    const w = stream.writable.getWriter();
    for (const p of parts) await w.write(p);
    await w.close();
  })();
  const stream = await client.openStream({ headers: request(), endStream: true });
  let text = '';
  for await (const chunk of iterate(stream.readable)) text += new TextDecoder().decode(chunk);
  assert.is(text, 'onetwothree');
  await served;
  await client.close();
});

test('endStream on openStream sends FIN with the SYN_STREAM: the peer reads an empty body, our writable is shut', async () => {
  const { client, server } = sessionPair();
  const stream = await client.openStream({ headers: request(), endStream: true });
  const incoming = await nextIncoming(server);
  assert.is((await readAll(incoming.readable)).length, 0);
  assert.instance(await rejectionOf(stream.writable.getWriter().write(new Uint8Array(1))), StreamClosedError);
  await incoming.respond(ok(), { endStream: true });
  assert.is((await readAll(stream.readable)).length, 0);
  await stream.closed;
  await client.close();
});

test('HEADERS after the reply are collected in trailers, resolved when the peer ends its side', async () => {
  const { client, server } = sessionPair();
  const served = (async () => {
    const stream = await nextIncoming(server);
    await stream.respond(ok());
    const w = stream.writable.getWriter();
    await w.write(new Uint8Array(10));
    w.releaseLock();
    await stream.sendHeaders([['x-checksum', 'abc']]);
    await stream.sendHeaders([['x-more', '1']], { endStream: true });
  })();
  const stream = await client.openStream({ headers: request(), endStream: true });
  assert.is((await readAll(stream.readable)).length, 10);
  assert.equal(await stream.trailers, [['x-checksum', 'abc'], ['x-more', '1']]);
  await stream.closed;
  await served;
  await client.close();
});

test('trailers resolve empty when the peer sent no HEADERS', async () => {
  const { client, server } = sessionPair();
  const stream = await client.openStream({ headers: request(), endStream: true });
  await (await nextIncoming(server)).respond(ok(), { endStream: true });
  assert.equal(await stream.trailers, []);
  await client.close();
});

test('respond is for streams the peer opened, and only once', async () => {
  const { client, server } = sessionPair();
  const stream = await client.openStream({ headers: request() });
  assert.instance(await rejectionOf(stream.respond(ok())), InvalidArgumentError);
  const incoming = await nextIncoming(server);
  await incoming.respond(ok(), { endStream: true });
  assert.instance(await rejectionOf(incoming.respond(ok())), InvalidArgumentError);
  stream.reset();
  await client.close();
});

test('a bad header list is refused by openStream with InvalidArgumentError', async () => {
  const { client } = sessionPair();
  assert.instance(await rejectionOf(client.openStream({ headers: [['', 'x']] })), InvalidArgumentError);
  assert.is(client.numOpenStreams, 0);
  await client.close();
});

test('a bad side, version or config is refused when the session is made', () => {
  const [a] = createMemoryTransportPair();
  const is = (type: Function) => (err: unknown) => err instanceof type;
  assert.throws(() => new SpdySession(a, { side: 'peer' as 'client' }), is(InvalidArgumentError));
  assert.throws(() => new SpdySession(a, { side: 'client', version: 5 as 4 }), is(UnsupportedVersionError));
  assert.throws(() => new SpdySession(a, { side: 'client', config: { initialWindowSize: 0 } }), is(InvalidArgumentError));
  assert.throws(() => new SpdySession({} as never, { side: 'client' }), is(InvalidArgumentError));
});

test('ping resolves with the round trip in milliseconds', async () => {
  const { client, server } = sessionPair();
  const before = performance.now();
  const [rttClient, rttServer] = await Promise.all([client.ping(), server.ping()]);
  const elapsed = performance.now() - before;
  assert.type(rttClient, 'number');
  assert.ok(rttClient >= 0 && rttServer >= 0);
  assert.ok(rttClient <= elapsed && rttServer <= elapsed, 'a round trip fits in the time ping() took');
  await client.close();
});

test('ping stays pending until the peer echoes its PING, then resolves', async () => {
  const peer = hostileTransportPeer('client');
  const rtt = peer.session.ping();
  let sent: any;
  while (!(sent = peer.frames.find((f) => f.frameType === PING))) await tick();
  assert.is(sent.uniqueId % 2, 1, 'a client pings with odd ids');
  assert.is(await stateOf(rtt), 'pending', 'no answer yet');
  await peer.send({ frameType: PING, uniqueId: sent.uniqueId + 2 });
  assert.is(await stateOf(rtt), 'pending', 'a PING with another id is not the answer');
  await peer.send({ frameType: PING, uniqueId: sent.uniqueId });
  assert.type(await rtt, 'number');
  peer.session.destroy();
});

test('a session made without a version speaks SPDY/3.1: version 3 frames and a connection window', async () => {
  const [a, b] = createMemoryTransportPair();
  const client = new SpdySession(a, { side: 'client' });
  const server = new SpdySession(b, { side: 'server' });
  assert.is(client.version, PROTO_SPDY3_1);
  assert.is(server.version, PROTO_SPDY3_1);
  const peer = hostileTransportPeer('client');
  assert.is(peer.session.version, PROTO_SPDY3_1, 'the raw peer helper also leaves version out');
  while (!peer.frames.some((f) => f.frameType === WINDOW_UPDATE)) await tick();
  const settings = peer.frames.find((f) => f.frameType === SETTINGS) as any;
  const sessionWindow = peer.frames.find((f) => f.frameType === WINDOW_UPDATE) as any;
  assert.is(settings.version, 3);
  assert.is(sessionWindow.streamId, 0, 'only SPDY/3.1 has a connection window to open');
  const stream = await client.openStream({ headers: request(), endStream: true });
  await (await nextIncoming(server)).respond(ok(), { endStream: true });
  await stream.closed;
  await client.close();
  peer.session.destroy();
});

for (const [version, middle] of [[PROTO_SPDY2, 1], [PROTO_SPDY3, 3], [PROTO_SPDY3_1, 3]] as const) {
  test(`v${version}: openStream's priority defaults to ${middle}, the middle of the range; a given one reaches the peer`, async () => {
    const { client, server } = sessionPair({ version });
    const plain = await client.openStream({ headers: request('/a'), endStream: true });
    const urgent = await client.openStream({ headers: request('/b'), endStream: true, priority: 0 });
    assert.is(plain.priority, middle);
    assert.is(urgent.priority, 0);
    const first = await nextIncoming(server);
    const second = await nextIncoming(server);
    const got = new Map<string, number>();
    for (const s of [first, second]) got.set(header(await s.headers, ':path')!, s.priority);
    assert.is(got.get('/a'), middle);
    assert.is(got.get('/b'), 0);
    assert.instance(await rejectionOf(client.openStream({ headers: request(), priority: version === PROTO_SPDY2 ? 4 : 8 })), InvalidArgumentError);
    for (const s of [first, second]) await s.respond(ok(), { endStream: true });
    await Promise.all([plain.closed, urgent.closed]);
    await client.close();
  });
}

test('respond with endStream sends FIN on the SYN_REPLY and shuts our writable', async () => {
  const peer = hostileTransportPeer('server');
  await peer.send({ frameType: SYN_STREAM, streamId: 1, flags: CTRL_FLAG_FIN, nv: request() });
  const incoming = await nextIncoming(peer.session);
  await incoming.respond(ok(), { endStream: true });
  let reply: any;
  while (!(reply = peer.frames.find((f) => f.frameType === SYN_REPLY))) await tick();
  assert.is(reply.streamId, 1);
  assert.is(reply.flags & CTRL_FLAG_FIN, CTRL_FLAG_FIN);
  assert.instance(await rejectionOf(incoming.writable.getWriter().write(new Uint8Array(1))), StreamClosedError);
  await incoming.closed;
  assert.is(peer.session.numOpenStreams, 0);
  peer.session.destroy();
});

test('bufferedBytes counts what arrived and was not read: per stream, and per session while the stream is open', async () => {
  const { client, server } = sessionPair();
  const stream = await client.openStream({ headers: request(), endStream: true });
  const incoming = await nextIncoming(server);
  await incoming.respond(ok());
  const writer = incoming.writable.getWriter();
  await writer.write(new Uint8Array(5000));
  while (stream.bufferedBytes < 5000) await tick();
  assert.is(client.bufferedBytes, 5000);
  await writer.close();
  await stream.closed;
  // Over: still readable, but the application's, not the session's.
  assert.is(stream.bufferedBytes, 5000);
  assert.is(client.bufferedBytes, 0);
  assert.is((await readAll(stream.readable)).length, 5000);
  assert.is(stream.bufferedBytes, 0);
  assert.is(client.bufferedBytes, 0);
  await client.close();
});

test.run();
