// What the application submits, and what happens to frames that can no
// longer be sent (spdylay-behaviours.md sections 4 and 5).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT, SERVER, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SYN_STREAM, SYN_REPLY, HEADERS, SETTINGS,
  GOAWAY, RST_STREAM, CTRL_FLAG_FIN, CTRL_FLAG_UNIDIRECTIONAL, FLAG_SETTINGS_CLEAR_SETTINGS, CANCEL,
  INTERNAL_ERROR, GOAWAY_OK, SETTINGS_MAX_CONCURRENT_STREAMS, SETTINGS_INITIAL_WINDOW_SIZE,
  SETTINGS_ROUND_TRIP_TIME, ERR_STREAM_CLOSED, ERR_INVALID_STREAM_STATE, ERR_STREAM_SHUT_WR,
  ERR_STREAM_CLOSING, ERR_SYN_STREAM_NOT_ALLOWED, ERR_GOAWAY_ALREADY_SENT, HeaderInflater,
  Session, InvalidArgumentError, UnsupportedVersionError, type ProtocolVersion,
} from '../../src/index.js';
import { Pair, RawPeer, REQUEST, RESPONSE, bodyProvider, bytes } from './harness.js';

const isInvalidArgument = (e: unknown) => e instanceof InvalidArgumentError;

/** The header names of a frame's block as they were on the wire (no SPDY/2 to 3 mapping). */
function wireNames(raw: Uint8Array, version: 2 | 3, inflater: HeaderInflater): string[] {
  const type = raw[3];
  const fixed = type === SYN_STREAM ? 10 : version === 2 ? 6 : 4;
  const block = inflater.inflate(raw.subarray(8 + fixed))!;
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const field = version === 2 ? 2 : 4;
  const read = (pos: number) => (field === 2 ? view.getUint16(pos) : view.getUint32(pos));
  const names: string[] = [];
  let pos = field;
  for (let i = 0; i < read(0); i++) {
    const n = read(pos);
    names.push(new TextDecoder().decode(block.subarray(pos + field, pos + field + n)));
    pos += field + n;
    pos += field + read(pos);
  }
  return names;
}

test('a request goes out with lower-cased names and the whole body read from its provider', () => {
  const pair = new Pair(PROTO_SPDY3);
  const body = bytes(10000);
  const prd = bodyProvider(body);
  pair.client.submitRequest(3, [[':METHOD', 'POST'], [':Path', '/up'], ['X-Custom', 'A']], prd);
  pair.pump();
  const [syn] = pair.serverLog.frames('onCtrlRecvCb', SYN_STREAM);
  assert.equal(syn.nv, [[':method', 'POST'], [':path', '/up'], ['x-custom', 'A']]);
  assert.is(syn.flags & CTRL_FLAG_FIN, 0);
  const got = pair.serverLog.of('onDataChunkRecvCb').flatMap((a) => [...(a[2] as Uint8Array)]);
  assert.equal(new Uint8Array(got), body);
  assert.is(prd.source.offset, body.length);
});

