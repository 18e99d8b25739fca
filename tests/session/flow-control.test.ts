// Flow control: SPDY/3 stream windows, the SPDY/3.1 connection window, and
// the config switches around them (spdylay-behaviours.md sections 2 and 4).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT, SERVER, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SYN_STREAM, DATA, RST_STREAM,
  GOAWAY, SETTINGS, WINDOW_UPDATE, FLOW_CONTROL_ERROR, GOAWAY_PROTOCOL_ERROR, DATA_FLAG_FIN,
  SETTINGS_INITIAL_WINDOW_SIZE, SETTINGS_MAX_CONCURRENT_STREAMS, MAX_WINDOW_SIZE,
  Session, InvalidArgumentError, StreamClosedError, OPT_NO_AUTO_WINDOW_UPDATE, type ProtocolVersion,
} from '../../src/index.js';
import { Pair, RawPeer, REQUEST, RESPONSE, bodyProvider, bytes, gatedProvider, slowReaderUpload } from './harness.js';

const sentBytes = (peer: RawPeer, id: number) =>
  peer.sent.filter((f: any) => f.frameType === DATA && f.streamId === id).reduce((n, f: any) => n + f.data.length, 0);

/** A client sending a `size`-byte body on stream 1 to a raw server that never opens windows. */
function uploader(version: ProtocolVersion, size: number, config = {}) {
  const peer = new RawPeer(CLIENT, version, { config });
  peer.session.submitRequest(3, REQUEST, bodyProvider(bytes(size)));
  peer.flush();
  return peer;
}

/** A server with stream 1 open, fed by a raw client. */
function downloader(version: ProtocolVersion, config = {}) {
  const peer = new RawPeer(SERVER, version, { config });
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  return peer;
}

test('SPDY/3: sending stops when the initial 64 KiB window is used up', () => {
  const peer = uploader(PROTO_SPDY3, 100000);
  assert.is(sentBytes(peer, 1), 65536);
  assert.is(peer.session.getStreamRemoteWindowSize(1), 0);
  assert.is(peer.session.getStreamInfo(1)!.deferred, 'flow-control');
  assert.is(peer.session.wantWrite(), false);
  assert.is(peer.session.resumeData(1), false, 'flow control, not the application, holds it');
});

test('a WINDOW_UPDATE grows the window by its delta and lets held DATA go', () => {
  const peer = uploader(PROTO_SPDY3, 100000);
  peer.feed({ frameType: WINDOW_UPDATE, streamId: 1, deltaWindowSize: 16384 });
  assert.is(peer.session.getStreamRemoteWindowSize(1), 16384);
  assert.is(peer.log.frames('onCtrlRecvCb', WINDOW_UPDATE).length, 1);
  peer.flush();
  assert.is(sentBytes(peer, 1), 65536 + 16384);
});

test('a WINDOW_UPDATE on a stream that has sent nothing yet takes its window from 64 KiB to 64 KiB + 16 KiB', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitRequest(3, REQUEST, gatedProvider(bytes(10), { open: false }));
  peer.flush();
  assert.is(peer.session.getStreamRemoteWindowSize(1), 65536);
  peer.feed({ frameType: WINDOW_UPDATE, streamId: 1, deltaWindowSize: 16384 });
  assert.is(peer.session.getStreamRemoteWindowSize(1), 65536 + 16384);
  assert.is(peer.sentOf(RST_STREAM).length + peer.sentOf(GOAWAY).length, 0);
});

test('a new INITIAL_WINDOW_SIZE moves the window of every open stream by the difference, whatever each had used', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitRequest(3, REQUEST, bodyProvider(bytes(100000)));
  peer.session.submitRequest(3, REQUEST, bodyProvider(bytes(10000)));
  peer.session.submitRequest(3, REQUEST, gatedProvider(bytes(10), { open: false }));
  peer.flush();
  // Stream 3 has finished sending: it is half-closed, still open, and its window still counts.
  assert.equal([1, 3, 5].map((id) => peer.session.getStreamRemoteWindowSize(id)), [0, 55536, 65536]);
  peer.feed({ frameType: SETTINGS, iv: [[SETTINGS_INITIAL_WINDOW_SIZE, 0, 32768]] });
  assert.equal([1, 3, 5].map((id) => peer.session.getStreamRemoteWindowSize(id)), [-32768, 22768, 32768]);
  peer.feed({ frameType: SETTINGS, iv: [[SETTINGS_INITIAL_WINDOW_SIZE, 0, 100000]] });
  assert.equal([1, 3, 5].map((id) => peer.session.getStreamRemoteWindowSize(id)), [34464, 90000, 100000]);
  peer.flush();
  assert.is(sentBytes(peer, 1), 100000, 'stream 1 recovered from a negative window');
});

