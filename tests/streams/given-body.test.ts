// A body given whole to respond(), openStream() or push(): bytes, text or a stream, FIN on the last DATA frame, failures each way.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CTRL_FLAG_FIN, DATA, DATA_FLAG_FIN, DataFrame, FrameDecoder, INTERNAL_ERROR, InvalidArgumentError, PROTO_SPDY3_1, SYN_REPLY,
  SpdySession, createMemoryTransportPair, type DecodedFrame, type MemoryTransport, type SpdyStream,
} from '../../src/index.js';
import { nextIncoming, ok, randomBytes, readAll, rejectionOf, request, sha256, stateOf, tick } from './session-pair.js';

/** `end` with what it writes decoded into `frames` as it goes (frames of the `from` side). */
function tapped(end: MemoryTransport, from: 'client' | 'server', frames: DecodedFrame[]) {
  const decoder = new FrameDecoder({ version: PROTO_SPDY3_1, side: from === 'server' ? 2 : 1 });
  const out = end.writable.getWriter();
  return {
    readable: end.readable,
    writable: new WritableStream<Uint8Array>({
      write(chunk) {
        frames.push(...decoder.push(chunk.slice()));
        return out.write(chunk);
      },
      close: () => out.close(),
      abort: (reason) => out.abort(reason),
    }),
  };
}

/** A client and a server whose frames are decoded as they go: `sent` the server's, `sentByClient` the client's. */
function tappedPair(serverConfig = {}) {
  const [clientEnd, serverEnd] = createMemoryTransportPair();
  const sent: DecodedFrame[] = [];
  const sentByClient: DecodedFrame[] = [];
  const client = new SpdySession(tapped(clientEnd, 'client', sentByClient), { side: 'client' });
  const server = new SpdySession(tapped(serverEnd, 'server', sent), { side: 'server', config: serverConfig });
  return { client, server, sent, sentByClient };
}

/** The DATA frames among `frames`. */
const dataFrames = (frames: DecodedFrame[]): DataFrame[] => frames.filter((f): f is DataFrame => f.frameType === DATA);

/** The flags of the SYN_REPLY among `frames`. */
function replyFlags(frames: DecodedFrame[]): number {
  const reply = frames.find((f) => f.frameType === SYN_REPLY);
  assert.ok(reply, 'a SYN_REPLY was sent');
  return reply.flags;
}

/** A request from `client` and the stream it arrives as on `server`. */
async function exchange(client: SpdySession, server: SpdySession): Promise<[SpdyStream, SpdyStream]> {
  const [outgoing, incoming] = await Promise.all([
    client.openStream({ headers: request(), endStream: true }),
    nextIncoming(server),
  ]);
  return [outgoing, incoming];
}

test('bytes given to respond go out after the reply, FIN on the last DATA frame, no empty frame', async () => {
  const { client, server, sent } = tappedPair();
  const [outgoing, incoming] = await exchange(client, server);
  // Under the stream window (128 KiB): respond() settles once the body is sent, before this reads.
  const body = randomBytes(120_000, 7);
  await incoming.respond(ok(), { body });
  assert.is(sha256(await readAll(outgoing.readable)), sha256(body));
  await outgoing.closed;
  assert.is(replyFlags(sent) & CTRL_FLAG_FIN, 0, 'the reply leaves the stream open');
  const data = dataFrames(sent);
  assert.equal(data.map((f) => f.data.length), [65536, 120_000 - 65536]);
  assert.equal(data.map((f) => f.flags & DATA_FLAG_FIN), [0, DATA_FLAG_FIN]);
  await client.close();
});

test('text given to respond is sent as UTF-8', async () => {
  const { client, server } = tappedPair();
  const [outgoing, incoming] = await exchange(client, server);
  await incoming.respond(ok(), { body: 'héllo ✓' });
  assert.is(new TextDecoder().decode(await readAll(outgoing.readable)), 'héllo ✓');
  await client.close();
});

