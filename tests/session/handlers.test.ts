// What the session does with each kind of frame it receives (spdylay-behaviours.md section 2).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT, SERVER, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SYN_STREAM, SYN_REPLY, HEADERS, DATA, PING,
  RST_STREAM, GOAWAY, SETTINGS, PROTOCOL_ERROR, INVALID_STREAM, REFUSED_STREAM, STREAM_IN_USE, CANCEL, OK,
  CTRL_FLAG_FIN, CTRL_FLAG_UNIDIRECTIONAL, DATA_FLAG_FIN, GOAWAY_PROTOCOL_ERROR, GOAWAY_OK,
  SETTINGS_MAX_CONCURRENT_STREAMS, SETTINGS_ROUND_TRIP_TIME, ERR_SYN_STREAM_NOT_ALLOWED,
  type Session, type ProtocolVersion, type SessionOptions,
} from '../../src/index.js';
import { RawPeer, REQUEST, RESPONSE, bodyProvider, bytes, gatedProvider } from './harness.js';

/** A client whose request on stream 1 was answered; its body is held back so our side stays open. */
function clientWithOpenStream(version: ProtocolVersion = PROTO_SPDY3, opts: SessionOptions = {}) {
  const peer = new RawPeer(CLIENT, version, opts);
  peer.session.submitRequest(3, REQUEST, gatedProvider(bytes(10), { open: false }), 'request-1');
  peer.flush();
  peer.session.recv(peer.headerFrame(SYN_REPLY, { streamId: 1 }, RESPONSE));
  return peer;
}

test('a new stream starts OPENING with the priority it was sent with', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1, pri: 5 }, REQUEST));
  assert.is(peer.session.getStreamState(1), 'opening');
  assert.is(peer.session.getStreamInfo(1)!.pri, 5);
  assert.is(peer.session.getStreamUserData(1), undefined);
});

test('a stream id received again is a stream error: RST_STREAM PROTOCOL_ERROR, the stream goes CLOSING', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  assert.is(peer.log.of('onInvalidCtrlRecvCb')[0]![1], PROTOCOL_ERROR);
  assert.is(peer.session.getStreamState(1), 'closing');
  peer.flush();
  assert.equal(peer.sentOf(RST_STREAM).map((f) => [f.streamId, f.statusCode]), [[1, PROTOCOL_ERROR]]);
  assert.is(peer.sentOf(GOAWAY).length, 0);
  assert.is(peer.session.isStreamOpen(1), false);
});

test('a server refuses a SYN_STREAM with an associated stream id or UNIDIRECTIONAL', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 3, assocStreamId: 1 }, REQUEST));
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 5, flags: CTRL_FLAG_UNIDIRECTIONAL }, REQUEST));
  assert.equal(peer.log.of('onInvalidCtrlRecvCb').map((a) => [(a[0] as any).streamId, a[1]]), [[3, PROTOCOL_ERROR], [5, PROTOCOL_ERROR]]);
  assert.ok(peer.session.isStreamOpen(1));
  assert.is(peer.session.isStreamOpen(3), false);
});

test('a stream over our MAX_CONCURRENT_STREAMS is refused with REFUSED_STREAM', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3, { config: { maxConcurrentStreams: 1 } });
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 3 }, REQUEST));
  peer.flush();
  assert.equal(peer.sentOf(RST_STREAM).map((f) => [f.streamId, f.statusCode]), [[3, REFUSED_STREAM]]);
  assert.equal(peer.sentOf(SETTINGS)[0].iv, [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 1]]);
  // Once stream 1 is gone there is room again.
  peer.feed({ frameType: RST_STREAM, streamId: 1, statusCode: CANCEL });
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 5 }, REQUEST));
  assert.ok(peer.session.isStreamOpen(5));
});

test('a stream id lower than the last one received is a session error: GOAWAY and the session fails', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 5 }, REQUEST));
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 3 }, REQUEST));
  assert.is(peer.log.of('onInvalidCtrlRecvCb')[0]![1], PROTOCOL_ERROR);
  peer.flush();
  const [goaway] = peer.sentOf(GOAWAY);
  assert.is(goaway.statusCode, GOAWAY_PROTOCOL_ERROR);
  assert.is(goaway.lastGoodStreamId, 5);
  assert.is(peer.session.wantRead(), false);
  assert.is(peer.session.wantWrite(), false);
});

test('a client accepts a push: even id, associated stream open, UNIDIRECTIONAL', () => {
  const peer = clientWithOpenStream();
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 2, assocStreamId: 1, flags: CTRL_FLAG_UNIDIRECTIONAL }, RESPONSE));
  assert.is(peer.log.frames('onCtrlRecvCb', SYN_STREAM).length, 1);
  const info = peer.session.getStreamInfo(2)!;
  assert.is(info.state, 'opening');
  assert.is(info.shutWrite, true);
  assert.equal(peer.session.getStreamInfo(1)!.pushedStreamIds, [2]);
});