for (const [version, names] of [
  [PROTO_SPDY2, ['host', 'method', 'scheme', 'url', 'version']],
  [PROTO_SPDY3, [':host', ':method', ':path', ':scheme', ':version']],
] as const) {
  test(`SPDY/${version}: a request without a body has FIN on its SYN_STREAM, with the version's names on the wire`, () => {
    const peer = new RawPeer(CLIENT, version);
    peer.session.submitRequest(3, REQUEST);
    peer.flush();
    const [syn] = peer.sentOf(SYN_STREAM);
    assert.is(syn.flags, CTRL_FLAG_FIN);
    const raw = peer.chunks.find((c) => c[3] === SYN_STREAM)!;
    assert.equal(wireNames(raw, version, new HeaderInflater(version, 65536)), names);
    // The frame object names stay SPDY/3 ones in every version.
    assert.equal(peer.log.frames('onCtrlSendCb', SYN_STREAM)[0].nv.map((p: string[]) => p[0]).sort(), REQUEST.map((p) => p[0]).sort());
  });

  test(`SPDY/${version}: a response without a body has FIN on its SYN_REPLY, with the version's names on the wire`, () => {
    const peer = new RawPeer(SERVER, version);
    peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, version === 2 ? [['url', '/']] : [[':path', '/']]));
    peer.session.submitResponse(1, [[':Status', '200 OK'], [':Version', 'HTTP/1.1']]);
    peer.flush();
    const [reply] = peer.sentOf(SYN_REPLY);
    assert.is(reply.flags, CTRL_FLAG_FIN);
    assert.equal(reply.nv, [[':status', '200 OK'], [':version', 'HTTP/1.1']]);
    const raw = peer.chunks.find((c) => c[3] === SYN_REPLY)!;
    assert.equal(wireNames(raw, version, new HeaderInflater(version, 65536)), version === 2 ? ['status', 'version'] : [':status', ':version']);
  });

  test(`SPDY/${version}: HEADERS go out with the version's names on the wire`, () => {
    const peer = new RawPeer(CLIENT, version);
    peer.session.submitSynStream(0, 3, [[':path', '/']]);
    peer.session.submitHeaders(CTRL_FLAG_FIN, 1, [[':Host', 'example.org']]);
    peer.flush();
    const [headers] = peer.sentOf(HEADERS);
    assert.is(headers.flags, CTRL_FLAG_FIN);
    assert.equal(headers.nv, [[':host', 'example.org']]);
    const inflater = new HeaderInflater(version, 65536);
    wireNames(peer.chunks.find((c) => c[3] === SYN_STREAM)!, version, inflater);
    assert.equal(wireNames(peer.chunks.find((c) => c[3] === HEADERS)!, version, inflater), [version === 2 ? 'host' : ':host']);
    assert.is(peer.session.getStreamInfo(1)!.shutWrite, true);
  });
}

test('a response with a body comes as SYN_REPLY then DATA, FIN on the last frame', () => {
  const pair = new Pair(PROTO_SPDY3);
  pair.client.submitRequest(3, REQUEST);
  pair.pump();
  pair.server.submitResponse(1, RESPONSE, bodyProvider(bytes(5000)));
  pair.pump();
  assert.is(pair.clientLog.frames('onCtrlRecvCb', SYN_REPLY)[0].flags, 0);
  assert.equal(pair.clientLog.of('onDataRecvCb'), [[0, 1, 4096], [CTRL_FLAG_FIN, 1, 904]]);
  assert.is(pair.client.numOpenStreams + pair.server.numOpenStreams, 0);
});

test('submitSynStream: a client ignores the associated stream id, a server keeps it; the priority is kept', () => {
  const client = new RawPeer(CLIENT, PROTO_SPDY3);
  client.session.submitSynStream(CTRL_FLAG_FIN, 5, REQUEST, 3);
  client.flush();
  assert.equal(client.sentOf(SYN_STREAM).map((f) => [f.assocStreamId, f.pri]), [[0, 5]]);
  const server = new RawPeer(SERVER, PROTO_SPDY3);
  server.session.recv(server.headerFrame(SYN_STREAM, { streamId: 3 }, REQUEST));
  server.session.submitSynStream(CTRL_FLAG_UNIDIRECTIONAL, 6, RESPONSE, 3);
  server.flush();
  assert.equal(server.sentOf(SYN_STREAM).map((f) => [f.streamId, f.assocStreamId, f.pri, f.flags]), [[2, 3, 6, CTRL_FLAG_UNIDIRECTIONAL]]);
});

test('submitSynReply: nothing is sent for a stream that does not exist; otherwise FIN shuts the write side', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  peer.session.submitSynReply(CTRL_FLAG_FIN, 1, RESPONSE);
  peer.flush();
  assert.is(peer.sentOf(SYN_REPLY).length, 0);
  assert.equal(peer.log.of('onCtrlNotSendCb').map((a) => a[1]), [ERR_STREAM_CLOSED]);
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  peer.session.submitSynReply(CTRL_FLAG_FIN, 1, RESPONSE);
  peer.flush();
  assert.is(peer.sentOf(SYN_REPLY).length, 1);
  assert.is(peer.log.frames('onCtrlSendCb', SYN_REPLY).length, 1);
  assert.is(peer.session.getStreamInfo(1)!.shutWrite, true);
});

