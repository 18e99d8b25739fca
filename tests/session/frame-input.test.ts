// Feeding frames decoded elsewhere (what the Web Streams layer does): recvFrame,
// recvDecodeError, and the stream getters it relies on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT, SERVER, PROTO_SPDY3, PROTO_SPDY3_1, SYN_STREAM, RST_STREAM, GOAWAY, PING, DATA,
  PROTOCOL_ERROR, GOAWAY_PROTOCOL_ERROR, CTRL_FLAG_FIN, ERR_INVALID_FRAME,
  FrameDecoder, FrameDecoderStream, FrameError, InvalidFrame, Session, type DecodedFrame,
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

test.run();