for (const [why, f, status] of [
  ['assoc-stream-id 0', { streamId: 2, assocStreamId: 0, flags: CTRL_FLAG_UNIDIRECTIONAL }, INVALID_STREAM],
  ['no UNIDIRECTIONAL flag', { streamId: 2, assocStreamId: 1 }, PROTOCOL_ERROR],
  ['an associated stream that does not exist', { streamId: 2, assocStreamId: 3, flags: CTRL_FLAG_UNIDIRECTIONAL }, PROTOCOL_ERROR],
] as const) {
  test(`a client refuses a push with ${why}`, () => {
    const peer = clientWithOpenStream();
    peer.session.recv(peer.headerFrame(SYN_STREAM, f, RESPONSE));
    assert.is(peer.log.frames('onCtrlRecvCb', SYN_STREAM).length, 0);
    assert.is(peer.log.of('onInvalidCtrlRecvCb')[0]![1], status);
    peer.flush();
    assert.equal(peer.sentOf(RST_STREAM).map((r) => [r.streamId, r.statusCode]), [[2, status]]);
  });
}

test('a pushed SYN_STREAM with FIN closes its stream at once and the close callback runs', () => {
  const peer = clientWithOpenStream();
  peer.session.recv(peer.headerFrame(SYN_STREAM, {
    streamId: 2, assocStreamId: 1, flags: CTRL_FLAG_UNIDIRECTIONAL | CTRL_FLAG_FIN,
  }, RESPONSE));
  assert.equal(peer.log.of('onStreamCloseCb'), [[2, OK]]);
  assert.is(peer.session.isStreamOpen(2), false);
  assert.is(peer.log.count('onRequestRecvCb'), 0);
});

test('the first SYN_REPLY moves our stream from OPENING to OPENED', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitRequest(3, REQUEST, gatedProvider(bytes(1), { open: false }));
  peer.flush();
  assert.is(peer.session.getStreamState(1), 'opening');
  peer.session.recv(peer.headerFrame(SYN_REPLY, { streamId: 1 }, RESPONSE));
  assert.is(peer.session.getStreamState(1), 'opened');
  assert.is(peer.log.frames('onCtrlRecvCb', SYN_REPLY).length, 1);
});

for (const [version, name, status] of [
  [PROTO_SPDY2, 'SPDY/2', PROTOCOL_ERROR], [PROTO_SPDY3, 'SPDY/3', STREAM_IN_USE], [PROTO_SPDY3_1, 'SPDY/3.1', STREAM_IN_USE],
] as const) {
  test(`${name}: a second SYN_REPLY is refused with ${status === STREAM_IN_USE ? 'STREAM_IN_USE' : 'PROTOCOL_ERROR'} and the stream goes CLOSING`, () => {
    const peer = clientWithOpenStream(version);
    peer.session.recv(peer.headerFrame(SYN_REPLY, { streamId: 1 }, RESPONSE));
    assert.is(peer.log.frames('onCtrlRecvCb', SYN_REPLY).length, 1);
    assert.is(peer.log.of('onInvalidCtrlRecvCb')[0]![1], status);
    assert.is(peer.session.getStreamState(1), 'closing');
    peer.flush();
    assert.equal(peer.sentOf(RST_STREAM).map((r) => [r.streamId, r.statusCode]), [[1, status]]);
  });
}

test('a SYN_REPLY after the peer half-closed the stream is invalid', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitRequest(3, REQUEST, gatedProvider(bytes(1), { open: false }));
  peer.flush();
  peer.session.recv(peer.headerFrame(SYN_REPLY, { streamId: 1, flags: CTRL_FLAG_FIN }, RESPONSE));
  assert.is(peer.session.getStreamInfo(1)!.shutRead, true);
  peer.session.recv(peer.headerFrame(SYN_REPLY, { streamId: 1 }, RESPONSE));
  assert.is(peer.log.of('onInvalidCtrlRecvCb')[0]![1], PROTOCOL_ERROR);
});

test('HEADERS on an open stream runs the callback; with FIN it half-closes the stream', () => {
  const peer = clientWithOpenStream();
  peer.session.recv(peer.headerFrame(HEADERS, { streamId: 1 }, [['x-a', '1']]));
  peer.session.recv(peer.headerFrame(HEADERS, { streamId: 1, flags: CTRL_FLAG_FIN }, [['x-b', '2']]));
  assert.equal(peer.log.frames('onCtrlRecvCb', HEADERS).map((f) => f.nv), [[['x-a', '1']], [['x-b', '2']]]);
  const info = peer.session.getStreamInfo(1)!;
  assert.is(info.shutRead, true);
  assert.is(info.shutWrite, false);
});