test('submitHeaders: nothing is sent for a stream that does not exist; otherwise HEADERS go, the send callback runs, FIN shuts the write side', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  peer.session.submitHeaders(CTRL_FLAG_FIN, 1, [['x-a', '1']]);
  peer.flush();
  assert.is(peer.sentOf(HEADERS).length, 0);
  assert.equal(peer.log.of('onCtrlNotSendCb').map((a) => [(a[0] as any).frameType, a[1]]), [[HEADERS, ERR_STREAM_CLOSED]]);
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  peer.session.submitSynReply(0, 1, RESPONSE);
  peer.session.submitHeaders(CTRL_FLAG_FIN, 1, [['X-A', '1']]);
  peer.flush();
  assert.equal(peer.sentOf(HEADERS).map((f) => [f.streamId, f.flags, f.nv]), [[1, CTRL_FLAG_FIN, [['x-a', '1']]]]);
  assert.equal(peer.log.frames('onCtrlSendCb', HEADERS).map((f) => f.streamId), [1]);
  const info = peer.session.getStreamInfo(1)!;
  assert.equal([info.shutWrite, info.shutRead], [true, false]);
});

for (const [name, call] of [
  ['submitRequest', (s: Session, nv: any) => s.submitRequest(3, nv)],
  ['submitResponse', (s: Session, nv: any) => s.submitResponse(1, nv)],
  ['submitSynStream', (s: Session, nv: any) => s.submitSynStream(0, 3, nv)],
  ['submitSynReply', (s: Session, nv: any) => s.submitSynReply(0, 1, nv)],
  ['submitHeaders', (s: Session, nv: any) => s.submitHeaders(0, 1, nv)],
] as const) {
  test(`${name} refuses an empty name, a control or non-ASCII character in a name, and a missing value`, () => {
    const session = new Session(SERVER, PROTO_SPDY3);
    for (const nv of [[['', 'v']], [['a\nb', 'v']], [['a\x7f', 'v']], [['caf\u00e9', 'v']], [['a', null]], [['a', undefined]], [['a']], 'x']) {
      assert.throws(() => call(session, nv), isInvalidArgument, JSON.stringify(nv));
    }
    assert.is(session.getOutboundQueueSize(), 1, 'only our SETTINGS');
  });
}

test('priorities outside 0..getPriLowest() are refused', () => {
  for (const [version, lowest] of [[PROTO_SPDY2, 3], [PROTO_SPDY3, 7], [PROTO_SPDY3_1, 7]] as const) {
    const session = new Session(CLIENT, version);
    assert.is(session.getPriLowest(), lowest);
    session.submitRequest(lowest, REQUEST);
    for (const pri of [-1, lowest + 1, 1.5, NaN]) {
      assert.throws(() => session.submitRequest(pri, REQUEST), isInvalidArgument);
      assert.throws(() => session.submitSynStream(0, pri, REQUEST), isInvalidArgument);
    }
  }
});

test('submitSettings refuses a repeated id and leaves the local settings as they were', () => {
  const session = new Session(CLIENT, PROTO_SPDY3);
  assert.throws(() => session.submitSettings(0, [
    [SETTINGS_MAX_CONCURRENT_STREAMS, 0, 5], [SETTINGS_INITIAL_WINDOW_SIZE, 0, 1000], [SETTINGS_MAX_CONCURRENT_STREAMS, 0, 6],
  ]), isInvalidArgument);
  assert.is(session.getLocalSetting(SETTINGS_MAX_CONCURRENT_STREAMS), 100);
  assert.is(session.getLocalSetting(SETTINGS_INITIAL_WINDOW_SIZE), 65536);
  for (const iv of [[[0, 0, 1]], [[9, 0, 1]], [[SETTINGS_INITIAL_WINDOW_SIZE, 0, 2 ** 31]], [[1, 0, -1]], [[1, 0]]]) {
    assert.throws(() => session.submitSettings(0, iv as any), isInvalidArgument, JSON.stringify(iv));
  }
});