test('a lower INITIAL_WINDOW_SIZE can make a window negative; nothing goes until it is positive again', () => {
  const peer = uploader(PROTO_SPDY3, 200000);
  peer.feed({ frameType: SETTINGS, iv: [[SETTINGS_INITIAL_WINDOW_SIZE, 0, 16384]] });
  assert.is(peer.session.getStreamRemoteWindowSize(1), -49152);
  peer.feed({ frameType: WINDOW_UPDATE, streamId: 1, deltaWindowSize: 32768 });
  peer.flush();
  assert.is(peer.session.getStreamRemoteWindowSize(1), -16384);
  assert.is(sentBytes(peer, 1), 65536);
  // Raising it again lets sending go on.
  peer.feed({ frameType: SETTINGS, iv: [[SETTINGS_INITIAL_WINDOW_SIZE, 0, 131072]] });
  assert.is(peer.session.getStreamRemoteWindowSize(1), 98304);
  peer.flush();
  assert.is(sentBytes(peer, 1), 65536 + 98304);
});

test('a peer INITIAL_WINDOW_SIZE applies to streams opened later', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.feed({ frameType: SETTINGS, iv: [[SETTINGS_INITIAL_WINDOW_SIZE, 0, 1000]] });
  peer.session.submitRequest(3, REQUEST, bodyProvider(bytes(5000)));
  peer.flush();
  assert.is(sentBytes(peer, 1), 1000);
});

test('SPDY/3.1: sending needs room in both the stream window and the connection window', () => {
  const peer = uploader(PROTO_SPDY3_1, 200000);
  assert.is(sentBytes(peer, 1), 65536);
  assert.is(peer.session.getSessionRemoteWindowSize(), 0);
  peer.feed({ frameType: WINDOW_UPDATE, streamId: 1, deltaWindowSize: 65536 });
  peer.flush();
  assert.is(sentBytes(peer, 1), 65536, 'the stream window alone is not enough');
  peer.feed({ frameType: WINDOW_UPDATE, streamId: 0, deltaWindowSize: 10000 });
  peer.flush();
  assert.is(sentBytes(peer, 1), 75536);
  assert.is(peer.session.getSessionRemoteWindowSize(), 0);
  assert.is(peer.session.getStreamRemoteWindowSize(1), 55536);
});

test('SPDY/3.1: the connection window is shared by all streams', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3_1);
  peer.session.submitRequest(3, REQUEST, bodyProvider(bytes(50000)));
  peer.session.submitRequest(3, REQUEST, bodyProvider(bytes(50000)));
  peer.flush();
  assert.is(sentBytes(peer, 1) + sentBytes(peer, 3), 65536);
  peer.feed({ frameType: WINDOW_UPDATE, streamId: 0, deltaWindowSize: 65536 });
  peer.flush();
  assert.is(sentBytes(peer, 1) + sentBytes(peer, 3), 100000);
});

test('SPDY/3: a WINDOW_UPDATE on stream 0 means nothing', () => {
  const peer = uploader(PROTO_SPDY3, 100000);
  peer.feed({ frameType: WINDOW_UPDATE, streamId: 0, deltaWindowSize: 65536 });
  peer.flush();
  assert.is(sentBytes(peer, 1), 65536);
  assert.is(peer.sentOf(GOAWAY).length + peer.sentOf(RST_STREAM).length, 0);
});

test('a WINDOW_UPDATE past 2^31-1 is refused: RST_STREAM FLOW_CONTROL_ERROR, or GOAWAY on stream 0', () => {
  const peer = uploader(PROTO_SPDY3_1, 10);
  peer.feed({ frameType: WINDOW_UPDATE, streamId: 1, deltaWindowSize: MAX_WINDOW_SIZE });
  assert.is(peer.log.of('onInvalidCtrlRecvCb')[0]![1], FLOW_CONTROL_ERROR);
  peer.flush();
  peer.feed({ frameType: WINDOW_UPDATE, streamId: 0, deltaWindowSize: MAX_WINDOW_SIZE });
  peer.flush();
  assert.equal(peer.sentOf(RST_STREAM).map((f) => f.statusCode), [FLOW_CONTROL_ERROR]);
  assert.is(peer.sentOf(GOAWAY)[0].statusCode, GOAWAY_PROTOCOL_ERROR);
});