test('HEADERS with FIN closes the stream when our side is already shut', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitRequest(3, REQUEST);
  peer.flush();
  peer.session.recv(peer.headerFrame(SYN_REPLY, { streamId: 1 }, RESPONSE));
  peer.session.recv(peer.headerFrame(HEADERS, { streamId: 1, flags: CTRL_FLAG_FIN }, [['x', 'y']]));
  assert.equal(peer.log.of('onStreamCloseCb'), [[1, OK]]);
});

test('HEADERS after the stream closed is invalid: RST_STREAM PROTOCOL_ERROR', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitRequest(3, REQUEST);
  peer.flush();
  peer.session.recv(peer.headerFrame(SYN_REPLY, { streamId: 1, flags: CTRL_FLAG_FIN }, RESPONSE));
  assert.is(peer.session.isStreamOpen(1), false);
  peer.session.recv(peer.headerFrame(HEADERS, { streamId: 1 }, [['x', 'y']]));
  assert.is(peer.log.of('onInvalidCtrlRecvCb')[0]![1], PROTOCOL_ERROR);
  peer.flush();
  assert.equal(peer.sentOf(RST_STREAM).map((r) => r.statusCode), [PROTOCOL_ERROR]);
});

test('HEADERS on a CLOSING stream is dropped silently', () => {
  const peer = clientWithOpenStream();
  peer.session.submitRstStream(1, CANCEL);
  peer.session.recv(peer.headerFrame(HEADERS, { streamId: 1 }, [['x', 'y']]));
  assert.is(peer.log.frames('onCtrlRecvCb', HEADERS).length, 0);
  assert.is(peer.log.count('onInvalidCtrlRecvCb'), 0);
});

test('HEADERS with FIN on a pushed stream shuts its read side, which closes it', () => {
  const peer = clientWithOpenStream();
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 2, assocStreamId: 1, flags: CTRL_FLAG_UNIDIRECTIONAL }, RESPONSE));
  peer.session.recv(peer.headerFrame(HEADERS, { streamId: 2, flags: CTRL_FLAG_FIN }, [['x', 'y']]));
  assert.equal(peer.log.of('onStreamCloseCb'), [[2, OK]]);
  assert.is(peer.log.count('onRequestRecvCb'), 0);
});

test('a PING started by the peer is echoed with the same id; the parity tells who started it', () => {
  const client = new RawPeer(CLIENT, PROTO_SPDY3);
  client.feed({ frameType: PING, uniqueId: 2 }, { frameType: PING, uniqueId: 7 });
  client.flush();
  assert.equal(client.sentOf(PING).map((p) => p.uniqueId), [2]);
  const server = new RawPeer(SERVER, PROTO_SPDY3);
  server.feed({ frameType: PING, uniqueId: 7 }, { frameType: PING, uniqueId: 2 });
  server.flush();
  assert.equal(server.sentOf(PING).map((p) => p.uniqueId), [7]);
  assert.is(server.log.frames('onCtrlRecvCb', PING).length, 1);
});

test('the answer to our PING runs the callback, is not echoed, and is recognised only once', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitPing();
  peer.flush();
  assert.equal(peer.sentOf(PING).map((p) => p.uniqueId), [1]);
  peer.feed({ frameType: PING, uniqueId: 1 });
  assert.is(peer.log.frames('onCtrlRecvCb', PING).length, 1);
  peer.feed({ frameType: PING, uniqueId: 1 });
  assert.is(peer.log.frames('onCtrlRecvCb', PING).length, 1);
  peer.flush();
  assert.is(peer.sentOf(PING).length, 1);
});

test('GOAWAY received: the flag is set, the callback runs, and no new stream may start', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.feed({ frameType: GOAWAY, lastGoodStreamId: 0, statusCode: GOAWAY_OK });
  assert.equal(peer.session.goawayState, { sent: false, received: true, lastGoodStreamId: 0, failedWith: null });
  assert.is(peer.log.frames('onCtrlRecvCb', GOAWAY).length, 1);
  peer.session.submitRequest(3, REQUEST, null, 'late');
  peer.flush();
  assert.equal(peer.log.of('onCtrlNotSendCb').map((a) => [(a[0] as any).frameType, a[1], a[2]]), [[SYN_STREAM, ERR_SYN_STREAM_NOT_ALLOWED, 'late']]);
  assert.is(peer.sentOf(SYN_STREAM).length, 0);
});

test('GOAWAY received closes our unanswered streams past its last good id with REFUSED_STREAM', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitRequest(3, REQUEST);
  peer.session.submitRequest(3, REQUEST);
  peer.flush();
  peer.feed({ frameType: GOAWAY, lastGoodStreamId: 1, statusCode: GOAWAY_OK });
  assert.equal(peer.log.of('onStreamCloseCb'), [[3, REFUSED_STREAM]]);
  assert.ok(peer.session.isStreamOpen(1));
  assert.ok(peer.session.wantRead());
});

