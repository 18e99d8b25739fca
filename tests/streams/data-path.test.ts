// The DATA path of a SpdySession: frame size and windows by default, payloads
// handed through without copies, and what that asks of write().
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DATA, DATA_FLAG_FIN, FrameDecoder, FrameEncoder, PROTO_SPDY3, PROTO_SPDY3_1, SETTINGS, SETTINGS_INITIAL_WINDOW_SIZE,
  InvalidArgumentError, SpdySession, SYN_REPLY, concatBytes, createMemoryTransportPair, type DecodedFrame, type SpdyConfig,
} from '../../src/index.js';
import { nextIncoming, ok, randomBytes, readAll, rejectionOf, request, sessionPair } from './session-pair.js';

/** Our client against a raw server: frames it is sent are decoded, bytes it writes go in as they are. */
function rawServer(config?: SpdyConfig) {
  const [ours, theirs] = createMemoryTransportPair();
  const session = new SpdySession(ours, { side: 'client', version: PROTO_SPDY3, config });
  const decoder = new FrameDecoder({ version: PROTO_SPDY3, side: 2 });
  const frames: DecodedFrame[] = [];
  const reader = theirs.readable.getReader();
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      frames.push(...decoder.push(value));
    }
  })().catch(() => {});
  const encoder = new FrameEncoder({ version: PROTO_SPDY3, side: 2 });
  return { session, frames, encoder, writer: theirs.writable.getWriter() };
}

const dataLengths = (frames: DecodedFrame[]): number[] =>
  frames.flatMap((f) => ((f as { frameType?: number }).frameType === DATA ? [(f as { data: Uint8Array }).data.length] : []));

async function until(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(done(), what);
}

test('by default a SpdySession sends DATA in 64 KiB frames; config.maxDataFrameSize changes that', async () => {
  for (const [config, expected] of [
    // close() after the write: FIN comes in an empty frame of its own.
    [undefined, [65536, 34464, 0]],
    [{ maxDataFrameSize: 16384 }, [...Array(6).fill(16384), 1696, 0]],
  ] as const) {
    const { session, frames, encoder, writer: peer } = rawServer(config);
    // A stream window the body fits in, so that only the frame size cuts it.
    await peer.write(encoder.encode({ frameType: SETTINGS, iv: [[SETTINGS_INITIAL_WINDOW_SIZE, 0, 1 << 20]] }));
    await until('the peer\'s window is known', () => session.core.getRemoteSetting(SETTINGS_INITIAL_WINDOW_SIZE) === 1 << 20);
    const stream = await session.openStream({ headers: request('/', 'POST') });
    const writer = stream.writable.getWriter();
    void writer.write(new Uint8Array(100000));
    void writer.close();
    await until('the body was sent', () => dataLengths(frames).length === expected.length);
    assert.equal(dataLengths(frames), expected);
    session.destroy();
  }
});

test('by default a SpdySession gives the peer a 128 KiB stream window and, in SPDY/3.1, a 1 MiB connection window', async () => {
  const { client, server } = sessionPair({ version: PROTO_SPDY3_1 });
  const stream = await client.openStream({ headers: request(), endStream: true });
  const incoming = await nextIncoming(server);
  await incoming.respond(ok(), { endStream: true });
  await stream.closed;
  assert.is(client.core.getRemoteSetting(SETTINGS_INITIAL_WINDOW_SIZE), 131072);
  assert.is(client.core.getSessionRemoteWindowSize(), 1048576);
  await client.close();
});

test('DATA payloads reach the readable as views of the bytes the transport delivered, not copies', async () => {
  const { session, encoder, writer } = rawServer();
  const stream = await session.openStream({ headers: request(), endStream: true });
  await writer.write(encoder.encode({ frameType: SYN_REPLY, streamId: stream.id, nv: ok() }));
  const wire = encoder.encode({ frameType: DATA, streamId: stream.id, flags: DATA_FLAG_FIN, data: randomBytes(1000, 7) });
  await writer.write(wire);
  const reader = stream.readable.getReader();
  const { value } = await reader.read();
  assert.is(value!.buffer, wire.buffer, 'the payload is a view of the chunk written');
  assert.is(value!.byteOffset, wire.byteOffset + 8);
  assert.equal(value, randomBytes(1000, 7));
  session.destroy();
});

test('a DATA frame split across transport chunks reaches the readable in uncopied pieces, whole and in order', async () => {
  const { session, encoder, writer } = rawServer();
  const stream = await session.openStream({ headers: request(), endStream: true });
  await writer.write(encoder.encode({ frameType: SYN_REPLY, streamId: stream.id, nv: ok() }));
  const body = randomBytes(12_000, 3);
  const wire = encoder.encode({ frameType: DATA, streamId: stream.id, flags: DATA_FLAG_FIN, data: body });
  const cuts = [0, 100, 5000, 11_000, wire.length];
  const chunks = cuts.slice(1).map((end, i) => wire.slice(cuts[i], end));
  const reading = (async () => {
    const got: Uint8Array[] = [];
    for await (const c of stream.readable) got.push(c);
    return got;
  })();
  for (const c of chunks) await writer.write(c);
  const got = await reading;
  assert.equal(got.map((c) => c.length), [92, 4900, 6000, wire.length - 11_000], 'one piece per chunk, the head not counted');
  assert.is(got[1]!.buffer, chunks[1]!.buffer, 'a piece is a view of its chunk');
  assert.equal(concatBytes(got), body);
  await stream.closed;
  session.destroy();
});

