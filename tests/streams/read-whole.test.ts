// stream.bytes() and stream.text(): the peer's DATA read whole, windows given back, failures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BodyTooLargeError, CANCEL, ERR_BODY_TOO_LARGE, InvalidArgumentError } from '../../src/index.js';
import {
  nextIncoming, ok, randomBytes, readAll, rejectionOf, request, sessionPair, sha256, tick, writeAll,
} from './session-pair.js';

test('bytes() resolves with the whole body at FIN, over more than one window', async () => {
  const { client, server } = sessionPair({ config: { initialWindowSize: 65536 } });
  const body = randomBytes(1_000_000, 3);
  const serving = (async () => {
    const stream = await nextIncoming(server);
    await stream.respond(ok());
    await writeAll(stream.writable, body);
  })();
  const stream = await client.openStream({ headers: request(), endStream: true });
  assert.is(sha256(await stream.bytes()), sha256(body));
  await serving;
  await stream.closed;
  assert.is(client.bufferedBytes, 0);
  await client.close();
});

test('bytes() takes what arrived before it was called, and what comes after', async () => {
  const { client, server } = sessionPair();
  const stream = await client.openStream({ headers: request(), endStream: true });
  const incoming = await nextIncoming(server);
  await incoming.respond(ok());
  const w = incoming.writable.getWriter();
  await w.write(new Uint8Array([1, 2, 3]));
  while (stream.bufferedBytes < 3) await tick();
  const whole = stream.bytes();
  assert.is(client.bufferedBytes, 0, 'gathered bytes count as read');
  await w.write(new Uint8Array([4, 5]));
  await w.close();
  assert.equal(await whole, new Uint8Array([1, 2, 3, 4, 5]));
  await client.close();
});

test('text() decodes the body as UTF-8; an empty body is empty', async () => {
  const { client, server } = sessionPair();
  const a = await client.openStream({ headers: request('/a'), endStream: true });
  await (await nextIncoming(server)).respond(ok(), { body: 'grüße ✓' });
  assert.is(await a.text(), 'grüße ✓');
  const b = await client.openStream({ headers: request('/b'), endStream: true });
  await (await nextIncoming(server)).respond(ok(), { endStream: true });
  assert.is((await b.bytes()).length, 0);
  await client.close();
});

test('a body is read through readable or whole, not both', async () => {
  const { client, server } = sessionPair();
  const a = await client.openStream({ headers: request('/a'), endStream: true });
  await (await nextIncoming(server)).respond(ok(), { body: 'streamed' });
  const readable = a.readable;
  assert.instance(await rejectionOf(a.bytes()), InvalidArgumentError);
  assert.is(new TextDecoder().decode(await readAll(readable)), 'streamed');

  const b = await client.openStream({ headers: request('/b'), endStream: true });
  await (await nextIncoming(server)).respond(ok(), { body: 'whole' });
  assert.is(await b.text(), 'whole');
  assert.instance(await rejectionOf(readAll(b.readable)), InvalidArgumentError);
  assert.instance(await rejectionOf(b.bytes()), InvalidArgumentError);
  await client.close();
});

test('a reset before the end rejects bytes() with the status; a reset after FIN loses nothing', async () => {
  const { client, server } = sessionPair();
  const cut = await client.openStream({ headers: request('/cut'), endStream: true });
  const incoming = await nextIncoming(server);
  await incoming.respond(ok());
  const whole = cut.bytes();
  await incoming.writable.getWriter().write(new Uint8Array(10));
  incoming.reset(CANCEL);
  assert.is((await rejectionOf(whole)).statusCode, CANCEL);

  // The request side stays open, so the server can still reset after its FIN.
  const done = await client.openStream({ headers: request('/done', 'POST') });
  const answered = await nextIncoming(server);
  await answered.respond(ok(), { body: 'complete' });
  while (!done.peerEnded) await tick();
  answered.reset(CANCEL);
  assert.is((await rejectionOf(done.closed)).statusCode, CANCEL);
  assert.is(await done.text(), 'complete');
  assert.is(client.bufferedBytes, 0);
  await client.close();
});

/** A GET whose answer has sent `sizes` (in writes) that wait unread at the client; `w` writes more. */
async function waitingBody(sizes: number[]) {
  const { client, server } = sessionPair();
  const stream = await client.openStream({ headers: request('/big'), endStream: true });
  const incoming = await nextIncoming(server);
  await incoming.respond(ok());
  const w = incoming.writable.getWriter();
  for (const size of sizes) await w.write(new Uint8Array(size));
  const total = sizes.reduce((a, b) => a + b, 0);
  while (stream.bufferedBytes < total) await tick();
  return { client, server, stream, incoming, w };
}

test('a body past the limit given to bytes() resets the stream with CANCEL and rejects with BodyTooLargeError', async () => {
  const { client, server, stream, incoming, w } = await waitingBody([600]);
  // Some of the body waits unread when bytes() is called; the rest comes after.
  const whole = stream.bytes({ limit: 1000 });
  w.write(new Uint8Array(600)).catch(() => undefined);
  const err = await rejectionOf(whole);
  assert.instance(err, BodyTooLargeError);
  assert.is(err.code, ERR_BODY_TOO_LARGE);
  assert.is((await rejectionOf(incoming.closed)).statusCode, CANCEL);
  // Nothing is held, and the session goes on.
  assert.is(client.bufferedBytes, 0);
  const next = await client.openStream({ headers: request('/small'), endStream: true });
  await (await nextIncoming(server)).respond(ok(), { body: 'fine' });
  assert.is(await next.text({ limit: 4 }), 'fine');
  await client.close();
});

test('a body already over the limit when bytes() is called fails at once, its queued bytes let go', async () => {
  const { client, stream } = await waitingBody([500, 500, 500]);
  assert.instance(await rejectionOf(stream.bytes({ limit: 700 })), BodyTooLargeError);
  assert.is(client.bufferedBytes, 0);
  assert.instance(await rejectionOf(stream.bytes({ limit: -1 })), InvalidArgumentError);
  await client.close();
});

test.run();
