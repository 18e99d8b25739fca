// socketReads: a dialled socket reads into slabs of our own (`onread`), or lends one buffer read into again, and socketToWeb hands them on.
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

/** The rooms of `n` reads that each fill theirs. */
function fullReads(reads: ReturnType<typeof socketReads>, n: number): number[] {
  const sizes: number[] = [];
  for (let i = 0; i < n; i++) {
    const room = reads.onread.buffer();
    sizes.push(room.length);
    reads.onread.callback(room.length, room);
  }
  return sizes;
}

test('the first slab is 16 KiB, and each read that fills its room doubles the next slab, up to 256 KiB', () => {
  const reads = socketReads();
  reads.attach(() => undefined);
  assert.equal(fullReads(reads, 7), [16, 32, 64, 128, 256, 256, 256].map((n) => n * KiB));
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

test('after a burst, four small reads in a row bring the slab back to 16 KiB: a quiet connection holds little', () => {
  const reads = socketReads();
  reads.attach(() => undefined);
  const big = growTo(reads, 256 * KiB);
  for (let i = 0; i < 3; i++) reads.onread.callback(40, reads.onread.buffer());
  assert.is(reads.onread.buffer().buffer, big.buffer, 'three are not yet a quiet connection');
  reads.onread.callback(40, reads.onread.buffer());
  const next = reads.onread.buffer();
  assert.is.not(next.buffer, big.buffer);
  assert.is(next.buffer.byteLength, 16 * KiB);
});

test('a small read between large ones keeps the slab as it is', () => {
  const reads = socketReads();
  reads.attach(() => undefined);
  const big = growTo(reads, 256 * KiB);
  for (let i = 0; i < 3; i++) reads.onread.callback(40, reads.onread.buffer());
  reads.onread.callback(20000, reads.onread.buffer());
  for (let i = 0; i < 3; i++) reads.onread.callback(40, reads.onread.buffer());
  assert.is(reads.onread.buffer().buffer, big.buffer, 'the large read started the count again');
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

test('lent reads land in one buffer, read into again once the sink has returned', () => {
  const reads = socketReads();
  const seen: number[] = [];
  reads.lend((chunk) => void seen.push(chunk[0]!));
  const first = growTo(reads, 256 * KiB);
  reads.onread.callback(20000, fill(first, 20000, 1));
  const again = reads.onread.buffer();
  assert.is(again, first, 'the same buffer, from its start');
  reads.onread.callback(30000, fill(again, 30000, 2));
  assert.is(reads.onread.buffer(), first);
  assert.equal(seen.slice(-2), [1, 2]);
});

test('a read that comes while the sink holds a lent chunk lands in a new buffer; the held one is read into again once given back', async () => {
  const reads = socketReads();
  let giveBack = (): void => undefined;
  let hold = true;
  const held: Uint8Array[] = [];
  reads.lend((chunk) => {
    if (!hold) return undefined;
    held.push(chunk);
    return new Promise<void>((resolve) => { giveBack = resolve; });
  });
  const first = reads.onread.buffer();
  reads.onread.callback(100, fill(first, 100, 5));
  hold = false;
  const second = reads.onread.buffer();
  assert.is.not(second, first, 'the held chunk is not overwritten');
  reads.onread.callback(100, fill(second, 100, 6));
  assert.ok(held[0]!.every((v) => v === 5));
  giveBack();
  await Promise.resolve();
  await Promise.resolve();
  assert.is(reads.onread.buffer(), second, 'the buffer last read into is the one used again');
});

test('lent reads grow the buffer while they fill it and go back to 16 KiB after four small reads in a row', () => {
  const reads = socketReads();
  reads.lend(() => undefined);
  const sizes = fullReads(reads, 6);
  for (let i = 0; i < 4; i++) {
    reads.onread.callback(40, reads.onread.buffer());
    sizes.push(reads.onread.buffer().length);
  }
  assert.equal(sizes, [16, 32, 64, 128, 256, 256, 256, 256, 256, 16].map((n) => n * KiB));
});

test('TLS records of 16 KiB with a short last one, as a 64 KiB DATA frame arrives, are lent from one buffer', () => {
  const reads = socketReads();
  reads.lend(() => undefined);
  const buffers = new Set<Uint8Array>();
  for (let frame = 0; frame < 8; frame++) {
    for (const record of [16 * KiB, 16 * KiB, 16 * KiB, 16 * KiB, 8]) {
      const room = reads.onread.buffer();
      buffers.add(room);
      reads.onread.callback(Math.min(record, room.length), room);
    }
  }
  // 16 KiB first, filled by the first record; 32 KiB from then on.
  assert.equal([...buffers].map((b) => b.length), [16 * KiB, 32 * KiB]);
});

test('chunks kept before lend() go to the sink first, in order; lend() twice, or attach() after it, is refused', () => {
  const reads = socketReads();
  reads.onread.callback(9000, fill(reads.onread.buffer(), 9000, 1));
  const got: number[] = [];
  reads.lend((chunk) => void got.push(chunk[0]!, chunk.length));
  reads.onread.callback(5, fill(reads.onread.buffer(), 5, 2));
  assert.equal(got, [1, 9000, 2, 5]);
  assert.throws(() => reads.lend(() => undefined), (err: unknown) => err instanceof InvalidArgumentError);
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

/**
 * Runs `check` on a client socket made with `reads` while a server sends it
 * `body` (`sent` resolves once all of it is written); closes both after.
 */
async function whileSending(
  body: Uint8Array, reads: ReturnType<typeof socketReads>, check: (client: net.Socket, sent: Promise<net.Socket>) => Promise<void>,
): Promise<void> {
  const { client, server, sent } = await sendTo(body, reads);
  try {
    await check(client, sent);
  } finally {
    client.destroy();
    server.close();
  }
}

test('socketToWeb over reads: every byte arrives in order, none overwritten by later reads, and the socket\'s end closes the readable', async () => {
  const body = new Uint8Array(4 << 20).map((_, i) => (i * 7 + (i >> 11)) & 255);
  const reads = socketReads();
  await whileSending(body, reads, async (client) => {
    const web = socketToWeb(client, { reads });
    // Every chunk is kept as it came, uncopied, until the end: a slab reused too early would show.
    const chunks: Uint8Array[] = [];
    for await (const chunk of iterate(web.readable)) chunks.push(chunk);
    assert.ok(chunks.length > 1);
    const got = concatBytes(chunks);
    assert.is(got.length, body.length);
    assert.ok(got.every((v, i) => v === body[i]));
  });
});

test('socketToWeb over reads: a reader that stops pauses the socket, and the sender waits until it reads again', async () => {
  const body = new Uint8Array(32 << 20).fill(9);
  const reads = socketReads();
  await whileSending(body, reads, async (client, sent) => {
    const web = socketToWeb(client, { reads, readHighWaterMark: 16384 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(client.isPaused(), 'the reading socket was paused');
    assert.is(await stateOf(sent, 20), 'pending', 'the sender is held back');
    const got = await readAll(web.readable);
    assert.is(got.length, body.length);
    await sent;
  });
});

test('socketToWeb lends its reads once asked: what was queued first, then every read, in order; the readable carries no bytes and closes after the last', async () => {
  const body = new Uint8Array(16 << 20).map((_, i) => (i * 7 + (i >> 11)) & 255);
  const reads = socketReads();
  await whileSending(body, reads, async (client) => {
    const web = socketToWeb(client, { reads });
    // Let reads queue before lending, as a session made after connecting finds them.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const got = new Uint8Array(body.length);
    let at = 0;
    const buffers = new Set<ArrayBufferLike>();
    let calls = 0;
    let overwritten = 0;
    web.lend!((chunk) => {
      got.set(chunk, at);
      at += chunk.length;
      buffers.add(chunk.buffer);
      // Every few chunks the sink holds one for a while: reads wait, and nothing held is overwritten.
      if (++calls % 5 !== 0) return undefined;
      const copy = chunk.slice();
      return new Promise<void>((resolve) => setTimeout(() => {
        if (!chunk.every((v, i) => v === copy[i])) overwritten++;
        resolve();
      }, 2));
    });
    const rest = await readAll(web.readable);
    assert.is(rest.length, 0, 'no bytes through the readable');
    assert.is(at, body.length);
    assert.ok(got.every((v, i) => v === body[i]), 'every byte in order');
    assert.is(overwritten, 0, 'no held chunk was read into');
    // The buffers are the slabs of the queued reads and the lent one's sizes on its way to 256 KiB.
    assert.ok(calls >= 3 * buffers.size, `memory is reused: ${calls} reads into ${buffers.size} buffers`);
    assert.throws(() => web.lend!(() => undefined), (err: unknown) => err instanceof InvalidArgumentError);
  });
});

test('socketToWeb: a sink that holds its chunk pauses the socket, and the sender waits until it is given back', async () => {
  const body = new Uint8Array(32 << 20).fill(9);
  const reads = socketReads();
  await whileSending(body, reads, async (client, sent) => {
    const web = socketToWeb(client, { reads });
    let giveBack: (() => void) | null = null;
    let n = 0;
    web.lend!((chunk) => {
      n += chunk.length;
      if (n < 1 << 20 || giveBack) return undefined;
      return new Promise<void>((resolve) => { giveBack = resolve; });
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(client.isPaused(), 'the reading socket was paused');
    assert.is(await stateOf(sent, 20), 'pending', 'the sender is held back');
    giveBack!();
    await readAll(web.readable);
    assert.is(n, body.length);
    await sent;
  });
});

test('socketToWeb offers lend() and allocate() only over socketReads: a socket read through \'data\' events has neither', async () => {
  const server = net.createServer((s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  try {
    const web = socketToWeb(client);
    assert.is(web.lend, undefined);
    assert.is(web.allocate, undefined);
  } finally {
    client.destroy();
    server.close();
  }
});

test('socketToWeb over reads allocates the DATA copies as plain Uint8Arrays, new each time, owning exactly the length asked', async () => {
  const server = net.createServer((s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const reads = socketReads();
  const client = net.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1', onread: reads.onread });
  try {
    const allocate = socketToWeb(client, { reads }).allocate!;
    const sizes = [0, 1, 100, 65536];
    const made = sizes.map((n) => allocate(n));
    made.forEach((a, i) => {
      assert.is(a.constructor, Uint8Array, 'not a Node Buffer');
      assert.ok(a.length === sizes[i] && a.byteOffset === 0 && a.buffer.byteLength === sizes[i]);
    });
    assert.is(new Set(made.map((a) => a.buffer)).size, made.length);
  } finally {
    client.destroy();
    server.close();
  }
});

test.run();