test('over a transport that lends its reads, each DATA payload is copied into memory from the transport\'s allocate(), read into again safely', async () => {
  const [ours] = createMemoryTransportPair();
  const made: Uint8Array[] = [];
  let sink: ((chunk: Uint8Array) => Promise<void> | void) | null = null;
  const lending = {
    readable: ours.readable,
    writable: ours.writable,
    lend(to: (chunk: Uint8Array) => Promise<void> | void) { sink = to; },
    allocate(length: number) {
      const memory = new Uint8Array(length).fill(0xee);
      made.push(memory);
      return memory;
    },
  };
  const session = new SpdySession(lending, { side: 'client', version: PROTO_SPDY3 });
  const encoder = new FrameEncoder({ version: PROTO_SPDY3, side: 2 });
  const stream = await session.openStream({ headers: request(), endStream: true });
  const body = randomBytes(3000, 5);
  const wire = concatBytes([
    encoder.encode({ frameType: SYN_REPLY, streamId: stream.id, nv: ok() }),
    encoder.encode({ frameType: DATA, streamId: stream.id, flags: DATA_FLAG_FIN, data: body }),
  ]);
  // One buffer, as a lending socket reads into: overwritten once the sink returns.
  const lent = new Uint8Array(wire.length);
  for (const [from, to] of [[0, 2000], [2000, wire.length]] as const) {
    const input = lent.subarray(0, to - from);
    input.set(wire.subarray(from, to));
    await sink!(input);
    input.fill(0);
  }
  const got: Uint8Array[] = [];
  for await (const c of stream.readable) got.push(c);
  assert.ok(got.length > 0 && got.every((c) => made.includes(c)), 'every chunk is memory allocate() made');
  assert.equal(concatBytes(got), body);
  session.destroy();
});

test('a stream reset in the middle of a DATA frame drops the rest; the session and its windows go on', async () => {
  const { session, encoder, writer, frames } = rawServer();
  const a = await session.openStream({ headers: request(), endStream: true });
  const b = await session.openStream({ headers: request(), endStream: true });
  for (const id of [a.id, b.id]) await writer.write(encoder.encode({ frameType: SYN_REPLY, streamId: id, nv: ok() }));
  const wire = encoder.encode({ frameType: DATA, streamId: a.id, data: new Uint8Array(60_000) });
  await writer.write(wire.subarray(0, 20_000));
  a.reset();
  await writer.write(wire.subarray(20_000));
  await writer.write(encoder.encode({ frameType: DATA, streamId: b.id, flags: DATA_FLAG_FIN, data: randomBytes(100, 1) }));
  assert.equal(await readAll(b.readable), randomBytes(100, 1));
  assert.is(session.bufferedBytes, 0, 'nothing of the reset stream is held');
  assert.equal(frames.filter((f) => (f as { frameType?: number }).frameType === 7 /* GOAWAY */), []);
  session.destroy();
});

test('a write() resolves once its chunk is sent, not merely framed: reusing the chunk at once corrupts nothing', async () => {
  // A tight transport and write buffer: each frame is read one step before it can be sent.
  const { client, server } = sessionPair({ highWaterMark: 1024, session: { writeBufferSize: 4096 } });
  const served = (async () => {
    const incoming = await nextIncoming(server);
    await incoming.respond(ok(), { endStream: true });
    return readAll(incoming.readable);
  })();
  const stream = await client.openStream({ headers: request('/', 'POST') });
  const writer = stream.writable.getWriter();
  const chunk = new Uint8Array(40000);
  const expected: Uint8Array[] = [];
  for (let i = 1; i <= 5; i++) {
    chunk.set(randomBytes(chunk.length, i));
    expected.push(chunk.slice());
    await writer.write(chunk);
  }
  chunk.fill(0);
  await writer.close();
  const got = await served;
  assert.is(got.length, 5 * 40000);
  expected.forEach((e, i) => assert.equal(got.subarray(i * 40000, (i + 1) * 40000), e, `write ${i + 1}`));
  await client.close();
});

test('a chunk that is not bytes is refused with InvalidArgumentError; a typed array other than Uint8Array is sent as its bytes', async () => {
  const { client, server } = sessionPair();
  const stream = await client.openStream({ headers: request('/', 'POST') });
  const incoming = await nextIncoming(server);
  const reader = incoming.readable.getReader();
  const writer = (stream.writable as WritableStream<unknown>).getWriter();
  await writer.write(new Uint16Array([0x0201, 0x0403]));
  const expected = [...new Uint8Array(new Uint16Array([0x0201, 0x0403]).buffer)];
  assert.equal([...(await reader.read()).value!], expected);
  assert.instance(await rejectionOf(writer.write('text')), InvalidArgumentError);
  stream.reset();
  await client.close();
  await server.close();
});

test.run();
