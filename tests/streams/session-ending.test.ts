// How a SpdySession ends: close(), drainFirst, the peer's GOAWAY, transport failures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CTRL_FLAG_FIN, DataFrame, EOFError, FrameEncoder, GOAWAY, GoawayFrame, SynReplyFrame, PROTO_SPDY3, REFUSED_STREAM, SYN_STREAM, SpdyError,
  StreamClosedError,
} from '../../src/index.js';
import {
  iterate, nextIncoming, ok, rawPeer, readAll, rejectionOf, request, sessionPair, stateOf, writeAll,
} from './session-pair.js';

/** A client session against a raw peer end the test drives by hand. */
function clientPeer() {
  const { session, ...rest } = rawPeer('client');
  return { client: session, ...rest };
}

test('close() sends GOAWAY, refuses new streams, lets open ones finish, then both sessions end cleanly', async () => {
  const { client, server } = sessionPair();
  const stream = await client.openStream({ headers: request('/', 'POST') });
  const incoming = await nextIncoming(server);
  const closing = client.close();
  assert.instance(await rejectionOf(client.openStream({ headers: request() })), StreamClosedError);
  assert.is(await stateOf(closing), 'pending', 'a stream is still open');
  await incoming.respond(ok());
  await Promise.all([
    writeAll(stream.writable, new Uint8Array(100_000)),
    readAll(incoming.readable),
    writeAll(incoming.writable, new Uint8Array(100_000)),
    readAll(stream.readable),
  ]);
  await closing;
  await server.closed;
  assert.is(client.numOpenStreams, 0);
  assert.is(server.numOpenStreams, 0);
});

test('close({ drainFirst: true }) holds the GOAWAY back until the open streams have finished', async () => {
  const { session: client, frames, writer, reading } = rawPeer('client');
  const encoder = new FrameEncoder({ version: PROTO_SPDY3, side: 2 });
  const stream = await client.openStream({ headers: request(), endStream: true });
  const closing = client.close({ drainFirst: true });
  assert.instance(await rejectionOf(client.openStream({ headers: request() })), StreamClosedError);
  await writer.write(encoder.encode(new SynReplyFrame({ streamId: stream.id, nv: ok() })));
  await stateOf(closing);
  assert.not.ok(frames.some((f) => f.frameType === GOAWAY), 'no GOAWAY while the stream is open');
  await writer.write(encoder.encode({ frameType: 0, streamId: stream.id, flags: CTRL_FLAG_FIN, data: new Uint8Array(3) }));
  assert.is((await readAll(stream.readable)).length, 3);
  await writer.close();
  await closing;
  await reading;
  const goaway = frames.findIndex((f) => f.frameType === GOAWAY);
  assert.ok(goaway >= 0, 'the GOAWAY went out once the stream was done');
  assert.is(client.numOpenStreams, 0);
});

test('a GOAWAY from the peer refuses our new streams while open ones finish', async () => {
  const { client, server } = sessionPair();
  const stream = await client.openStream({ headers: request() });
  const incoming = await nextIncoming(server);
  const serverClosed = server.close();
  await client.ping().catch(() => {});
  assert.instance(await rejectionOf(client.openStream({ headers: request() })), StreamClosedError);
  await incoming.respond(ok(), { endStream: true });
  await stream.writable.close();
  await stream.closed;
  await serverClosed;
  await client.closed;
});

test('a stream the peer never saw before its GOAWAY is refused with REFUSED_STREAM', async () => {
  const { client, server } = sessionPair();
  const opening = client.openStream({ headers: request(), endStream: true });
  // GOAWAY (last good stream 0) goes out before the server reads the SYN_STREAM.
  const serverClosed = server.close();
  const stream = await opening;
  const err = await rejectionOf(stream.closed);
  assert.is(err.statusCode, REFUSED_STREAM);
  await serverClosed;
  await client.closed;
  assert.is(client.numOpenStreams, 0);
});

