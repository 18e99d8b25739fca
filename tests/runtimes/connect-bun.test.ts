/**
 * connectBun against a stand-in for Bun's socket API (the real one runs in
 * tests/runtimes/run.mjs): partial writes wait for 'drain', a full read queue
 * pauses the socket, events after cancel() change nothing, and TLS resolves
 * only after the handshake, with the ALPN protocol.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connectBun } from '../../src/runtimes/bun.js';

interface Handler {
  data(socket: FakeSocket, data: Uint8Array): void;
  drain(socket: FakeSocket): void;
  end(socket: FakeSocket): void;
  close(socket: FakeSocket, error?: Error): void;
  error(socket: FakeSocket, error: Error): void;
  handshake?(socket: FakeSocket, success: boolean, authorizationError: Error | null): void;
}

/** A socket that takes at most `room` bytes per write until drained. */
class FakeSocket {
  written: number[] = [];
  room = Infinity;
  paused = false;
  ended = false;
  terminated = false;
  alpnProtocol: string | false | null = null;
  constructor(readonly handler: Handler, readonly options: Record<string, unknown>) {}
  write(data: Uint8Array): number {
    const n = Math.min(data.length, this.room);
    this.written.push(...data.subarray(0, n));
    this.room -= n;
    return n;
  }
  end(): void { this.ended = true; }
  terminate(): void { this.terminated = true; }
  pause(): void { this.paused = true; }
  resume(): void { this.paused = false; }
}

let last: FakeSocket | null = null;
// The stand-in is there only while these tests run: code that asks whether it runs under Bun must not see it.
test.before(() => {
  (globalThis as { Bun?: unknown }).Bun = {
    connect(options: { socket: Handler }): Promise<FakeSocket> {
      last = new FakeSocket(options.socket, options);
      return Promise.resolve(last);
    },
  };
});
test.after(() => {
  delete (globalThis as { Bun?: unknown }).Bun;
});
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

test('a write the socket takes only in part waits for drain, then the rest goes out in order', async () => {
  const transport = await connectBun({ hostname: '127.0.0.1', port: 1 });
  const socket = last!;
  socket.room = 3;
  const writer = transport.writable.getWriter();
  let done = false;
  const write = writer.write(new Uint8Array([1, 2, 3, 4, 5, 6, 7])).then(() => (done = true));
  await turn();
  assert.equal(socket.written, [1, 2, 3]);
  assert.not.ok(done, 'write() resolved before the socket took every byte');
  socket.room = 2;
  socket.handler.drain(socket);
  await turn();
  assert.not.ok(done);
  socket.room = Infinity;
  socket.handler.drain(socket);
  await write;
  assert.equal(socket.written, [1, 2, 3, 4, 5, 6, 7]);
  await writer.close();
  assert.ok(socket.ended, 'close() did not end the socket');
});

test('bytes beyond readHighWaterMark pause the socket; reading resumes it', async () => {
  const transport = await connectBun({ hostname: '127.0.0.1', port: 1, readHighWaterMark: 4 });
  const socket = last!;
  socket.handler.data(socket, new Uint8Array([1, 2, 3, 4, 5]));
  assert.ok(socket.paused, 'the socket was not paused');
  const reader = transport.readable.getReader();
  const { value } = await reader.read();
  assert.equal([...value!], [1, 2, 3, 4, 5]);
  await turn();
  assert.not.ok(socket.paused, 'reading did not resume the socket');
});

test('\'data\', \'end\' and \'close\' after cancel() change nothing and throw nothing', async () => {
  const transport = await connectBun({ hostname: '127.0.0.1', port: 1 });
  const socket = last!;
  await transport.readable.cancel();
  assert.ok(socket.terminated);
  assert.not.throws(() => socket.handler.data(socket, new Uint8Array([1])));
  assert.not.throws(() => socket.handler.end(socket));
  assert.not.throws(() => socket.handler.close(socket));
});

test('a peer that closes fails a waiting write with EOFError and ends the readable', async () => {
  const transport = await connectBun({ hostname: '127.0.0.1', port: 1 });
  const socket = last!;
  socket.room = 0;
  const writer = transport.writable.getWriter();
  const write = writer.write(new Uint8Array([1]));
  await turn();
  socket.handler.end(socket);
  socket.handler.close(socket);
  const err = await write.then(() => null, (e: unknown) => e);
  assert.is((err as Error).name, 'EOFError');
  const { done } = await transport.readable.getReader().read();
  assert.ok(done);
});

test('with TLS it resolves after the handshake, with the protocol ALPN chose, and offers the protocols in ALPN\'s wire form', async () => {
  let settled = false;
  const connecting = connectBun({ hostname: 'localhost', port: 1, tls: { alpnProtocols: ['spdy/3.1', 'spdy/3'] } }).then((t) => {
    settled = true;
    return t;
  });
  await turn();
  const socket = last!;
  assert.not.ok(settled, 'resolved before the handshake');
  const tls = socket.options.tls as { ALPNProtocols: Uint8Array; serverName: string };
  assert.equal([...tls.ALPNProtocols], [8, ...new TextEncoder().encode('spdy/3.1'), 6, ...new TextEncoder().encode('spdy/3')]);
  assert.is(tls.serverName, 'localhost');
  socket.alpnProtocol = 'spdy/3.1';
  socket.handler.handshake!(socket, true, null);
  assert.is((await connecting).alpnProtocol, 'spdy/3.1');
});

test('with TLS a certificate that does not verify rejects the connection', async () => {
  const connecting = connectBun({ hostname: 'localhost', port: 1, tls: true });
  await turn();
  const socket = last!;
  socket.handler.handshake!(socket, true, new Error('self-signed certificate'));
  const err = await connecting.then(() => null, (e: unknown) => e);
  assert.is((err as Error).message, 'self-signed certificate');
});

test.run();
