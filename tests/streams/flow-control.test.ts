// SpdySession's windows: a reader that stops stops the sender; spdy3Fallback keeps giving windows back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SpdySession, createMemoryTransportPair, type SpdyStream } from '../../src/index.js';
import {
  iterate, nextIncoming, ok, randomBytes, readAll, request, sessionPair, sha256, stateOf, tick, writeAll,
} from './session-pair.js';

/** SpdySession's default stream window (`initialWindowSize`). */
const WINDOW = 131072;
/**
 * Its default SPDY/3.1 connection window (`sessionWindowSize`); without flow
 * control, the bytes it lets wait unread before it pauses the transport.
 */
const SESSION_WINDOW = 1048576;
/** The largest DATA frame payload the session sends (`maxDataFrameSize`). */
const FRAME = 65536;
const CHUNK = 65536;
/**
 * Size of the slow-reader transfer: 256 MiB (about a second per version
 * here); SPDY_SLOW_READER_MIB sets another size for a slower machine.
 */
const SLOW_READER_BYTES = Number(process.env.SPDY_SLOW_READER_MIB ?? 256) * 1024 * 1024;

/** Writes `total` bytes in CHUNK-sized writes, then FIN. */
async function produce(writable: WritableStream<Uint8Array>, total: number): Promise<void> {
  const w = writable.getWriter();
  const chunk = new Uint8Array(CHUNK);
  for (let n = 0; n < total; n += CHUNK) await w.write(chunk.subarray(0, Math.min(CHUNK, total - n)));
  await w.close();
}

for (const version of [PROTO_SPDY3, PROTO_SPDY3_1] as const) {
  test(`v${version}: a slow reader of ${SLOW_READER_BYTES >> 20} MiB never has more than one window plus a frame buffered`, async () => {
    const { client, server } = sessionPair({ version });
    const served = (async () => {
      const stream = await nextIncoming(server);
      await stream.respond(ok());
      await produce(stream.writable, SLOW_READER_BYTES);
    })();
    const stream = await client.openStream({ headers: request(), endStream: true });
    const reader = stream.readable.getReader();
    let received = 0;
    let maxBuffered = 0;
    let reads = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      received += value.length;
      // Slower than the sender: stop now and then, and see what waits after it.
      if (++reads % 16 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      maxBuffered = Math.max(maxBuffered, client.bufferedBytes, stream.bufferedBytes);
    }
    await served;
    assert.is(received, SLOW_READER_BYTES);
    assert.ok(maxBuffered > 0, 'the reader was slow enough for data to wait');
    assert.ok(maxBuffered <= WINDOW + FRAME, `buffered up to ${maxBuffered} bytes`);
    assert.is(client.bufferedBytes, 0);
    await client.close();
  });
}

test('a reader that stops reading stops the sender after one window; reading lets it go on', async () => {
  const { client, server } = sessionPair();
  let sent = 0;
  const serverSide = (async () => {
    const stream = await nextIncoming(server);
    await stream.respond(ok());
    return stream;
  })();
  const stream = await client.openStream({ headers: request(), endStream: true });
  const incoming = await serverSide;
  const writer = incoming.writable.getWriter();
  let pending: Promise<void> = Promise.resolve();
  // Write until a write() stays pending: the window is spent.
  for (let i = 0; i < 100; i++) {
    pending = writer.write(new Uint8Array(8192));
    if ((await stateOf(pending)) === 'pending') break;
    sent += 8192;
  }
  assert.is(await stateOf(pending), 'pending');
  assert.is(client.bufferedBytes, WINDOW, 'exactly one window arrived');
  assert.ok(sent <= WINDOW + 8192);
  const reader = stream.readable.getReader();
  let read = 0;
  while (read < WINDOW / 2) read += (await reader.read()).value!.length;
  assert.is(await stateOf(pending), 'resolved', 'the WINDOW_UPDATE let the sender go on');
  stream.reset();
  await client.close();
});

for (const highWaterMark of [undefined, 16384] as const) {
  test(`sending to a peer whose window is spent, a stream holds no more than its writable's high-water mark (${highWaterMark ?? 'default 65536'})`, async () => {
    const limit = highWaterMark ?? 65536;
    const { client, server } = sessionPair({ session: { streamWriteHighWaterMark: highWaterMark } });
    const stream = await client.openStream({ headers: request('/', 'POST') });
    const incoming = await nextIncoming(server);
    const writer = stream.writable.getWriter();
    const chunk = new Uint8Array(4096);
    let accepted = 0;
    // A producer that writes whenever the writable asks for more, as pipeTo does.
    for (let idle = 0; idle < 3;) {
      let wrote = false;
      // The cap only keeps a broken bound from running the test forever.
      while ((writer.desiredSize ?? 0) > 0 && accepted < WINDOW + 8 * limit) {
        writer.write(chunk).catch(() => undefined);
        accepted += chunk.length;
        wrote = true;
      }
      await tick();
      idle = wrote ? 0 : idle + 1;
    }
    assert.is(incoming.bufferedBytes, WINDOW, 'the peer got one window and no more');
    assert.is(await stateOf(writer.ready), 'pending', 'the writable asks for nothing more');
    const held = accepted - incoming.bufferedBytes;
    assert.ok(held > 0, 'the producer ran ahead of the window');
    assert.ok(held <= limit + chunk.length, `held ${held} bytes beyond what was sent`);
    // Reading frees the window, which drains what was held.
    const reader = incoming.readable.getReader();
    let read = 0;
    while (read < accepted) read += (await reader.read()).value!.length;
    assert.is(read, accepted);
    assert.is(await stateOf(writer.ready), 'resolved');
    stream.reset();
    await client.close();
  });
}