test('submitSettings updates the local settings at once and queues SETTINGS with its flags', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitSettings(FLAG_SETTINGS_CLEAR_SETTINGS, [[SETTINGS_ROUND_TRIP_TIME, 0, 30], [SETTINGS_MAX_CONCURRENT_STREAMS, 0, 3]]);
  assert.is(peer.session.getLocalSetting(SETTINGS_MAX_CONCURRENT_STREAMS), 3);
  assert.is(peer.session.getLocalSetting(SETTINGS_ROUND_TRIP_TIME), 30);
  peer.flush();
  const settings = peer.sentOf(SETTINGS);
  assert.is(settings.length, 2);
  assert.is(settings[1].flags, FLAG_SETTINGS_CLEAR_SETTINGS);
  // Sorted by id, as spdylay sends them.
  assert.equal(settings[1].iv, [[SETTINGS_ROUND_TRIP_TIME, 0, 30], [SETTINGS_MAX_CONCURRENT_STREAMS, 0, 3]]);
});

test('a push whose associated stream has closed is not sent: STREAM_CLOSED', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  peer.session.submitSynStream(CTRL_FLAG_UNIDIRECTIONAL, 3, RESPONSE, 1, 'push');
  peer.feed({ frameType: RST_STREAM, streamId: 1, statusCode: CANCEL });
  peer.flush();
  assert.equal(peer.log.of('onCtrlNotSendCb').map((a) => [(a[0] as any).frameType, a[1], a[2]]), [[SYN_STREAM, ERR_STREAM_CLOSED, 'push']]);
  assert.is(peer.sentOf(SYN_STREAM).length, 0);
});

test('frames that can no longer be sent reach onCtrlNotSendCb with the reason', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY2);
  const reasons = () => peer.log.of('onCtrlNotSendCb').map((a) => [(a[0] as any).frameType, a[1]]);
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, [['url', '/']]));
  // HEADERS before our SYN_REPLY.
  peer.session.submitHeaders(0, 1, [['x', 'y']]);
  peer.flush();
  assert.equal(reasons(), [[HEADERS, ERR_INVALID_STREAM_STATE]]);
  // A second SYN_REPLY: the stream is no longer OPENING.
  peer.session.submitSynReply(0, 1, RESPONSE);
  peer.session.submitSynReply(0, 1, RESPONSE);
  peer.flush();
  assert.equal(reasons().slice(1), [[SYN_REPLY, ERR_INVALID_STREAM_STATE]]);
  // The write side is shut.
  peer.session.submitHeaders(CTRL_FLAG_FIN, 1, [['x', 'y']]);
  peer.session.submitHeaders(0, 1, [['x', 'z']]);
  peer.flush();
  assert.equal(reasons().slice(2), [[HEADERS, ERR_STREAM_SHUT_WR]]);
  // An RST_STREAM is already queued.
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 3 }, [['url', '/']]));
  peer.session.submitSynReply(0, 3, RESPONSE);
  peer.session.submitRstStream(3, INTERNAL_ERROR);
  peer.flush();
  assert.equal(reasons().slice(3), [[SYN_REPLY, ERR_STREAM_CLOSING]]);
  // A stream that does not exist.
  peer.session.submitHeaders(0, 7, [['x', 'y']]);
  peer.flush();
  assert.equal(reasons().slice(4), [[HEADERS, ERR_STREAM_CLOSED]]);
});

test('after we sent GOAWAY a new SYN_STREAM is not allowed, and a second GOAWAY is not sent', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitGoaway(GOAWAY_OK);
  peer.flush();
  peer.session.submitRequest(3, REQUEST);
  peer.session.submitGoaway(GOAWAY_OK);
  peer.flush();
  assert.equal(peer.log.of('onCtrlNotSendCb').map((a) => [(a[0] as any).frameType, a[1]]).sort(),
    [[GOAWAY, ERR_GOAWAY_ALREADY_SENT], [SYN_STREAM, ERR_SYN_STREAM_NOT_ALLOWED]].sort());
  assert.is(peer.sentOf(GOAWAY).length, 1);
});

test('GOAWAY names the last stream id received', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 5 }, REQUEST));
  peer.session.submitGoaway(GOAWAY_OK);
  peer.flush();
  assert.is(peer.sentOf(GOAWAY)[0].lastGoodStreamId, 5);
  // Streams already open go on after GOAWAY.
  assert.ok(peer.session.wantRead());
  peer.session.submitResponse(5, RESPONSE);
  peer.flush();
  assert.equal(peer.sentOf(SYN_REPLY).map((f) => f.streamId), [5]);
});