for (const version of [PROTO_SPDY3, PROTO_SPDY3_1] as const) {
  test(`${version === PROTO_SPDY3 ? 'SPDY/3' : 'SPDY/3.1'}: WINDOW_UPDATE goes out once half the receive window is consumed`, () => {
    const peer = downloader(version);
    peer.feed({ frameType: DATA, streamId: 1, data: bytes(32767) });
    peer.flush();
    assert.is(peer.sentOf(WINDOW_UPDATE).length, 0);
    peer.feed({ frameType: DATA, streamId: 1, data: bytes(1) });
    peer.flush();
    const updates = peer.sentOf(WINDOW_UPDATE).map((f) => [f.streamId, f.deltaWindowSize]);
    assert.equal(updates, version === PROTO_SPDY3 ? [[1, 32768]] : [[0, 32768], [1, 32768]].sort((a, b) => a[0]! - b[0]!));
    assert.is(peer.session.getStreamRecvUnacked(1), 0);
  });
}

test('no WINDOW_UPDATE for the last DATA frame of a stream', () => {
  const peer = downloader(PROTO_SPDY3);
  peer.feed({ frameType: DATA, streamId: 1, flags: DATA_FLAG_FIN, data: bytes(40000) });
  peer.flush();
  assert.is(peer.sentOf(WINDOW_UPDATE).length, 0);
});

test('with autoWindowUpdate false nothing is sent by itself; submitWindowUpdate gives the window back', () => {
  const peer = downloader(PROTO_SPDY3_1, { autoWindowUpdate: false });
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(60000) });
  peer.flush();
  assert.is(peer.sentOf(WINDOW_UPDATE).length, 0);
  assert.is(peer.session.getStreamRecvUnacked(1), 60000);
  assert.is(peer.session.getSessionRecvUnacked(), 60000);
  peer.session.submitWindowUpdate(1, 4096);
  peer.session.submitWindowUpdate(0, 4096);
  peer.flush();
  assert.equal(peer.sentOf(WINDOW_UPDATE).map((f) => [f.streamId, f.deltaWindowSize]), [[1, 4096], [0, 4096]]);
  assert.is(peer.session.getStreamRecvUnacked(1), 55904);
  // The window given back can be used: 60000 - 4096 + 4096 + 5536 = 65536 exactly fits.
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(9632) });
  peer.flush();
  assert.is(peer.sentOf(RST_STREAM).length + peer.sentOf(GOAWAY).length, 0);
});

test('setOption turns the automatic WINDOW_UPDATEs off and on again', () => {
  const peer = downloader(PROTO_SPDY3);
  peer.session.setOption(OPT_NO_AUTO_WINDOW_UPDATE, true);
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(40000) });
  peer.flush();
  assert.is(peer.sentOf(WINDOW_UPDATE).length, 0);
  peer.session.setOption(OPT_NO_AUTO_WINDOW_UPDATE, 0);
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(1000) });
  peer.flush();
  assert.equal(peer.sentOf(WINDOW_UPDATE).map((f) => [f.streamId, f.deltaWindowSize]), [[1, 41000]]);
});

test('setOption refuses an unknown option and a value of the wrong kind', () => {
  const peer = downloader(PROTO_SPDY3);
  assert.throws(() => peer.session.setOption(0, true), (e: unknown) => e instanceof InvalidArgumentError);
  assert.throws(() => peer.session.setOption(OPT_NO_AUTO_WINDOW_UPDATE, 2), (e: unknown) => e instanceof InvalidArgumentError);
  assert.throws(() => peer.session.setOption(OPT_NO_AUTO_WINDOW_UPDATE, 'yes' as unknown as boolean),
    (e: unknown) => e instanceof InvalidArgumentError);
});

test('submitWindowUpdate lowers the unacknowledged count but never below 0', () => {
  const peer = downloader(PROTO_SPDY3, { autoWindowUpdate: false });
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(100) });
  peer.session.submitWindowUpdate(1, 4096);
  assert.is(peer.session.getStreamRecvUnacked(1), 0);
});

