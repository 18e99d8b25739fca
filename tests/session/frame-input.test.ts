// Feeding frames decoded elsewhere (what the Web Streams layer does): recvFrame,
// recvDecodeError, and the stream getters it relies on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT, SERVER, PROTO_SPDY3, PROTO_SPDY3_1, SYN_STREAM, RST_STREAM, GOAWAY, PING, DATA,
  PROTOCOL_ERROR, GOAWAY_PROTOCOL_ERROR, CTRL_FLAG_FIN, ERR_INVALID_FRAME, DATA_FLAG_FIN, CANCEL, WINDOW_UPDATE,
  DataFrame, FrameDecoder, FrameDecoderStream, FrameError, InvalidFrame, Session, type DecodedFrame,
} from '../../src/index.js';
import { RawPeer, REQUEST, RESPONSE } from './harness.js';

test('recvFrame processes frames decoded outside the session exactly as recv does', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  const other = new Session(SERVER, PROTO_SPDY3, { onCtrlRecvCb: (_s, f) => seen.push(f.frameType) });
  const seen: number[] = [];
  const decoder = new FrameDecoder({ version: PROTO_SPDY3, side: SERVER });
  const bytes = peer.headerFrame(SYN_STREAM, { streamId: 1, flags: CTRL_FLAG_FIN }, REQUEST);
  for (const frame of decoder.push(bytes)) other.recvFrame(frame);
  assert.equal(seen, [SYN_STREAM]);
  assert.is(other.numOpenStreams, 1);
  assert.ok(other.isStreamOpen(1));
  assert.is(other.getStreamState(1), 'opening');
  assert.is(other.getStreamState(3), undefined);
});

test('an InvalidFrame handed to recvFrame gets its RST_STREAM', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  const decoder = new FrameDecoder({ version: PROTO_SPDY3, side: SERVER });
  const [frame] = decoder.push(peer.headerFrame(SYN_STREAM, { streamId: 1 }, [['UPPER', 'x']]));
  assert.ok(frame instanceof InvalidFrame);
  peer.session.recvFrame(frame!);
  peer.flush();
  assert.equal(peer.sentOf(RST_STREAM).map((f) => [f.streamId, f.statusCode]), [[1, PROTOCOL_ERROR]]);
});

test('recvDecodeError: the parse-error callback, GOAWAY with the error status, then the session is over', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3_1);
  const head = new Uint8Array([0x80, 3, 0, PING, 0, 0, 0, 1]);
  const payload = new Uint8Array([9]);
  peer.session.recvDecodeError(new FrameError('bad ping', { statusCode: GOAWAY_PROTOCOL_ERROR, frameType: PING, head, payload }));
  assert.equal(peer.log.of('onCtrlRecvParseErrorCb'), [[PING, head, payload, ERR_INVALID_FRAME]]);
  peer.flush();
  assert.is(peer.sentOf(GOAWAY)[0].statusCode, GOAWAY_PROTOCOL_ERROR);
  assert.is(peer.session.wantRead(), false);
  assert.is(peer.session.wantWrite(), false);
  // Later frames are ignored.
  peer.session.recvFrame({ frameType: PING, uniqueId: 2 } as unknown as DecodedFrame);
  assert.is(peer.log.count('onCtrlRecvCb'), 0);
});

test('the error of a FrameDecoderStream, reported with recvDecodeError, ends the session with GOAWAY', async () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  const stream = new FrameDecoderStream({ version: PROTO_SPDY3, side: SERVER });
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const good = peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST);
  const bad = new Uint8Array([0x80, 3, 0, PING, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0]);
  void writer.write(good).catch(() => {});
  void writer.write(bad).catch(() => {});
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      peer.session.recvFrame(value);
    }
    assert.unreachable('the decoder stream should have failed');
  } catch (err) {
    assert.ok(err instanceof FrameError);
    peer.session.recvDecodeError(err);
  }
  assert.ok(peer.session.isStreamOpen(1));
  peer.flush();
  assert.is(peer.sentOf(GOAWAY)[0].statusCode, GOAWAY_PROTOCOL_ERROR);
  assert.is(peer.log.of('onCtrlRecvParseErrorCb')[0]![0], PING);
});