test("write() stays pending while the transport takes nothing, and resolves when it drains", async () => {
  const [ours, theirs] = createMemoryTransportPair({ highWaterMark: 1024 });
  // 16 KiB frames: the write spans two, and the first fills the transport.
  const client = new SpdySession(ours, { side: 'client', writeBufferSize: 4096, config: { maxDataFrameSize: 16384 } });
  const stream = await client.openStream({ headers: request('/', 'POST') });
  const writer = stream.writable.getWriter();
  const first = writer.write(new Uint8Array(30000));
  assert.is(await stateOf(first), 'pending', 'nothing reads the transport');
  const reader = theirs.readable.getReader();
  let drained = 0;
  while (drained < 30000) drained += (await reader.read()).value!.length;
  assert.is(await stateOf(first), 'resolved');
  client.destroy();
});

for (const [name, version, config] of [
  ['peerFlowControl: false', PROTO_SPDY3_1, { peerFlowControl: false }],
  ['SPDY/2, which has no flow control', PROTO_SPDY2, undefined],
] as const) {
  test(`${name}: the sender does not stall on windows, and the receiver bounds memory by pausing the transport`, async () => {
    const { client, server } = sessionPair({ version, config });
    const TOTAL = 4 << 20;
    const served = (async () => {
      const stream = await nextIncoming(server);
      await stream.respond(ok());
      await produce(stream.writable, TOTAL);
    })();
    const stream = await client.openStream({ headers: request(), endStream: true });
    const reader = stream.readable.getReader();
    let received = 0;
    let maxBuffered = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      received += value.length;
      maxBuffered = Math.max(maxBuffered, client.bufferedBytes);
      await tick();
    }
    await served;
    assert.is(received, TOTAL);
    // Reads pause once a window's worth waits; the transport chunk that crossed the line is the
    // slack: at most the sender's 64 KiB write buffer and the frame that filled it.
    assert.ok(maxBuffered <= SESSION_WINDOW + 65536 + FRAME, `buffered up to ${maxBuffered} bytes`);
    await client.close();
  });
}

test('a SPDY/3.1 server that falls back to SPDY/3 (spdy3Fallback) still gives windows back: 1 MiB each way after it', async () => {
  const [clientEnd, serverEnd] = createMemoryTransportPair();
  const client = new SpdySession(clientEnd, { side: 'client', version: PROTO_SPDY3 });
  const server = new SpdySession(serverEnd, { side: 'server', version: PROTO_SPDY3_1, config: { spdy3Fallback: true } });
  const download = randomBytes(2 * SESSION_WINDOW, 11);
  const upload = randomBytes(SESSION_WINDOW, 12);
  const serving = (async () => {
    for (const body of [download, null]) {
      const stream = await nextIncoming(server);
      await stream.respond(ok());
      if (body) {
        await writeAll(stream.writable, body);
      } else {
        const got = await readAll(stream.readable);
        await writeAll(stream.writable, new TextEncoder().encode(sha256(got)));
      }
    }
  })();
  const get = await client.openStream({ headers: request('/down'), endStream: true });
  assert.is(sha256(await readAll(get.readable)), sha256(download));
  const post = await client.openStream({ headers: request('/up', 'POST') });
  await writeAll(post.writable, upload);
  assert.is(new TextDecoder().decode(await readAll(post.readable)), sha256(upload));
  await serving;
  await client.close();
  await server.closed;
});

for (const [label, version, config] of [
  ['SPDY/3.1: the connection window comes back', PROTO_SPDY3_1, undefined],
  ['SPDY/2: the paused transport reads on', PROTO_SPDY2, undefined],
  ['peerFlowControl: false: the paused transport reads on', PROTO_SPDY3_1, { peerFlowControl: false }],
] as const) {
  test(`bodies of streams answered and closed unread stop counting against the session (${label}): four connection windows of them go through`, async () => {
    const { client, server } = sessionPair({ version, config });
    const body = new Uint8Array(64 * 1024);
    const kept: SpdyStream[] = [];
    const serving = (async () => {
      for await (const stream of iterate(server.incoming)) {
        kept.push(stream);
        await stream.respond(ok(), { body: 'ok' });
      }
    })();
    // 64 POSTs of 64 KiB: four times the connection window, none of them read by the server.
    for (let i = 0; i < 64; i++) {
      const post = await client.openStream({ headers: request('/ignored', 'POST'), body });
      assert.is(new TextDecoder().decode(await post.bytes()), 'ok');
      await post.closed;
    }
    await tick();
    assert.is(server.bufferedBytes, 0, 'the session counts none of it');
    // Each stream still holds its body, readable to the end.
    const last = kept.at(-1)!;
    await last.closed;
    assert.is(last.bufferedBytes, body.length);
    assert.is((await readAll(last.readable)).length, body.length);
    assert.is(server.bufferedBytes, 0, 'reading it later gives nothing back twice');
    await client.close();
    await serving;
  });
}

test.run();