test('submitWindowUpdate refuses a delta of 0 or less, an unknown or closed stream, and stream 0 outside SPDY/3.1', () => {
  const peer = downloader(PROTO_SPDY3);
  for (const delta of [0, -1, 1.5, MAX_WINDOW_SIZE + 1]) {
    assert.throws(() => peer.session.submitWindowUpdate(1, delta), (e: unknown) => e instanceof InvalidArgumentError);
  }
  assert.throws(() => peer.session.submitWindowUpdate(3, 100), (e: unknown) => e instanceof StreamClosedError);
  assert.throws(() => peer.session.submitWindowUpdate(0, 100), (e: unknown) => e instanceof InvalidArgumentError);
  // A stream that was open and has closed is refused the same way.
  peer.feed({ frameType: RST_STREAM, streamId: 1, statusCode: 5 });
  assert.is(peer.session.isStreamOpen(1), false);
  assert.throws(() => peer.session.submitWindowUpdate(1, 100), (e: unknown) => e instanceof StreamClosedError);
  const v2 = downloader(PROTO_SPDY2);
  assert.throws(() => v2.session.submitWindowUpdate(1, 100), (e: unknown) => e instanceof InvalidArgumentError);
});

test('DATA past our stream window gets RST_STREAM FLOW_CONTROL_ERROR and is not delivered', () => {
  const peer = downloader(PROTO_SPDY3, { autoWindowUpdate: false });
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(65536) });
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(1) });
  peer.flush();
  assert.equal(peer.sentOf(RST_STREAM).map((f) => [f.streamId, f.statusCode]), [[1, FLOW_CONTROL_ERROR]]);
  assert.is(peer.log.count('onDataChunkRecvCb'), 1);
});

test('SPDY/3.1: DATA past our connection window gets GOAWAY', () => {
  const peer = downloader(PROTO_SPDY3_1, { autoWindowUpdate: false });
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 3 }, REQUEST));
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(40000) });
  peer.feed({ frameType: DATA, streamId: 3, data: bytes(40000) });
  peer.flush();
  assert.is(peer.sentOf(GOAWAY)[0].statusCode, GOAWAY_PROTOCOL_ERROR);
  assert.is(peer.session.wantRead(), false);
});

test('SPDY/3.1 without auto updates: DATA dropped unread still has its connection window given back', () => {
  const peer = downloader(PROTO_SPDY3_1, { autoWindowUpdate: false });
  peer.feed({ frameType: DATA, streamId: 9, data: bytes(20000) });
  peer.feed({ frameType: DATA, streamId: 11, data: bytes(20000) });
  peer.flush();
  assert.equal(peer.sentOf(WINDOW_UPDATE).map((f) => [f.streamId, f.deltaWindowSize]), [[0, 40000]]);
});

test('with peerFlowControl false we send past any window and do not hold the peer to ours', () => {
  const up = uploader(PROTO_SPDY3_1, 300000, { peerFlowControl: false });
  assert.is(sentBytes(up, 1), 300000);
  assert.is(up.session.getStreamRemoteWindowSize(1), Infinity);
  assert.is(up.session.getSessionRemoteWindowSize(), Infinity);

  const down = downloader(PROTO_SPDY3_1, { peerFlowControl: false, autoWindowUpdate: false });
  down.feed({ frameType: DATA, streamId: 1, data: bytes(200000) });
  down.flush();
  assert.is(down.sentOf(RST_STREAM).length + down.sentOf(GOAWAY).length, 0);
  assert.is(down.log.count('onDataChunkRecvCb'), 1);
});

test('SPDY/2 has no flow control: bodies of any size go, no WINDOW_UPDATE is sent', () => {
  const up = uploader(PROTO_SPDY2, 300000);
  assert.is(sentBytes(up, 1), 300000);
  assert.is(up.session.getStreamRemoteWindowSize(1), Infinity);
  const down = downloader(PROTO_SPDY2);
  down.feed({ frameType: DATA, streamId: 1, data: bytes(200000) });
  down.flush();
  assert.is(down.sentOf(WINDOW_UPDATE).length, 0);
  assert.is(down.sentOf(RST_STREAM).length, 0);
});

test('our SETTINGS announce MAX_CONCURRENT_STREAMS, and INITIAL_WINDOW_SIZE when it is not the default', () => {
  const plain = new RawPeer(SERVER, PROTO_SPDY3);
  plain.flush();
  assert.equal(plain.sentOf(SETTINGS)[0].iv, [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 100]]);
  const big = downloader(PROTO_SPDY3, { initialWindowSize: 262144, maxConcurrentStreams: 10 });
  big.flush();
  assert.equal(big.sentOf(SETTINGS)[0].iv, [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 10], [SETTINGS_INITIAL_WINDOW_SIZE, 0, 262144]]);
  big.feed({ frameType: DATA, streamId: 1, data: bytes(200000) });
  big.flush();
  assert.is(big.sentOf(RST_STREAM).length, 0);
  assert.equal(big.sentOf(WINDOW_UPDATE).map((f) => f.deltaWindowSize), [200000]);
});

