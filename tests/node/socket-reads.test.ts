// socketReads: a dialled socket reads into slabs of our own (`onread`), and socketToWeb hands them on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { socketReads, socketToWeb } from '../../src/node/index.js';
import { InvalidArgumentError } from '../../src/base/errors.js';
import { iterate, readAll, stateOf } from '../streams/session-pair.js';
import { concatBytes } from '../../src/base/bytes.js';

const KiB = 1024;

/** What the kernel would have written into `buf` before calling back with `n`. */
function fill(buf: Uint8Array, n: number, value: number): Uint8Array {
  buf.fill(value, 0, n);
  return buf;
}

/** Reads that each fill their room until the slab has grown to `size`; returns the next room. */
function growTo(reads: ReturnType<typeof socketReads>, size: number): Uint8Array {
  let room = reads.onread.buffer();
  while (room.buffer.byteLength < size) {
    reads.onread.callback(room.length, room);
    room = reads.onread.buffer();
  }
  return room;
}

test('the first slab is 16 KiB, and each read that fills its room doubles the next slab, up to 256 KiB', () => {
  const reads = socketReads();
  reads.attach(() => undefined);
  const sizes: number[] = [];
  for (let i = 0; i < 7; i++) {
    const room = reads.onread.buffer();
    sizes.push(room.length);
    reads.onread.callback(room.length, room);
  }
  assert.equal(sizes, [16, 32, 64, 128, 256, 256, 256].map((n) => n * KiB));
});

test('a read of 8 KiB or more is handed on as a view of its slab, and the next read lands after it', () => {
  const reads = socketReads();
  const got: Uint8Array[] = [];
  reads.attach((chunk) => got.push(chunk));
  const first = growTo(reads, 256 * KiB);
  got.length = 0;
  reads.onread.callback(20000, fill(first, 20000, 1));
  const second = reads.onread.buffer();
  assert.is(second.buffer, first.buffer, 'the same slab');
  assert.is(second.byteOffset, first.byteOffset + 20000);
  reads.onread.callback(30000, fill(second, 30000, 2));
  assert.is(got[0]!.buffer, first.buffer, 'not copied');
  assert.ok(got[0]!.every((v) => v === 1), 'the first chunk is untouched by the second read');
  assert.ok(got[1]!.every((v) => v === 2));
  assert.equal(got.map((c) => c.length), [20000, 30000]);
});

test('a slab with under 8 KiB of room left is let go: the next read gets a new one', () => {
  const reads = socketReads();
  reads.attach(() => undefined);
  const first = growTo(reads, 256 * KiB);
  reads.onread.callback(first.length - 8000, first);
  const next = reads.onread.buffer();
  assert.is.not(next.buffer, first.buffer);
  assert.is(next.length, 256 * KiB);
});

test('a read under 8 KiB is copied out, so a kept chunk holds no slab, and its room is read into again', () => {
  const reads = socketReads();
  const got: Uint8Array[] = [];
  reads.attach((chunk) => got.push(chunk));
  const first = reads.onread.buffer();
  reads.onread.callback(100, fill(first, 100, 7));
  assert.is(got[0]!.buffer.byteLength, 100, 'its own memory');
  const next = reads.onread.buffer();
  assert.is(next.buffer, first.buffer);
  assert.is(next.byteOffset, first.byteOffset, 'the same room');
  fill(next, 100, 8);
  assert.ok(got[0]!.every((v) => v === 7), 'the copy is untouched by the next read');
});

test('after a burst, one small read brings the slab back to 16 KiB: a quiet connection holds little', () => {
  const reads = socketReads();
  reads.attach(() => undefined);
  const big = growTo(reads, 256 * KiB);
  reads.onread.callback(40, big);
  const next = reads.onread.buffer();
  assert.is.not(next.buffer, big.buffer);
  assert.is(next.buffer.byteLength, 16 * KiB);
});

test('chunks read before attach() are handed on first, in order; a second attach() is refused', () => {
  const reads = socketReads();
  reads.onread.callback(3, fill(reads.onread.buffer(), 3, 1));
  reads.onread.callback(9000, fill(reads.onread.buffer(), 9000, 2));
  const got: number[] = [];
  reads.attach((chunk) => got.push(chunk[0]!, chunk.length));
  reads.onread.callback(5, fill(reads.onread.buffer(), 5, 3));
  assert.equal(got, [1, 3, 2, 9000, 3, 5]);
  assert.throws(() => reads.attach(() => undefined), (err: unknown) => err instanceof InvalidArgumentError);
});

/** A server that sends `body` in writes of uneven sizes, and a client socket made with `reads`. */
async function sendTo(body: Uint8Array, reads: ReturnType<typeof socketReads>): Promise<{ client: net.Socket; server: net.Server; sent: Promise<net.Socket> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sent = new Promise<net.Socket>((resolve) => server.once('connection', (s) => {
    let at = 0;
    const more = (): void => {
      while (at < body.length) {
        const n = Math.min(body.length - at, 100 + (at % 40000));
        const room = s.write(body.subarray(at, at + n));
        at += n;
        if (!room) return void s.once('drain', more);
      }
      s.end();
      resolve(s);
    };
    more();
  }));
  const client = net.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1', onread: reads.onread });
  await new Promise((resolve) => client.once('connect', resolve));
  return { client, server, sent };
}

test('socketToWeb over reads: every byte arrives in order, none overwritten by later reads, and the socket\'s end closes the readable', async () => {
  const body = new Uint8Array(4 << 20).map((_, i) => (i * 7 + (i >> 11)) & 255);
  const reads = socketReads();
  const { client, server } = await sendTo(body, reads);
  try {
    const web = socketToWeb(client, { reads });
    // Every chunk is kept as it came, uncopied, until the end: a slab reused too early would show.
    const chunks: Uint8Array[] = [];
    for await (const chunk of iterate(web.readable)) chunks.push(chunk);
    assert.ok(chunks.length > 1);
    const got = concatBytes(chunks);
    assert.is(got.length, body.length);
    assert.ok(got.every((v, i) => v === body[i]));
  } finally {
    client.destroy();
    server.close();
  }
});

test('socketToWeb over reads: a reader that stops pauses the socket, and the sender waits until it reads again', async () => {
  const body = new Uint8Array(32 << 20).fill(9);
  const reads = socketReads();
  const { client, server, sent } = await sendTo(body, reads);
  try {
    const web = socketToWeb(client, { reads, readHighWaterMark: 16384 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(client.isPaused(), 'the reading socket was paused');
    assert.is(await stateOf(sent, 20), 'pending', 'the sender is held back');
    const got = await readAll(web.readable);
    assert.is(got.length, body.length);
    await sent;
  } finally {
    client.destroy();
    server.close();
  }
});

test.run();