test('a SYN_STREAM after GOAWAY is ignored', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  peer.session.submitGoaway(GOAWAY_OK);
  peer.flush();
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  assert.is(peer.log.count('onCtrlRecvCb'), 0);
  assert.is(peer.session.isStreamOpen(1), false);
});

test('DATA with FIN shuts the read side', () => {
  const peer = clientWithOpenStream();
  peer.feed({ frameType: DATA, streamId: 1, flags: DATA_FLAG_FIN, data: bytes(3) });
  assert.is(peer.session.getStreamInfo(1)!.shutRead, true);
  // More DATA after FIN breaks the session.
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(3) });
  assert.is(peer.log.count('onDataChunkRecvCb'), 1);
  peer.flush();
  assert.is(peer.sentOf(GOAWAY)[0].statusCode, GOAWAY_PROTOCOL_ERROR);
});

test('RST_STREAM received closes the stream and the streams pushed under it', () => {
  const peer = clientWithOpenStream();
  for (const id of [2, 4]) {
    peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: id, assocStreamId: 1, flags: CTRL_FLAG_UNIDIRECTIONAL }, RESPONSE));
  }
  assert.is(peer.session.numOpenStreams, 3);
  peer.feed({ frameType: RST_STREAM, streamId: 1, statusCode: CANCEL });
  assert.equal(peer.log.of('onStreamCloseCb'), [[2, CANCEL], [4, CANCEL], [1, CANCEL]]);
  assert.is(peer.session.numOpenStreams, 0);
  assert.is(peer.log.frames('onCtrlRecvCb', RST_STREAM).length, 1);
});

test('SETTINGS: the last value of a repeated id counts, unknown ids are ignored', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.feed({
    frameType: SETTINGS,
    iv: [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 1000000009], [SETTINGS_MAX_CONCURRENT_STREAMS, 0, 50], [999, 0, 1], [SETTINGS_ROUND_TRIP_TIME, 0, 20]],
  });
  assert.is(peer.session.getRemoteSetting(SETTINGS_MAX_CONCURRENT_STREAMS), 50);
  assert.is(peer.session.getRemoteSetting(SETTINGS_ROUND_TRIP_TIME), 20);
  assert.is(peer.session.getRemoteSetting(999), undefined);
  assert.is(peer.log.frames('onCtrlRecvCb', SETTINGS).length, 1);
});

test('the request callback runs on the server once the request is complete, and only once', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(5) });
  assert.is(peer.log.count('onRequestRecvCb'), 0);
  peer.session.recv(peer.headerFrame(HEADERS, { streamId: 1, flags: CTRL_FLAG_FIN }, [['x', 'y']]));
  assert.equal(peer.log.of('onRequestRecvCb'), [[1]]);
  // A repeated FIN is an error, not a second request.
  peer.feed({ frameType: DATA, streamId: 1, flags: DATA_FLAG_FIN, data: bytes(1) });
  assert.equal(peer.log.of('onRequestRecvCb'), [[1]]);
});

test('a SYN_STREAM with FIN is a complete request at once', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1, flags: CTRL_FLAG_FIN }, REQUEST));
  assert.equal(peer.log.of('onRequestRecvCb'), [[1]]);
  assert.is(peer.session.getStreamInfo(1)!.shutRead, true);
});

test('the request callback runs when DATA with FIN ends the request', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  peer.feed({ frameType: DATA, streamId: 1, flags: DATA_FLAG_FIN, data: bytes(5) });
  assert.equal(peer.log.of('onRequestRecvCb'), [[1]]);
  // Stream id 0 is never a request.
  peer.feed({ frameType: DATA, streamId: 0, flags: DATA_FLAG_FIN, data: bytes(1) });
  assert.equal(peer.log.of('onRequestRecvCb'), [[1]]);
});

test('the close callback can still read the stream user data', () => {
  const seen: unknown[] = [];
  const peer = new RawPeer(CLIENT, PROTO_SPDY3, {
    onStreamCloseCb: (s: Session, id: number) => seen.push(s.getStreamUserData(id)),
  });
  peer.session.submitRequest(3, REQUEST, null, { name: 'mine' });
  peer.flush();
  peer.feed({ frameType: RST_STREAM, streamId: 1, statusCode: CANCEL });
  assert.equal(seen, [{ name: 'mine' }]);
  assert.is(peer.session.getStreamUserData(1), undefined);
});

test('a body provider is read only after the SYN_STREAM went out', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  const prd = bodyProvider(bytes(10));
  peer.session.submitRequest(3, REQUEST, prd);
  assert.is(prd.source.reads, 0);
  peer.flush();
  assert.is(prd.source.reads, 1);
});

test.run();