test('SPDY/2 announces the largest INITIAL_WINDOW_SIZE, so peers that count windows anyway never stall', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY2);
  peer.flush();
  assert.equal(peer.sentOf(SETTINGS)[0].iv, [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 100], [SETTINGS_INITIAL_WINDOW_SIZE, 0, MAX_WINDOW_SIZE]]);
});

test('SPDY/3.1: a sessionWindowSize above 64 KiB is announced by a WINDOW_UPDATE on stream 0', () => {
  const peer = downloader(PROTO_SPDY3_1, { sessionWindowSize: 1 << 20 });
  peer.flush();
  assert.equal(peer.sentOf(WINDOW_UPDATE).map((f) => [f.streamId, f.deltaWindowSize]), [[0, (1 << 20) - 65536]]);
  // Streams keep their own 64 KiB windows; the connection takes a megabyte across them.
  for (let id = 3; id <= 31; id += 2) {
    peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: id }, REQUEST));
    peer.feed({ frameType: DATA, streamId: id, flags: DATA_FLAG_FIN, data: bytes(60000) });
  }
  peer.flush();
  assert.is(peer.sentOf(GOAWAY).length, 0);
});

test('a SETTINGS of ours that changes INITIAL_WINDOW_SIZE moves the receive windows of open streams', () => {
  const peer = downloader(PROTO_SPDY3, { autoWindowUpdate: false });
  peer.session.submitSettings(0, [[SETTINGS_INITIAL_WINDOW_SIZE, 0, 131072]]);
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(131072) });
  peer.flush();
  assert.is(peer.sentOf(RST_STREAM).length, 0);
  assert.is(peer.session.getLocalSetting(SETTINGS_INITIAL_WINDOW_SIZE), 131072);
});

test('a reader that gives windows back only as it reads still gets a whole upload', () => {
  const { received, server } = slowReaderUpload(500000, (s, read) => {
    s.submitWindowUpdate(1, read);
    s.submitWindowUpdate(0, read);
  });
  assert.is(received, 500000);
  assert.is(server.getStreamInfo(1)!.shutRead, true);
  assert.is(server.getStreamRecvUnacked(1), 0);
});


/** A SPDY/3.1 server (as a cleartext server guesses it) and a real SPDY/3 client; bytes the client got. */
function guessedDownload(spdy3Fallback: boolean, size: number): { received: number; server: Session } {
  const toServer: Uint8Array[] = [];
  const toClient: Uint8Array[] = [];
  let received = 0;
  const server = new Session(SERVER, PROTO_SPDY3_1, {
    config: { spdy3Fallback },
    sendCb: (_s, d) => (toClient.push(d.slice()), d.length),
    onRequestRecvCb: (s, id) => s.submitResponse(id, RESPONSE, bodyProvider(bytes(size))),
  });
  const client = new Session(CLIENT, PROTO_SPDY3, {
    sendCb: (_s, d) => (toServer.push(d.slice()), d.length),
    onDataChunkRecvCb: (_s, _f, _id, data) => void (received += data.length),
  });
  client.submitRequest(3, REQUEST);
  for (let turn = 0; turn < 10_000; turn++) {
    client.send();
    server.send();
    if (toServer.length === 0 && toClient.length === 0) break;
    for (const b of toServer.splice(0)) server.recv(b);
    for (const b of toClient.splice(0)) client.recv(b);
  }
  return { received, server };
}

test('spdy3Fallback: a guessed SPDY/3.1 server serves a SPDY/3 client past 64 KiB', () => {
  const { received, server } = guessedDownload(true, 300_000);
  assert.is(received, 300_000);
  assert.is(server.getSessionRemoteWindowSize(), Infinity, 'the connection window was dropped');
  // Without the fallback the same client stalls once the connection window is spent.
  assert.is(guessedDownload(false, 300_000).received, 65536);
});

test('spdy3Fallback leaves a real SPDY/3.1 peer under the connection window', () => {
  const pair = new Pair(PROTO_SPDY3_1, {
    server: {
      config: { spdy3Fallback: true },
      onRequestRecvCb: (s, id) => s.submitResponse(id, RESPONSE, bodyProvider(bytes(1 << 20))),
    },
  });
  pair.client.submitRequest(3, REQUEST);
  pair.pump();
  assert.is(pair.clientLog.of('onDataChunkRecvCb').reduce((n, a) => n + (a[2] as Uint8Array).length, 0), 1 << 20);
  assert.ok(Number.isFinite(pair.server.getSessionRemoteWindowSize()), 'still counting the connection window');
});

test.run();
