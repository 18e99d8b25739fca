// A peer that floods us with frames we must answer (PINGs to echo, bad
// frames to refuse with RST_STREAM) while it does not read our bytes could
// make our outbound queue grow without end. At most maxPendingReplies such
// answers wait unsent; one more gets GOAWAY PROTOCOL_ERROR and the session
// ignores its input from then on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  GOAWAY, GOAWAY_PROTOCOL_ERROR, HEADERS, InvalidArgumentError, PING, PROTOCOL_ERROR, PROTO_SPDY2, PROTO_SPDY3,
  PROTO_SPDY3_1, REFUSED_STREAM, RST_STREAM, SERVER, SYN_STREAM, resolveConfig,
} from '../../src/index.js';
import { REQUEST, RawPeer } from '../session/harness.js';
import { rejectionOf, tick } from '../streams/session-pair.js';
import {
  assertHealthySessionPair, assertHealthySpdySessions, goaways, hostileTransportPeer, statusesOf,
} from './hostile-peer.js';

/** A server Session whose peer has stopped reading: sendCb takes nothing. */
function deafPeer(version: number, config: Record<string, unknown>) {
  const peer = new RawPeer(SERVER, version as any, { config: { maxPingRate: 0, maxRstStreamRate: 0, ...config } });
  peer.flush();
  peer.budget = 0;
  return peer;
}

test('default: 1000 answers may wait; the key takes a positive integer', () => {
  assert.is(resolveConfig({}).maxPendingReplies, 1000);
  assert.throws(() => resolveConfig({ maxPendingReplies: 0 }), (e: unknown) => e instanceof InvalidArgumentError);
});

for (const version of [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1] as const) {
  test(`v${version}: PING echoes the peer does not read stop at maxPendingReplies, then GOAWAY and no more growth`, () => {
    const peer = deafPeer(version, { maxPendingReplies: 10 });
    for (let i = 0; i < 10; i++) peer.feed({ frameType: PING, uniqueId: 2 * i + 1 });
    assert.is(peer.session.getOutboundQueueSize(), 10);
    assert.is(peer.session.wantRead(), true, 'still within bounds');
    peer.feed({ frameType: PING, uniqueId: 21 });
    const queued = peer.session.getOutboundQueueSize();
    assert.is(queued, 12, 'eleven echoes and the GOAWAY');
    for (let i = 0; i < 5000; i++) peer.feed({ frameType: PING, uniqueId: 23 + 2 * i });
    assert.is(peer.session.getOutboundQueueSize(), queued, 'input after the GOAWAY decision is ignored');
    peer.budget = Infinity;
    const out = peer.flush();
    assert.equal(out.map((f) => f.frameType), [...new Array(11).fill(PING), GOAWAY]);
    if (version !== PROTO_SPDY2) assert.is((out[11] as any).statusCode, GOAWAY_PROTOCOL_ERROR);
    assert.is(peer.session.wantRead(), false);
    assert.is(peer.session.wantWrite(), false);
    assertHealthySessionPair(version);
  });
}

test('answers that were written no longer count: a peer that reads may ping as much as the rate allows', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3, { config: { maxPingRate: 0, maxPendingReplies: 3 } });
  for (let i = 0; i < 1000; i++) {
    peer.feed({ frameType: PING, uniqueId: 2 * i + 1 });
    peer.flush();
  }
  assert.is(peer.sentOf(PING).length, 1000);
  assert.is(goaways(peer.sent).length, 0);
});

test('RST_STREAM answers to frames on streams that do not exist count as pending answers', () => {
  const peer = deafPeer(PROTO_SPDY3_1, { maxPendingReplies: 20 });
  for (let id = 1; id <= 41; id += 2) peer.feed({ frameType: HEADERS, streamId: id, nv: [['x', 'y']] });
  peer.budget = Infinity;
  assert.is(peer.session.getOutboundQueueSize(), 22, 'twenty-one answers and the GOAWAY');
  for (let id = 43; id <= 4001; id += 2) peer.feed({ frameType: HEADERS, streamId: id, nv: [['x', 'y']] });
  assert.is(peer.session.getOutboundQueueSize(), 22);
  peer.budget = Infinity;
  // The GOAWAY is urgent; the stream answers queued behind it are moot once it is out.
  assert.equal(statusesOf(peer.flush(), GOAWAY), [GOAWAY_PROTOCOL_ERROR]);
  assert.equal(statusesOf(peer.sent, RST_STREAM), []);
  assert.is(peer.log.of('onInvalidCtrlRecvCb').length, 21);
  assert.ok(peer.log.of('onInvalidCtrlRecvCb').every((a) => a[1] === PROTOCOL_ERROR));
});

test('REFUSED_STREAM answers to streams past the concurrency limit count as pending answers', () => {
  const peer = deafPeer(PROTO_SPDY3, { maxPendingReplies: 5, maxConcurrentStreams: 1 });
  for (let id = 1; id <= 15; id += 2) peer.feed({ frameType: SYN_STREAM, streamId: id, nv: REQUEST });
  assert.equal(peer.log.of('onInvalidCtrlRecvCb').map((a) => a[1]), new Array(6).fill(REFUSED_STREAM));
  peer.budget = Infinity;
  assert.equal(statusesOf(peer.flush(), GOAWAY), [GOAWAY_PROTOCOL_ERROR]);
});

test('SpdySession: a peer that pings without reading gets GOAWAY once our queue of echoes is full; nothing grows past it', async () => {
  const { session, frames, writer, encode, startReading } = hostileTransportPeer('server', {
    read: false, highWaterMark: 1024, config: { maxPingRate: 0, maxPendingReplies: 50 },
  });
  const pings = 8000;
  const flood = encode(...Array.from({ length: pings }, (_, i) => ({ frameType: PING, uniqueId: 2 * i + 1 } as const)));
  await writer.write(flood);
  // The session decodes and handles the whole flood within a few turns of the event loop.
  for (let i = 0; i < 10; i++) await tick();
  assert.ok(session.core.getOutboundQueueSize() <= 52, `queue of ${session.core.getOutboundQueueSize()}`);
  assert.is(frames.length, 0, 'the peer has read nothing yet');
  const reading = startReading();
  const err = await rejectionOf(session.closed);
  assert.is(err.statusCode, GOAWAY_PROTOCOL_ERROR);
  await writer.close().catch(() => {});
  await reading;
  const echoes = frames.filter((f) => f.frameType === PING).length;
  assert.ok(echoes < pings, `${echoes} echoes for ${pings} PINGs`);
  assert.equal(statusesOf(frames, GOAWAY), [GOAWAY_PROTOCOL_ERROR]);
  await assertHealthySpdySessions();
});

test.run();