test('getStreamInfo describes an open stream, and nothing once it is closed', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitRequest(3, REQUEST, null, 'u');
  peer.flush();
  assert.equal(peer.session.getStreamInfo(1), {
    streamId: 1, state: 'opening', pri: 3, shutWrite: true, shutRead: false, remoteWindowSize: 65536,
    recvUnacked: 0, pushedStreamIds: [], deferred: null,
  });
  peer.session.recv(peer.headerFrame(2, { streamId: 1 }, RESPONSE));
  peer.feed({ frameType: DATA, streamId: 1, flags: 1, data: new Uint8Array(3) });
  assert.is(peer.session.getStreamInfo(1), undefined);
  assert.is(peer.session.getStreamRemoteWindowSize(1), undefined);
  assert.is(peer.session.getStreamRecvUnacked(1), undefined);
  assert.is(peer.session.numOpenStreams, 0);
});


/** A server Session with stream 1 open, its windows given back by hand. */
function pieceReceiver() {
  const peer = new RawPeer(SERVER, PROTO_SPDY3_1, { config: { autoWindowUpdate: false } });
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  peer.flush();
  return peer;
}

const piece = (data: Uint8Array, length: number, first: boolean, last: boolean, flags = 0) =>
  new DataFrame({ streamId: 1, flags, data, part: { length, first, last } });

test('a DATA frame in pieces: a chunk callback per piece, one data callback with the whole length, FIN at the last piece', () => {
  const peer = pieceReceiver();
  peer.session.recvFrame(piece(new Uint8Array([1, 2]), 5, true, false, DATA_FLAG_FIN));
  assert.is(peer.session.getStreamRecvUnacked(1), 5, 'the stream window counts the whole frame at its first piece');
  assert.is(peer.session.getSessionRecvUnacked(), 5);
  assert.is(peer.log.count('onDataRecvCb'), 0);
  assert.is(peer.session.getStreamState(1), 'opening', 'no FIN before the last piece');
  peer.session.recvFrame(piece(new Uint8Array([3]), 5, false, false, DATA_FLAG_FIN));
  peer.session.recvFrame(piece(new Uint8Array([4, 5]), 5, false, true, DATA_FLAG_FIN));
  assert.equal(peer.log.of('onDataChunkRecvCb').map((a) => [...(a[2] as Uint8Array)]), [[1, 2], [3], [4, 5]]);
  assert.equal(peer.log.of('onDataRecvCb'), [[DATA_FLAG_FIN, 1, 5]]);
  assert.is(peer.log.count('onRequestRecvCb'), 1, 'the request is whole once its FIN has come');
  assert.is(peer.session.getSessionRecvUnacked(), 5, 'counted once, not per piece');
});

test('the rest of a DATA frame in pieces, for a stream reset meanwhile, is dropped and its connection window given back', () => {
  const peer = pieceReceiver();
  peer.session.recvFrame(piece(new Uint8Array(1000), 40_000, true, false));
  peer.session.submitRstStream(1, CANCEL);
  peer.flush();
  peer.session.recvFrame(piece(new Uint8Array(20_000), 40_000, false, false));
  peer.session.recvFrame(piece(new Uint8Array(19_000), 40_000, false, true));
  assert.is(peer.log.count('onDataChunkRecvCb'), 1, 'only the piece that came while the stream was open');
  assert.is(peer.log.count('onDataRecvCb'), 0);
  // The 39,000 dropped bytes are given back at once (over half the window);
  // the 1000 delivered wait for the application's consume().
  const updates = peer.flush().filter((f: any) => f.frameType === WINDOW_UPDATE && f.streamId === 0);
  assert.equal(updates.map((f: any) => f.deltaWindowSize), [39_000]);
  assert.is(peer.session.getSessionRecvUnacked(), 1000);
});

test('the rest of a DATA frame whose first piece was refused is ignored: counted and answered once', () => {
  const peer = pieceReceiver();
  // Stream 3 does not exist: the first piece is refused, the rest never delivered.
  peer.session.recvFrame(new DataFrame({ streamId: 3, data: new Uint8Array(10), part: { length: 30, first: true, last: false } }));
  peer.session.recvFrame(new DataFrame({ streamId: 3, data: new Uint8Array(20), part: { length: 30, first: false, last: true } }));
  assert.is(peer.log.count('onDataChunkRecvCb'), 0);
  assert.is(peer.session.getSessionRecvUnacked(), 30, 'the frame counted once against the connection, not per piece');
  assert.equal(peer.flush().filter((f: any) => f.frameType === RST_STREAM).map((f: any) => f.streamId), [], 'no answer per piece');
});

test.run();
