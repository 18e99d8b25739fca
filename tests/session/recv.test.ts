// Receiving and checking frames (spdylay-behaviours.md section 1).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT, SERVER, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SYN_STREAM, SYN_REPLY, HEADERS, DATA, PING,
  RST_STREAM, GOAWAY, PROTOCOL_ERROR, FRAME_TOO_LARGE, GOAWAY_PROTOCOL_ERROR, DATA_FLAG_FIN,
  CTRL_FLAG_FIN, ERR_INVALID_FRAME, EOFError, CallbackFailureError, InvalidFrame,
} from '../../src/index.js';
import { RawPeer, REQUEST, RESPONSE, Pair } from './harness.js';

test('a SYN_STREAM read one byte at a time is put back together and reported once', () => {
  let input: Uint8Array = new Uint8Array(0);
  let pos = 0;
  const peer = new RawPeer(SERVER, PROTO_SPDY3, {
    recvCb: () => (pos < input.length ? input.subarray(pos, ++pos) : null),
  });
  input = peer.headerFrame(SYN_STREAM, { streamId: 1, pri: 3 }, REQUEST);
  peer.session.recv();
  assert.is(pos, input.length);
  const got = peer.log.frames('onCtrlRecvCb', SYN_STREAM);
  assert.is(got.length, 1);
  assert.is(got[0].streamId, 1);
  assert.is(got[0].pri, 3);
  assert.equal(got[0].nv, [...REQUEST].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
});

test('recv(data) uses the bytes given and never calls recvCb', () => {
  let called = 0;
  const peer = new RawPeer(SERVER, PROTO_SPDY3, { recvCb: () => { called++; return null; } });
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  assert.is(called, 0);
  assert.is(peer.log.count('onCtrlRecvCb'), 1);
});

for (const [version, name] of [[PROTO_SPDY2, 'SPDY/2'], [PROTO_SPDY3, 'SPDY/3']] as const) {
  test(`${name}: an upper-case header name gets RST_STREAM PROTOCOL_ERROR and no control callback`, () => {
    const peer = new RawPeer(SERVER, version);
    peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, [['Host', 'x'], ['url', '/']]));
    assert.is(peer.log.count('onCtrlRecvCb'), 0);
    const [invalid] = peer.log.of('onInvalidCtrlRecvCb');
    assert.ok(invalid![0] instanceof InvalidFrame);
    assert.is(invalid![1], PROTOCOL_ERROR);
    peer.flush();
    const [rst] = peer.sentOf(RST_STREAM);
    assert.is(rst.streamId, 1);
    assert.is(rst.statusCode, PROTOCOL_ERROR);
    assert.is(peer.session.isStreamOpen(1), false);
    // The session goes on: the next stream is accepted.
    peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 3 }, [['x', 'y']]));
    assert.is(peer.log.count('onCtrlRecvCb'), 1);
  });
}

test('a SYN_STREAM too short to hold its header block gets GOAWAY and the parse-error callback', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  const bad = new Uint8Array([0x80, 3, 0, SYN_STREAM, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0]);
  peer.session.recv(bad);
  const [parse] = peer.log.of('onCtrlRecvParseErrorCb');
  assert.is(parse![0], SYN_STREAM);
  assert.equal(parse![1], bad.subarray(0, 8));
  assert.equal(parse![2], bad.subarray(8));
  assert.is(parse![3], ERR_INVALID_FRAME);
  peer.flush();
  const [goaway] = peer.sentOf(GOAWAY);
  assert.is(goaway.statusCode, GOAWAY_PROTOCOL_ERROR);
  assert.is(peer.session.wantRead(), false);
  assert.is(peer.session.wantWrite(), false);
});

for (const type of [SYN_STREAM, SYN_REPLY, HEADERS]) {
  test(`a ${type === SYN_STREAM ? 'SYN_STREAM' : type === SYN_REPLY ? 'SYN_REPLY' : 'HEADERS'} block inflating past the limit gets RST_STREAM FRAME_TOO_LARGE and the session stays up`, () => {
    const side = type === SYN_STREAM ? SERVER : CLIENT;
    const peer = new RawPeer(side, PROTO_SPDY3, { config: { maxHeaderBlockSize: 1024 } });
    let id = 2;
    if (side === CLIENT) {
      peer.session.submitRequest(3, REQUEST);
      peer.flush();
      id = 1;
      if (type === HEADERS) peer.session.recv(peer.headerFrame(SYN_REPLY, { streamId: 1 }, RESPONSE));
    } else {
      id = 1;
    }
    peer.session.recv(peer.headerFrame(type, { streamId: id }, [['big', 'x'.repeat(4000)]]));
    peer.flush();
    const [rst] = peer.sentOf(RST_STREAM);
    assert.is(rst.streamId, id);
    assert.is(rst.statusCode, FRAME_TOO_LARGE);
    assert.is(peer.sentOf(GOAWAY).length, 0);
    assert.ok(peer.session.wantRead());
    // The shared zlib stream is still in step: the next header frame decodes.
    if (side === SERVER) {
      peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 3 }, [['ok', '1']]));
      assert.is(peer.log.frames('onCtrlRecvCb', SYN_STREAM)[0].streamId, 3);
    } else {
      peer.session.submitRequest(3, REQUEST);
      peer.flush();
      peer.session.recv(peer.headerFrame(SYN_REPLY, { streamId: 3 }, RESPONSE));
      assert.is(peer.log.frames('onCtrlRecvCb', SYN_REPLY).at(-1).streamId, 3);
    }
    assert.is(peer.sentOf(GOAWAY).length, 0);
  });
}

