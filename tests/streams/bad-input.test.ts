// SpdySession on undecodable or out-of-place input: GOAWAY, failed streams, refused streams.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  FrameError, GOAWAY, GOAWAY_PROTOCOL_ERROR, PROTO_SPDY2, PROTO_SPDY3, SpdySession, SYN_STREAM,
  createMemoryTransportPair,
} from '../../src/index.js';
import { rawPeer, rejectionOf, request, stateOf } from './session-pair.js';


/** A SPDY/3 control frame header for `type` with `length` bytes of payload. */
function ctrlHead(type: number, length: number, flags = 0): number[] {
  return [0x80, 0x03, 0, type, flags, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff];
}

test('a header block that is not zlib ends the session with GOAWAY PROTOCOL_ERROR and fails open streams', async () => {
  const { session, frames, reading, writer } = rawPeer('client');
  const stream = await session.openStream({ headers: request() });
  const garbage = [0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04];
  // SYN_REPLY for stream 1 whose header block is noise.
  await writer.write(new Uint8Array([...ctrlHead(2, 4 + garbage.length), 0, 0, 0, 1, ...garbage]));
  const err = await rejectionOf(session.closed);
  assert.instance(err, FrameError);
  assert.ok(await rejectionOf(stream.closed));
  await reading;
  const goaway = frames.find((f) => f.frameType === GOAWAY) as any;
  assert.ok(goaway, 'a GOAWAY was sent');
  assert.is(goaway.statusCode, GOAWAY_PROTOCOL_ERROR);
  assert.is(session.numOpenStreams, 0);
});

test('input that ends inside a frame ends the session with GOAWAY and rejects closed', async () => {
  const { session, frames, reading, writer } = rawPeer('server');
  await writer.write(new Uint8Array(ctrlHead(SYN_STREAM, 100).slice(0, 5)));
  await writer.close();
  assert.instance(await rejectionOf(session.closed), FrameError);
  await reading;
  assert.ok(frames.some((f) => f.frameType === GOAWAY));
});

test('a peer stream that arrives after the application cancelled incoming is refused', async () => {
  const [a, b] = createMemoryTransportPair();
  const client = new SpdySession(a, { side: 'client' });
  const server = new SpdySession(b, { side: 'server' });
  await server.incoming.cancel();
  const stream = await client.openStream({ headers: request(), endStream: true });
  const err = await rejectionOf(stream.closed);
  assert.is(err.statusCode, 3 /* REFUSED_STREAM */);
  assert.is(server.numOpenStreams, 0);
  await client.close();
  assert.is(await stateOf(server.closed), 'resolved');
});

for (const version of [PROTO_SPDY3, PROTO_SPDY2] as const) {
  test(`SPDY/${version}: DATA on a stream the peer has not answered breaks the session: GOAWAY, closed rejects with PROTOCOL_ERROR`, async () => {
    // SPDY/2's GOAWAY carries no status: closed still says why the session failed.
    const { session, frames, reading, writer } = rawPeer('client', version);
    const stream = await session.openStream({ headers: request() });
    await writer.write(new Uint8Array([0, 0, 0, 1, 0, 0, 0, 3, 1, 2, 3]));
    assert.ok(await rejectionOf(stream.closed));
    const err = await rejectionOf(session.closed);
    assert.is(err.statusCode, GOAWAY_PROTOCOL_ERROR);
    await writer.close();
    await reading;
    const goaway = frames.find((f) => f.frameType === GOAWAY) as any;
    assert.ok(goaway, 'a GOAWAY was sent');
    if (version !== PROTO_SPDY2) assert.is(goaway.statusCode, GOAWAY_PROTOCOL_ERROR);
  });
}

test.run();