test('a transport dropped mid-transfer errors every open stream and rejects closed on both sides', async () => {
  const { client, server, clientEnd } = sessionPair();
  const stream = await client.openStream({ headers: request('/', 'POST') });
  const incoming = await nextIncoming(server);
  const iterating = (async () => {
    for await (const _ of iterate(server.incoming)) { /* no more */ }
  })();
  const writer = stream.writable.getWriter();
  await writer.write(new Uint8Array(1000));
  const cut = new Error('connection reset');
  clientEnd.destroy(cut);
  assert.is(await rejectionOf(client.closed), cut);
  assert.is(await rejectionOf(server.closed), cut);
  assert.is(await rejectionOf(stream.closed), cut);
  assert.is(await rejectionOf(incoming.closed), cut);
  assert.is(await rejectionOf(writer.write(new Uint8Array(1))), cut);
  assert.is(await rejectionOf(incoming.readable.getReader().read()), cut);
  assert.is(await rejectionOf(iterating), cut);
  assert.is(client.numOpenStreams, 0);
  assert.is(server.numOpenStreams, 0);
});


test('the peer closing the connection with a stream open fails it with EOFError, and closed rejects', async () => {
  const { client, frames, writer } = clientPeer();
  const stream = await client.openStream({ headers: request() });
  const ping = client.ping();
  while (!frames.some((f) => f.frameType === SYN_STREAM)) await stateOf(Promise.resolve(), 1);
  await writer.close();
  assert.instance(await rejectionOf(client.closed), EOFError);
  assert.instance(await rejectionOf(stream.closed), EOFError);
  assert.instance(await rejectionOf(ping), EOFError);
  assert.is(client.numOpenStreams, 0);
});

test('close() ends the session when our own FIN finishes the last stream, though the peer says nothing more', async () => {
  const { client, writer, reading } = clientPeer();
  const stream = await client.openStream({ headers: request('/', 'POST') });
  const encoder = new FrameEncoder({ version: PROTO_SPDY3, side: 2 });
  await writer.write(encoder.encode(new SynReplyFrame({ streamId: stream.id, flags: CTRL_FLAG_FIN, nv: ok() })));
  await stream.headers;
  const closing = client.close();
  assert.is(await stateOf(closing), 'pending');
  await stream.writable.close();
  await closing;
  await reading;
  assert.is(client.numOpenStreams, 0);
});

test('the peer closing an idle connection ends the session cleanly', async () => {
  const { client, writer, reading } = clientPeer();
  await writer.close();
  await client.closed;
  await reading;
});

test('destroy() fails every stream with the reason and aborts the transport', async () => {
  const { client, server } = sessionPair();
  const stream = await client.openStream({ headers: request() });
  await nextIncoming(server);
  const why = new SpdyError('shutting down');
  client.destroy(why);
  assert.is(await rejectionOf(stream.closed), why);
  assert.is(await rejectionOf(client.closed), why);
  assert.ok(await rejectionOf(server.closed));
  assert.is(server.numOpenStreams, 0);
});

test('after close(), the GOAWAY is the last frame we send and it says OK', async () => {
  const { client, frames, reading } = clientPeer();
  await client.close();
  await reading;
  const last = frames[frames.length - 1] as any;
  assert.is(last.frameType, GOAWAY);
  assert.is(last.statusCode, 0);
});

test.run();

test('the peer closing the connection after its GOAWAY ends the session cleanly; streams still open fail with EOFError', async () => {
  const { client, writer } = clientPeer();
  const encoder = new FrameEncoder({ version: PROTO_SPDY3, side: 2 });
  const stream = await client.openStream({ headers: request() });
  await writer.write(encoder.encode(new SynReplyFrame({ streamId: stream.id, nv: ok() })));
  await writer.write(encoder.encode(new DataFrame({ streamId: stream.id, flags: CTRL_FLAG_FIN, data: new Uint8Array([1, 2, 3]) })));
  await writer.write(encoder.encode(new GoawayFrame({ lastGoodStreamId: stream.id })));
  await writer.close();
  await client.closed;
  assert.instance(await rejectionOf(stream.closed), EOFError);
  assert.equal([...await readAll(stream.readable)], [1, 2, 3], 'the body the peer finished is still whole');
  assert.is(client.numOpenStreams, 0);
});

test('the peer closing the connection while our close() waits for a stream ends the session cleanly', async () => {
  const { client, writer, frames } = clientPeer();
  const stream = await client.openStream({ headers: request('/', 'POST') });
  const closing = client.close();
  while (!frames.some((f) => f.frameType === GOAWAY)) await stateOf(Promise.resolve(), 1);
  await writer.close();
  await closing;
  await client.closed;
  assert.instance(await rejectionOf(stream.closed), EOFError);
});