test('a PING with an 8-byte payload gets GOAWAY PROTOCOL_ERROR', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.recv(new Uint8Array([0x80, 3, 0, PING, 0, 0, 0, 8, 0, 0, 0, 2, 0, 0, 0, 0]));
  peer.flush();
  assert.is(peer.log.of('onCtrlRecvParseErrorCb')[0]![0], PING);
  assert.is(peer.sentOf(GOAWAY)[0].statusCode, GOAWAY_PROTOCOL_ERROR);
  assert.is(peer.sentOf(PING).length, 0);
});

for (const type of [SYN_REPLY, HEADERS]) {
  test(`client: an invalid header block in ${type === SYN_REPLY ? 'SYN_REPLY' : 'HEADERS'} gets RST_STREAM PROTOCOL_ERROR`, () => {
    const peer = new RawPeer(CLIENT, PROTO_SPDY3);
    peer.session.submitRequest(3, REQUEST);
    peer.flush();
    if (type === HEADERS) peer.session.recv(peer.headerFrame(SYN_REPLY, { streamId: 1 }, RESPONSE));
    peer.session.recv(peer.headerFrame(type, { streamId: 1 }, [['a', 'x'], ['a', 'y']]));
    peer.flush();
    const [rst] = peer.sentOf(RST_STREAM);
    assert.is(rst.streamId, 1);
    assert.is(rst.statusCode, PROTOCOL_ERROR);
    assert.is(peer.log.frames('onCtrlRecvCb', type).length, 0);
  });
}

test('a client receiving a SYN_STREAM with an odd (client) stream id runs the invalid-frame callback', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  const [invalid] = peer.log.of('onInvalidCtrlRecvCb');
  assert.is((invalid![0] as any).frameType, SYN_STREAM);
  assert.is(invalid![1], PROTOCOL_ERROR);
  assert.is(peer.log.count('onCtrlRecvCb'), 0);
});

test('a SYN_REPLY for a stream that does not exist runs the invalid-frame callback and gets RST_STREAM', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.recv(peer.headerFrame(SYN_REPLY, { streamId: 1 }, RESPONSE));
  assert.is(peer.log.of('onInvalidCtrlRecvCb')[0]![1], PROTOCOL_ERROR);
  peer.flush();
  assert.is(peer.sentOf(RST_STREAM)[0].streamId, 1);
});

test('the same SYN_STREAM bytes received twice break the shared zlib stream: GOAWAY', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY2);
  const bytes = peer.headerFrame(SYN_STREAM, { streamId: 1, pri: 3 }, [['url', '/']]);
  peer.session.recv(bytes);
  assert.is(peer.flush().filter((f) => (f as any).frameType === GOAWAY).length, 0);
  peer.session.recv(bytes);
  assert.is(peer.flush().filter((f) => (f as any).frameType === GOAWAY).length, 1);
});

test('recv() throws the EOFError that recvCb throws', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3, { recvCb: () => { throw new EOFError(); } });
  assert.throws(() => peer.session.recv(), (e: unknown) => e instanceof EOFError);
});

test('recv() throws the CallbackFailureError that recvCb throws', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3, { recvCb: () => { throw new CallbackFailureError(); } });
  assert.throws(() => peer.session.recv(), (e: unknown) => e instanceof CallbackFailureError);
});

test('DATA for an unknown stream is dropped silently: no callback, no RST_STREAM', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  peer.feed({ frameType: DATA, streamId: 1, data: new Uint8Array(10) });
  peer.flush();
  assert.is(peer.log.count('onDataChunkRecvCb'), 0);
  assert.is(peer.log.count('onDataRecvCb'), 0);
  assert.is(peer.sentOf(RST_STREAM).length, 0);
  assert.is(peer.sentOf(GOAWAY).length, 0);
});

test('DATA for a CLOSING stream is dropped silently', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  peer.session.submitRstStream(1, 5);
  assert.is(peer.session.getStreamState(1), 'closing');
  peer.feed({ frameType: DATA, streamId: 1, data: new Uint8Array(10) });
  assert.is(peer.log.count('onDataChunkRecvCb'), 0);
  peer.flush();
  assert.is(peer.sentOf(RST_STREAM).length, 1);
  assert.is(peer.sentOf(GOAWAY).length, 0);
});