test('an empty body ends the stream with the reply itself', async () => {
  const { client, server, sent } = tappedPair();
  const [outgoing, incoming] = await exchange(client, server);
  await incoming.respond(ok(), { body: new Uint8Array(0) });
  await outgoing.closed;
  assert.is(replyFlags(sent) & CTRL_FLAG_FIN, CTRL_FLAG_FIN, 'FIN on the SYN_REPLY');
  assert.is(dataFrames(sent).length, 0);
  await client.close();
});

test('a stream body is copied chunk by chunk, FIN on the last DATA frame when its end comes at once', async () => {
  const { client, server, sent } = tappedPair();
  const [outgoing, incoming] = await exchange(client, server);
  const chunks = [randomBytes(1000, 1), randomBytes(2000, 2), randomBytes(3000, 3)];
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
  await incoming.respond(ok(), { body });
  assert.equal(await readAll(outgoing.readable), new Uint8Array([...chunks[0], ...chunks[1], ...chunks[2]]));
  const data = dataFrames(sent);
  assert.equal(data.map((f) => f.flags & DATA_FLAG_FIN), [0, 0, DATA_FLAG_FIN]);
  await client.close();
});

test('a stream body is not held back: each chunk reaches the peer before the next is made', async () => {
  const { client, server } = tappedPair();
  const [outgoing, incoming] = await exchange(client, server);
  let next!: () => void;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('first'));
      next = () => {
        controller.enqueue(new TextEncoder().encode('second'));
        controller.close();
      };
    },
  });
  const responded = incoming.respond(ok(), { body });
  const reader = outgoing.readable.getReader();
  assert.is(new TextDecoder().decode((await reader.read()).value), 'first');
  assert.is(await stateOf(responded), 'pending');
  next();
  assert.is(new TextDecoder().decode((await reader.read()).value), 'second');
  assert.ok((await reader.read()).done);
  await responded;
  await client.close();
});

test('a body larger than the windows arrives whole as the peer reads', async () => {
  const { client, server } = tappedPair({ initialWindowSize: 65536 });
  const [outgoing, incoming] = await exchange(client, server);
  const body = randomBytes(1_000_000, 9);
  const responded = incoming.respond(ok(), { body });
  assert.is(sha256(await readAll(outgoing.readable)), sha256(body));
  await responded;
  await client.close();
});

test('a body stream that fails resets the stream with INTERNAL_ERROR, and respond rejects with its error', async () => {
  const { client, server } = tappedPair();
  const [outgoing, incoming] = await exchange(client, server);
  const boom = new Error('body failed');
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(boom);
    },
  });
  assert.is(await rejectionOf(incoming.respond(ok(), { body })), boom);
  assert.is((await rejectionOf(outgoing.closed)).statusCode, INTERNAL_ERROR);
  await client.close();
});

test('a reset from the peer while the body waits cancels the body and rejects respond', async () => {
  const { client, server } = tappedPair();
  const [outgoing, incoming] = await exchange(client, server);
  let cancelled: unknown = null;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array([1, 2, 3]));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const responded = incoming.respond(ok(), { body });
  await outgoing.headers;
  outgoing.reset();
  assert.ok(await rejectionOf(responded));
  await tick();
  assert.ok(cancelled, 'the body was cancelled');
  assert.is(server.numOpenStreams, 0);
  await client.close();
});