test('a client that was never pushed to ends with GOAWAY last-good-stream-id 0, as spdycat does', () => {
  const pair = new Pair(PROTO_SPDY3);
  pair.client.submitRequest(3, REQUEST);
  pair.server.submitPing();
  pair.pump();
  pair.server.submitResponse(1, RESPONSE);
  pair.pump();
  pair.client.submitGoaway(GOAWAY_OK);
  pair.pump();
  const goaways = pair.clientSent.filter((f: any) => f.frameType === GOAWAY) as any[];
  assert.equal(goaways.map((f) => [f.lastGoodStreamId, f.statusCode]), [[0, GOAWAY_OK]]);
});

test('other arguments are checked too', () => {
  const session = new Session(CLIENT, PROTO_SPDY3);
  assert.throws(() => session.submitData(1, 0, {} as any), isInvalidArgument);
  assert.throws(() => session.submitRequest(3, REQUEST, { readCb: 5 } as any), isInvalidArgument);
  assert.throws(() => session.submitRstStream(0, CANCEL), isInvalidArgument);
  assert.throws(() => session.submitRstStream(1, -1), isInvalidArgument);
  assert.throws(() => session.submitSynReply(0, -3, RESPONSE), isInvalidArgument);
  assert.throws(() => session.submitHeaders(256, 1, RESPONSE), isInvalidArgument);
  assert.throws(() => session.submitGoaway(1.5), isInvalidArgument);
  assert.throws(() => session.recv('text' as any), isInvalidArgument);
  assert.is(session.getOutboundQueueSize(), 1);
});

test('the constructor checks the side, the version, the callbacks and the config', () => {
  assert.throws(() => new Session(3 as any, PROTO_SPDY3), isInvalidArgument);
  for (const v of [1, 5, 0, '3']) {
    assert.throws(() => new Session(CLIENT, v as ProtocolVersion), (e: unknown) => e instanceof UnsupportedVersionError);
  }
  assert.throws(() => new Session(CLIENT, PROTO_SPDY3, { sendCb: 5 as any }), isInvalidArgument);
  assert.throws(() => new Session(CLIENT, PROTO_SPDY3, { config: { noSuchKey: 1 } as any }), isInvalidArgument);
  assert.throws(() => new Session(CLIENT, PROTO_SPDY3, { config: { autoWindowUpdate: 'yes' as any } }), isInvalidArgument);
  assert.throws(() => new Session(CLIENT, PROTO_SPDY3, { config: { maxConcurrentStreams: -1 } }), isInvalidArgument);
  for (const autoWindowUpdate of [true, false]) {
    assert.is(new Session(CLIENT, PROTO_SPDY3, { config: { autoWindowUpdate } }).config.autoWindowUpdate, autoWindowUpdate);
  }
});

test('send() and recv() without data need their callbacks', () => {
  const session = new Session(CLIENT, PROTO_SPDY3);
  assert.throws(() => session.send(), isInvalidArgument);
  assert.throws(() => session.recv(), isInvalidArgument);
});

test('the header compression level comes from config: a level-9 client compresses, a level-0 server stores', () => {
  const sizes = (side: typeof CLIENT | typeof SERVER, headerCompressionLevel?: number) => {
    const peer = new RawPeer(side, PROTO_SPDY3, { config: headerCompressionLevel === undefined ? {} : { headerCompressionLevel } });
    if (side === CLIENT) peer.session.submitRequest(3, [...REQUEST, ['x-long', 'a'.repeat(500)]]);
    else {
      peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
      peer.session.submitResponse(1, [...RESPONSE, ['x-long', 'a'.repeat(500)]]);
    }
    peer.flush();
    return peer.chunks.find((c) => c[3] === SYN_STREAM || c[3] === SYN_REPLY)!.length;
  };
  assert.ok(sizes(CLIENT) > 500, 'clients store by default');
  assert.ok(sizes(CLIENT, 9) < 300);
  assert.ok(sizes(SERVER) < 300, 'servers compress by default');
  assert.ok(sizes(SERVER, 0) > 500);
});

test.run();