test('DATA on an open stream runs the chunk callback and the frame callback', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  const body = new Uint8Array([1, 2, 3, 4, 5]);
  peer.feed({ frameType: DATA, streamId: 1, flags: DATA_FLAG_FIN, data: body });
  assert.equal(peer.log.of('onDataChunkRecvCb'), [[DATA_FLAG_FIN, 1, body]]);
  assert.equal(peer.log.of('onDataRecvCb'), [[DATA_FLAG_FIN, 1, 5]]);
});

test('DATA on our stream before its SYN_REPLY is a session error', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitRequest(3, REQUEST);
  peer.flush();
  peer.feed({ frameType: DATA, streamId: 1, data: new Uint8Array(3) });
  assert.is(peer.log.count('onDataChunkRecvCb'), 0);
  peer.flush();
  assert.is(peer.sentOf(GOAWAY)[0].statusCode, GOAWAY_PROTOCOL_ERROR);
});

test('a frame of another SPDY version gets RST_STREAM UNSUPPORTED_VERSION when it opens a stream', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  const frame = peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST);
  frame[1] = 2;
  peer.session.recv(frame);
  peer.flush();
  assert.is(peer.sentOf(RST_STREAM)[0].statusCode, 4 /* UNSUPPORTED_VERSION */);
});

test('an unknown control frame type reaches the unknown-frame callback and nothing else', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  const frame = new Uint8Array([0x80, 3, 0, 0x42, 0, 0, 0, 2, 0xaa, 0xbb]);
  peer.session.recv(frame);
  assert.equal(peer.log.of('onUnknownCtrlRecvCb'), [[frame.subarray(0, 8), frame.subarray(8)]]);
  peer.flush();
  assert.is(peer.sentOf(GOAWAY).length + peer.sentOf(RST_STREAM).length, 0);
});

test('a corrupt zlib stream is a session error: GOAWAY, then input is ignored', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3_1);
  const frame = peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST);
  for (let i = 20; i < frame.length; i++) frame[i] ^= 0x5a;
  peer.session.recv(frame);
  peer.flush();
  assert.is(peer.sentOf(GOAWAY)[0].statusCode, GOAWAY_PROTOCOL_ERROR);
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 3 }, REQUEST));
  assert.is(peer.log.count('onCtrlRecvCb'), 0);
  assert.is(peer.session.wantRead(), false);
});

test('a whole exchange between two sessions reports headers and bodies on both sides', () => {
  const pair = new Pair(PROTO_SPDY3);
  pair.client.submitSynStream(CTRL_FLAG_FIN, 2, REQUEST);
  pair.pump();
  assert.is(pair.serverLog.frames('onCtrlRecvCb', SYN_STREAM).length, 1);
  pair.server.submitSynReply(CTRL_FLAG_FIN, 1, RESPONSE);
  pair.pump();
  assert.is(pair.clientLog.frames('onCtrlRecvCb', SYN_REPLY).length, 1);
  assert.is(pair.client.numOpenStreams, 0);
  assert.is(pair.server.numOpenStreams, 0);
});

for (const [name, type, length] of [
  ['RST_STREAM', RST_STREAM, 4], ['SETTINGS', 4, 12], ['GOAWAY', GOAWAY, 4], ['WINDOW_UPDATE', 9, 12], ['SYN_REPLY', SYN_REPLY, 2],
] as const) {
  test(`a ${name} with an impossible length (${length}) gets GOAWAY PROTOCOL_ERROR`, () => {
    const peer = new RawPeer(SERVER, PROTO_SPDY3);
    const frame = new Uint8Array(8 + length);
    frame.set([0x80, 3, 0, type, 0, 0, 0, length]);
    // SETTINGS: a count of 2 entries in room for one.
    if (name === 'SETTINGS') frame[11] = 2;
    peer.session.recv(frame);
    peer.flush();
    assert.is(peer.log.of('onCtrlRecvParseErrorCb')[0]![0], type);
    assert.is(peer.sentOf(GOAWAY)[0].statusCode, GOAWAY_PROTOCOL_ERROR);
    assert.is(peer.session.wantWrite(), false);
  });
}

test('SPDY/2 has no FRAME_TOO_LARGE status: an oversized header block gets RST_STREAM PROTOCOL_ERROR', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY2, { config: { maxHeaderBlockSize: 256 } });
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, [['url', '/'], ['big', 'y'.repeat(1000)]]));
  peer.flush();
  assert.equal(peer.sentOf(RST_STREAM).map((f) => [f.streamId, f.statusCode]), [[1, PROTOCOL_ERROR]]);
  assert.is(peer.sentOf(GOAWAY).length, 0);
});

test('a stream of hostile frames never throws out of recv()', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3_1);
  let x = 12345;
  const junk = new Uint8Array(5000).map(() => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24));
  // A SYN_STREAM head, then noise where its header block should be.
  junk.set([0x80, 3, 0, SYN_STREAM, 0, 0, 0, 100, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  for (let i = 0; i < junk.length; i += 97) peer.session.recv(junk.subarray(i, i + 97));
  peer.flush();
  assert.is(peer.sentOf(GOAWAY).length, 1);
  assert.is(peer.session.wantRead(), false);
});

test.run();
