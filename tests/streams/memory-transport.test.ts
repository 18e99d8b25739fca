// The in-memory transport pair: order, backpressure, destroy.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidArgumentError, createMemoryTransportPair } from '../../src/index.js';
import { readAll, rejectionOf, stateOf } from './session-pair.js';

test('what one end writes the other reads, in order, in both directions', async () => {
  const [a, b] = createMemoryTransportPair();
  const wa = a.writable.getWriter();
  const wb = b.writable.getWriter();
  await wa.write(new Uint8Array([1, 2]));
  await wb.write(new Uint8Array([9]));
  await wa.write(new Uint8Array([3]));
  await wa.close();
  await wb.close();
  assert.equal([...await readAll(b.readable)], [1, 2, 3]);
  assert.equal([...await readAll(a.readable)], [9]);
});

test('a writer waits while the reader has highWaterMark bytes unread, and goes on when it reads', async () => {
  const [a, b] = createMemoryTransportPair({ highWaterMark: 10 });
  const w = a.writable.getWriter();
  await w.write(new Uint8Array(6));
  const second = w.write(new Uint8Array(6));
  assert.is(await stateOf(second), 'pending');
  const reader = b.readable.getReader();
  await reader.read();
  assert.is(await stateOf(second), 'resolved');
});

test('destroy() errors both ends, readables and writables alike', async () => {
  const [a, b] = createMemoryTransportPair();
  const reason = new Error('cable cut');
  const pendingRead = b.readable.getReader().read();
  a.destroy(reason);
  assert.is(await rejectionOf(pendingRead), reason);
  assert.is(await rejectionOf(a.readable.getReader().read()), reason);
  assert.is(await rejectionOf(a.writable.getWriter().write(new Uint8Array(1))), reason);
  assert.is(await rejectionOf(b.writable.getWriter().write(new Uint8Array(1))), reason);
});

test('cancelling a readable errors the writer at the other end', async () => {
  const [a, b] = createMemoryTransportPair({ highWaterMark: 4 });
  const w = a.writable.getWriter();
  await w.write(new Uint8Array(2));
  const blocked = w.write(new Uint8Array(8));
  await b.readable.cancel(new Error('not interested'));
  assert.ok(await rejectionOf(blocked));
  assert.ok(await rejectionOf(w.write(new Uint8Array(1))));
});

test('a non-positive highWaterMark is refused', () => {
  assert.throws(() => createMemoryTransportPair({ highWaterMark: 0 }), (err: unknown) => err instanceof InvalidArgumentError);
});

test.run();
