// Streams a peer opens cost memory until they close: the concurrency limit
// bounds those open at once whatever state they are left in (half-closed,
// never answered, reset by us but the RST_STREAM not yet written), and a
// closed stream leaves nothing behind, however many came before it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CANCEL, CLIENT, CTRL_FLAG_FIN, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, REFUSED_STREAM, RST_STREAM, SERVER,
  SYN_STREAM, Session, type ProtocolVersion,
} from '../../src/index.js';
import { REQUEST, RESPONSE, RawPeer } from '../session/harness.js';
import { nextIncoming, ok, request, sessionPair, tick } from '../streams/session-pair.js';
import { assertHealthySpdySessions, hostileTransportPeer, statusesOf } from './hostile-peer.js';

/** Two Sessions joined in memory with nothing recorded, for long runs. */
function leanPair(version: ProtocolVersion) {
  const toServer: Uint8Array[] = [];
  const toClient: Uint8Array[] = [];
  let closes = 0;
  const client = new Session(CLIENT, version, {
    sendCb: (_s, data) => (toServer.push(data.slice()), data.length),
    onStreamCloseCb: () => { closes++; },
  });
  const server = new Session(SERVER, version, {
    sendCb: (_s, data) => (toClient.push(data.slice()), data.length),
    onRequestRecvCb: (s, id) => s.submitResponse(id, RESPONSE),
    // Stored header blocks: the run is about bookkeeping, not zlib.
    config: { headerCompressionLevel: 0 },
  });
  const pump = (): void => {
    for (;;) {
      client.send();
      server.send();
      if (toServer.length === 0 && toClient.length === 0) return;
      for (const c of toServer.splice(0)) server.recv(c);
      for (const c of toClient.splice(0)) client.recv(c);
    }
  };
  return { client, server, pump, closes: () => closes };
}

for (const [version, count] of [[PROTO_SPDY3_1, 100_000], [PROTO_SPDY2, 10_000]] as const) {
  test(`v${version}: ${count} streams one after another leave the stream tables and queues as empty as they started`, () => {
    const { client, server, pump, closes } = leanPair(version);
    pump();
    const peaks = { client: 0, server: 0, queue: 0 };
    for (let i = 0; i < count; i++) {
      client.submitRequest(3, REQUEST);
      pump();
      peaks.client = Math.max(peaks.client, client.numOpenStreams);
      peaks.server = Math.max(peaks.server, server.numOpenStreams);
      peaks.queue = Math.max(peaks.queue, client.getOutboundQueueSize(), server.getOutboundQueueSize());
    }
    assert.is(closes(), count);
    assert.equal(peaks, { client: 0, server: 0, queue: 0 }, 'nothing outlived its exchange');
    assert.is(client.isStreamOpen(2 * count - 1), false);
    assert.is(server.getStreamState(2 * count - 1), undefined);
  });
}

test('SpdySession: 2000 streams one after another leave no stream behind on either side', async () => {
  const { client, server } = sessionPair();
  const serving = (async () => {
    for (let i = 0; i < 2000; i++) await (await nextIncoming(server)).respond(ok(), { endStream: true });
  })();
  for (let i = 0; i < 2000; i++) {
    const s = await client.openStream({ headers: request(`/${i}`), endStream: true });
    await s.closed;
  }
  await serving;
  for (let i = 0; i < 5 && server.numOpenStreams > 0; i++) await tick();
  assert.is(client.numOpenStreams, 0);
  assert.is(server.numOpenStreams, 0);
  assert.is(client.core.numOpenStreams, 0);
  assert.is(server.core.numOpenStreams, 0);
  await client.close();
  await server.closed;
});

test('streams left half-open (no FIN, or FIN and never answered) count against maxConcurrentStreams: the next is REFUSED_STREAM', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3, { config: { maxConcurrentStreams: 2 } });
  peer.flush();
  peer.feed({ frameType: SYN_STREAM, streamId: 1, nv: REQUEST });
  peer.feed({ frameType: SYN_STREAM, streamId: 3, flags: CTRL_FLAG_FIN, nv: REQUEST });
  peer.feed({ frameType: SYN_STREAM, streamId: 5, nv: REQUEST });
  assert.equal(peer.flush().map((f: any) => [f.frameType, f.streamId, f.statusCode]), [[RST_STREAM, 5, REFUSED_STREAM]]);
  assert.is(peer.session.numOpenStreams, 2);
  peer.feed({ frameType: RST_STREAM, streamId: 1, statusCode: CANCEL });
  peer.feed({ frameType: SYN_STREAM, streamId: 7, nv: REQUEST });
  assert.equal(peer.flush(), [], 'a stream the peer reset gives its place back');
  assert.is(peer.session.numOpenStreams, 2);
});

test('a stream we reset still counts until our RST_STREAM is written: a deaf peer cannot open more meanwhile', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3_1, { config: { maxConcurrentStreams: 1 } });
  peer.flush();
  peer.feed({ frameType: SYN_STREAM, streamId: 1, nv: REQUEST });
  peer.budget = 0;
  peer.session.submitRstStream(1, CANCEL);
  peer.session.send();
  assert.is(peer.session.getStreamState(1), 'closing');
  peer.feed({ frameType: SYN_STREAM, streamId: 3, nv: REQUEST });
  assert.is(peer.session.numOpenStreams, 1);
  assert.equal(peer.log.of('onInvalidCtrlRecvCb').map((a) => a[1]), [REFUSED_STREAM]);
  peer.budget = Infinity;
  peer.flush();
  assert.is(peer.session.numOpenStreams, 0);
  peer.feed({ frameType: SYN_STREAM, streamId: 5, nv: REQUEST });
  assert.is(peer.session.numOpenStreams, 1);
});

test('SpdySession: peer streams the application never answers hold their places; more are refused, and the session goes on', async () => {
  const { session, frames, send } = hostileTransportPeer('server', { version: PROTO_SPDY3_1, config: { maxConcurrentStreams: 3 } });
  for (let id = 1; id <= 11; id += 2) await send({ frameType: SYN_STREAM, streamId: id, flags: id % 4 === 1 ? CTRL_FLAG_FIN : 0, nv: request() });
  for (let i = 0; i < 3; i++) await nextIncoming(session);
  for (let i = 0; i < 20 && statusesOf(frames, RST_STREAM).length < 3; i++) await tick();
  assert.equal(statusesOf(frames, RST_STREAM), [REFUSED_STREAM, REFUSED_STREAM, REFUSED_STREAM]);
  assert.is(session.numOpenStreams, 3);
  await assertHealthySpdySessions();
});

test.run();