test('a body goes either to respond or through writable, not both', async () => {
  const { client, server } = tappedPair();
  const [first, answered] = await exchange(client, server);
  await answered.respond(ok(), { body: 'whole' });
  assert.instance(await rejectionOf(answered.writable.getWriter().write(new Uint8Array(1))), InvalidArgumentError);
  assert.is(new TextDecoder().decode(await readAll(first.readable)), 'whole');

  const [second, written] = await exchange(client, server);
  const writable = written.writable;
  const body = new ReadableStream<Uint8Array>();
  assert.instance(await rejectionOf(written.respond(ok(), { body })), InvalidArgumentError);
  assert.not.ok(body.locked, 'the refused body is left to its owner');
  await written.respond(ok());
  const w = writable.getWriter();
  await w.write(new TextEncoder().encode('streamed'));
  await w.close();
  assert.is(new TextDecoder().decode(await readAll(second.readable)), 'streamed');

  const [, third] = await exchange(client, server);
  assert.instance(await rejectionOf(third.respond(ok(), { body: 'x', endStream: true })), InvalidArgumentError);
  assert.instance(await rejectionOf(third.respond(ok(), { body: 42 as never })), InvalidArgumentError);
  await third.respond(ok(), { endStream: true });
  await client.close();
});

test('a request body given to openStream goes out after the SYN_STREAM, FIN on its last DATA frame', async () => {
  const { client, server, sentByClient } = tappedPair();
  const body = randomBytes(100_000, 5);
  const outgoing = await client.openStream({ headers: request('/up', 'POST'), body });
  const incoming = await nextIncoming(server);
  assert.is(sha256(await readAll(incoming.readable)), sha256(body));
  await incoming.respond(ok(), { endStream: true });
  await outgoing.closed;
  const data = dataFrames(sentByClient);
  assert.equal(data.map((f) => f.flags & DATA_FLAG_FIN), [0, DATA_FLAG_FIN]);
  await client.close();
});

test('openStream with a body resolves once the stream is open, before the body is all sent', async () => {
  const { client, server } = tappedPair();
  const body = randomBytes(1_000_000, 6);
  // The server reads nothing yet: only the first window of the body can go.
  const outgoing = await client.openStream({ headers: request('/up', 'POST'), body });
  assert.ok(outgoing.id > 0);
  const incoming = await nextIncoming(server);
  assert.is(sha256(await readAll(incoming.readable)), sha256(body));
  await incoming.respond(ok(), { body: 'thanks' });
  assert.is(await outgoing.text(), 'thanks');
  await client.close();
});

test('a request body stream that fails resets the stream with INTERNAL_ERROR, once it is open', async () => {
  const { client, server } = tappedPair();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(10));
    },
    pull(controller) {
      controller.error(new Error('disk on fire'));
    },
  });
  const outgoing = await client.openStream({ headers: request('/up', 'POST'), body });
  const incoming = await nextIncoming(server);
  assert.is((await rejectionOf(incoming.closed)).statusCode, INTERNAL_ERROR);
  assert.is((await rejectionOf(outgoing.closed)).statusCode, INTERNAL_ERROR);
  assert.is(client.numOpenStreams, 0);
  await client.close();
});

test('a pushed resource given its body arrives whole, FIN on its last DATA frame', async () => {
  const { client, server, sent } = tappedPair();
  const [outgoing, incoming] = await exchange(client, server);
  const pushedBody = randomBytes(100_000, 8);
  const pushing = incoming.push([[':scheme', 'http'], [':host', 'localhost'], [':path', '/style.css'], ...ok()], {
    body: pushedBody,
  });
  const pushed = await nextIncoming(client);
  await pushing;
  assert.instance(await rejectionOf(incoming.push(ok(), { body: 'x', endStream: true })), InvalidArgumentError);
  await incoming.respond(ok(), { body: 'page' });
  assert.is(pushed.associatedStreamId, outgoing.id);
  assert.is(sha256(await pushed.bytes()), sha256(pushedBody));
  assert.is(await outgoing.text(), 'page');
  const pushedData = dataFrames(sent).filter((f) => f.streamId === pushed.id);
  assert.equal(pushedData.map((f) => f.flags & DATA_FLAG_FIN), [0, DATA_FLAG_FIN]);
  assert.instance(await rejectionOf(client.openStream({ headers: request(), body: 'x', endStream: true })), InvalidArgumentError);
  await client.close();
});

test.run();
