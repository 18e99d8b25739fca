// socketToWeb: a Node socket as a Web Streams transport, with backpressure and teardown.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { socketToWeb } from '../../src/node/index.js';
import { readAll, rejectionOf, stateOf } from '../streams/session-pair.js';

async function tcpPair(): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise((resolve) => client.once('connect', resolve));
  const peer = await accepted;
  server.close();
  return [client, peer];
}

test('bytes written on one socket\'s writable come out of the other\'s readable; close() ends the socket', async () => {
  const [x, y] = await tcpPair();
  const a = socketToWeb(x);
  const b = socketToWeb(y);
  const w = a.writable.getWriter();
  const body = new Uint8Array(1 << 20).map((_, i) => i % 251);
  await w.write(body.subarray(0, 1000));
  await w.write(body.subarray(1000));
  await w.close();
  const got = await readAll(b.readable);
  assert.is(got.length, body.length);
  assert.ok(got.every((v, i) => v === body[i]));
  await b.writable.close();
  assert.is((await readAll(a.readable)).length, 0);
});

test('a reader that stops makes the socket pause, and write() on the far end eventually waits', async () => {
  const [x, y] = await tcpPair();
  const a = socketToWeb(x);
  const b = socketToWeb(y, { readHighWaterMark: 16384 });
  const w = a.writable.getWriter();
  let last: Promise<void> = Promise.resolve();
  let written = 0;
  for (let i = 0; i < 4096 && (await stateOf(last, 2)) !== 'pending'; i++) {
    last = w.write(new Uint8Array(65536));
    written += 65536;
  }
  assert.is(await stateOf(last), 'pending', 'the kernel buffers filled up');
  assert.ok(y.isPaused(), 'the reading socket was paused');
  const reader = b.readable.getReader();
  let read = 0;
  while (read < written) read += (await reader.read()).value!.length;
  assert.is(await stateOf(last), 'resolved');
  x.destroy();
  y.destroy();
});

test('cancel() on the readable destroys the socket; the peer\'s next reads end', async () => {
  const [x, y] = await tcpPair();
  const a = socketToWeb(x);
  const b = socketToWeb(y);
  await a.readable.cancel();
  assert.ok(x.destroyed);
  const r = await b.readable.getReader().read();
  assert.ok(r.done);
  y.destroy();
});

test('a socket destroyed with an error errors the readable and fails writes', async () => {
  const [x, y] = await tcpPair();
  const a = socketToWeb(x);
  const boom = new Error('boom');
  x.destroy(boom);
  assert.is(await rejectionOf(a.readable.getReader().read()), boom);
  assert.ok(await rejectionOf(a.writable.getWriter().write(new Uint8Array(1))));
  y.destroy();
});

test('close() on the writable of a socket already destroyed settles at once', async () => {
  const [x, y] = await tcpPair();
  const a = socketToWeb(x);
  // Before the 'close' event: end()'s callback would never run.
  x.destroy();
  const outcome = await Promise.race([
    a.writable.close().then(() => 'resolved', () => 'rejected'),
    new Promise((resolve) => setTimeout(resolve, 2000, 'pending')),
  ]);
  assert.not.equal(outcome, 'pending');
  y.destroy();
});


test('a socket that still emits \'end\' and \'data\' after cancel() destroyed it (as Bun\'s do) changes nothing and throws nothing', async () => {
  const [x, y] = await tcpPair();
  const a = socketToWeb(x);
  await a.readable.cancel();
  assert.ok(x.destroyed);
  // Node stays quiet after destroy(); Bun does not. Emit what Bun emits.
  assert.not.throws(() => x.emit('data', Buffer.from('late')));
  assert.not.throws(() => x.emit('end'));
  assert.not.throws(() => x.emit('close'));
  y.destroy();
});


test('writev() sends its parts in order after earlier writes, and settles only once the socket has written them', async () => {
  const [x, y] = await tcpPair();
  const a = socketToWeb(x);
  const b = socketToWeb(y, { readHighWaterMark: 16384 });
  const w = a.writable.getWriter();
  await w.write(new Uint8Array([1, 2, 3]));
  assert.ok(a.writev, 'a socket transport offers gathered writes');
  // Far more than the kernel takes while nobody reads: the write stays pending.
  const big = new Uint8Array(32 << 20).fill(7);
  const pending = a.writev!([new Uint8Array([4]), big, new Uint8Array([5])]);
  assert.is(await stateOf(pending, 20), 'pending', 'held while the socket still holds the parts');
  const reading = readAll(b.readable);
  await pending;
  w.releaseLock();
  await a.writable.close();
  const got = await reading;
  assert.is(got.length, 3 + 1 + big.length + 1);
  assert.equal([...got.subarray(0, 4)], [1, 2, 3, 4]);
  assert.is(got[4], 7);
  assert.is(got[got.length - 1], 5);
});

test('a session over a socket settles each write() only once the socket is done with the chunk: reusing it then corrupts nothing', async () => {
  const { connectSession, listenSessions } = await import('../../src/node/index.js');
  const chunk = new Uint8Array(100_000);
  const rounds = 320;
  // Windows large enough that the socket, not the peer's window, holds the sender back.
  const config = { initialWindowSize: 16 << 20, sessionWindowSize: 16 << 20 };
  const server = listenSessions({ plain: true, host: '127.0.0.1', port: 0, config }, async (session) => {
    for await (const stream of session.incoming) {
      await stream.respond([[':status', '200'], [':version', 'HTTP/1.1']]);
      const w = stream.writable.getWriter();
      for (let r = 0; r < rounds; r++) {
        chunk.fill(r); // the same memory each round, refilled once the last write is done with it
        await w.write(chunk);
      }
      await w.close();
    }
  });
  await server.ready;
  const client = await connectSession({ host: '127.0.0.1', port: server.port, plain: true, config });
  const stream = await client.openStream({
    headers: [[':method', 'GET'], [':path', '/'], [':version', 'HTTP/1.1'], [':host', 'x'], [':scheme', 'http']],
    endStream: true,
  });
  // Not reading for a while fills the kernel's buffers, and then the sending socket's own.
  await new Promise((resolve) => setTimeout(resolve, 300));
  try {
    const got = await readAll(stream.readable);
    assert.is(got.length, rounds * chunk.length);
    for (let r = 0; r < rounds; r++) {
      const part = got.subarray(r * chunk.length, (r + 1) * chunk.length);
      assert.ok(part.every((v) => v === r % 256), `round ${r} arrived as written`);
    }
  } finally {
    client.destroy();
    await client.closed.catch(() => {});
    await server.close();
  }
});

test.run();
