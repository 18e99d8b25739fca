// PrefaceReader.release(): what was read ahead and not consumed goes first, to the readable or to a lending sink.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PrefaceReader } from '../../src/handshake/preface.js';
import { InvalidArgumentError } from '../../src/base/errors.js';
import type { Transport } from '../../src/streams/transport.js';
import { readAll } from '../streams/session-pair.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** A transport whose readable gives `chunks` and then waits; it lends if `lends`. */
function fakeTransport(chunks: string[], lends: boolean) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const readable = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      for (const chunk of chunks) c.enqueue(bytes(chunk));
    },
  });
  const writable = new WritableStream<Uint8Array>();
  let lentTo: ((chunk: Uint8Array) => Promise<void> | void) | null = null;
  const transport: Transport = lends
    ? { readable, writable, lend: (sink) => { lentTo = sink; }, allocate: (n) => new Uint8Array(n) }
    : { readable, writable };
  return { transport, end: () => controller.close(), lentTo: () => lentTo };
}

/** Reads the head up to its blank line and consumes it. */
async function pastHead(reader: PrefaceReader): Promise<void> {
  const end = await reader.readUntil((b) => {
    const at = text(b).indexOf('\r\n\r\n');
    return at < 0 ? undefined : at + 4;
  }, 1000);
  reader.consume(end);
}

test('without lending, the bytes after the head come first out of the readable, then the rest', async () => {
  const fake = fakeTransport(['HEAD\r\n\r\nAB', 'CD'], false);
  const reader = new PrefaceReader(fake.transport);
  await pastHead(reader);
  const released = reader.release();
  assert.is(released.lend, undefined);
  assert.is(released.allocate, undefined);
  const reading = readAll(released.readable);
  fake.end();
  assert.is(text(await reading), 'ABCD');
});

test('a lending transport still lends once released: the bytes after the head first, the transport\'s reads once the sink has given them back', async () => {
  const fake = fakeTransport(['HEAD\r\n\r\nAB'], true);
  const reader = new PrefaceReader(fake.transport);
  await pastHead(reader);
  const released = reader.release();
  const got: string[] = [];
  let giveBack = (): void => undefined;
  assert.is(released.allocate!(3).length, 3, 'the memory for copies of lent reads comes along');
  released.lend!((chunk) => {
    got.push(text(chunk));
    if (got.length > 1) return undefined;
    return new Promise<void>((resolve) => { giveBack = resolve; });
  });
  assert.equal(got, ['AB']);
  assert.is(fake.lentTo(), null, 'the transport lends only once the first bytes are given back');
  giveBack();
  await new Promise((resolve) => setTimeout(resolve, 0));
  await fake.lentTo()!(bytes('EF'));
  assert.equal(got, ['AB', 'EF']);
  assert.throws(() => released.lend!(() => undefined), (err: unknown) => err instanceof InvalidArgumentError);
  // The readable carries no bytes of its own and ends with the transport.
  const reading = readAll(released.readable);
  fake.end();
  assert.is((await reading).length, 0);
});

test.run();
