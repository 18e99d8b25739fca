// How a SpdyStream ends: cancel, abort, reset, and what the peer sees of each.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CANCEL, INTERNAL_ERROR, PROTOCOL_ERROR, SpdyError } from '../../src/index.js';
import {
  nextIncoming, ok, readAll, rejectionOf, request, sessionPair, stateOf, writeAll,
} from './session-pair.js';

/** A client stream and the server's side of it, replied to, both still open. */
async function openPair(version?: 2 | 3 | 4) {
  const pair = sessionPair({ version });
  const stream = await pair.client.openStream({ headers: request('/', 'POST') });
  const incoming = await nextIncoming(pair.server);
  await incoming.respond(ok());
  await stream.headers;
  return { ...pair, stream, incoming };
}

async function expectReset(stream: { readable: ReadableStream; closed: Promise<void> }, statusCode: number) {
  const err = await rejectionOf(stream.closed);
  assert.instance(err, SpdyError);
  assert.is(err.statusCode, statusCode);
  const readErr = await rejectionOf(stream.readable.getReader().read());
  assert.is(readErr.statusCode, statusCode);
}

test('readable.cancel() sends RST_STREAM CANCEL: the peer\'s readable and writable error with statusCode CANCEL', async () => {
  const { client, server, stream, incoming } = await openPair();
  await stream.readable.cancel();
  await expectReset(incoming, CANCEL);
  const writeErr = await rejectionOf(incoming.writable.getWriter().write(new Uint8Array(1)));
  assert.is(writeErr.statusCode, CANCEL);
  // Our own readable is simply closed, as a cancelled ReadableStream is; `closed` tells the reset.
  assert.is((await rejectionOf(stream.closed)).statusCode, CANCEL);
  assert.is(client.numOpenStreams, 0);
  assert.is(server.numOpenStreams, 0);
  await client.close();
});

test('writable.abort() sends RST_STREAM CANCEL', async () => {
  const { client, server, stream, incoming } = await openPair();
  await stream.writable.abort(new Error('changed my mind'));
  await expectReset(incoming, CANCEL);
  await expectReset(stream, CANCEL);
  assert.is(client.numOpenStreams, 0);
  assert.is(server.numOpenStreams, 0);
  await client.close();
});

test('reset(code) from the client reaches the server with that code', async () => {
  const { client, server, stream, incoming } = await openPair();
  stream.reset(INTERNAL_ERROR);
  await expectReset(incoming, INTERNAL_ERROR);
  await expectReset(stream, INTERNAL_ERROR);
  assert.is(server.numOpenStreams, 0);
  await client.close();
});

test('reset(code) from the server reaches the client with that code, failing a pending write', async () => {
  const { client, stream, incoming } = await openPair();
  const writer = stream.writable.getWriter();
  // More than a window: the write waits for WINDOW_UPDATE the server will never send.
  const write = writer.write(new Uint8Array(200_000));
  assert.is(await stateOf(write), 'pending');
  incoming.reset(PROTOCOL_ERROR);
  const err = await rejectionOf(write);
  assert.instance(err, SpdyError);
  assert.is(err.statusCode, PROTOCOL_ERROR);
  await expectReset(stream, PROTOCOL_ERROR);
  assert.is(client.numOpenStreams, 0);
  await client.close();
});

test('a reset with unread data gives the connection window back: later streams still move more than a window', async () => {
  const { client, server, stream, incoming } = await openPair(4);
  await writeAll(incoming.writable, new Uint8Array(60_000)).catch(() => {});
  while (stream.bufferedBytes < 60_000) await stateOf(Promise.resolve());
  stream.reset();
  assert.is(client.bufferedBytes, 0);
  const next = await client.openStream({ headers: request('/again'), endStream: true });
  const served = (async () => {
    const s = await nextIncoming(server);
    await s.respond(ok());
    await writeAll(s.writable, new Uint8Array(300_000));
  })();
  assert.is((await readAll(next.readable)).length, 300_000);
  await served;
  await client.close();
});

test('cancelling a readable already read to its end, on a closed stream, sends nothing and changes nothing', async () => {
  const { client, stream, incoming } = await openPair();
  await stream.writable.close();
  await writeAll(incoming.writable, new Uint8Array(10));
  assert.is((await readAll(stream.readable)).length, 10);
  await stream.closed;
  await stream.readable.cancel();
  stream.reset();
  assert.is(await stateOf(stream.closed), 'resolved');
  assert.is(client.numOpenStreams, 0);
  await client.close();
});

test('a body the peer finished with FIN stays readable to its end when the peer resets the stream afterwards', async () => {
  const { client, server, stream, incoming } = await openPair();
  const body = new Uint8Array(40_000).map((_, i) => i % 251);
  await writeAll(incoming.writable, body);
  await stream.trailers; // the FIN has reached the client, the body unread
  incoming.reset(INTERNAL_ERROR);
  assert.is((await rejectionOf(stream.closed)).statusCode, INTERNAL_ERROR);
  assert.equal(await readAll(stream.readable), body, 'nothing received before the FIN is lost');
  await client.close();
  await server.closed;
});

test('reset() on a stream closed with its body unread sends nothing and drops the body: the session holds none of it', async () => {
  const { client, server, stream, incoming } = await openPair();
  await stream.writable.close();
  await writeAll(incoming.writable, new Uint8Array(5000));
  await stream.closed; // both sides over, the body unread: the stream's now, not the session's
  assert.is(stream.bufferedBytes, 5000);
  assert.is(client.bufferedBytes, 0);
  stream.reset();
  assert.is(client.bufferedBytes, 0);
  assert.is(stream.bufferedBytes, 0);
  assert.is((await rejectionOf(stream.readable.getReader().read())).statusCode, CANCEL);
  // Nothing went out: the server's stream ended cleanly and stays so.
  assert.is(await stateOf(incoming.closed), 'resolved');
  await client.close();
  await server.closed;
});

test.run();
