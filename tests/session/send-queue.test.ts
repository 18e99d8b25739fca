// Sending: the outbound queue, priorities, stream ids and DATA chunking
// (spdylay-behaviours.md section 3).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT, SERVER, PROTO_SPDY2, PROTO_SPDY3, SYN_STREAM, SYN_REPLY, DATA, PING, RST_STREAM, SETTINGS,
  CTRL_FLAG_FIN, CTRL_FLAG_UNIDIRECTIONAL, DATA_FLAG_FIN, CANCEL, INTERNAL_ERROR, READ_EOF,
  ERR_STREAM_ID_NOT_AVAILABLE, ERR_DEFERRED, SETTINGS_MAX_CONCURRENT_STREAMS, MAX_STREAM_ID,
  Session, DataProvider, SpdyError, CallbackFailureError, TemporalCallbackFailureError,
} from '../../src/index.js';
import { PriorityHeap } from '../../src/session/priority-heap.js';
import { RawPeer, REQUEST, RESPONSE, bodyProvider, bytes } from './harness.js';

const dataOf = (frames: any[], id?: number) => frames.filter((f) => f.frameType === DATA && (id === undefined || f.streamId === id));

for (const [version, shift, name] of [[PROTO_SPDY2, 6, 'SPDY/2'], [PROTO_SPDY3, 5, 'SPDY/3']] as const) {
  test(`${name}: a queued SYN_STREAM goes out with the version and type bytes, stream id 1, assoc 0, priority ${3}`, () => {
    const peer = new RawPeer(CLIENT, version);
    peer.session.submitRequest(3, REQUEST);
    peer.flush();
    const raw = peer.chunks.find((c) => c[3] === SYN_STREAM)!;
    assert.equal([...raw.subarray(0, 4)], [0x80, version, 0, SYN_STREAM]);
    const view = new DataView(raw.buffer, raw.byteOffset);
    assert.is(view.getUint32(8), 1);
    assert.is(view.getUint32(12), 0);
    assert.is(raw[16], 3 << shift);
  });
}

test('a stream id is given when the SYN_STREAM is written, and the stream exists in beforeCtrlSendCb', () => {
  const seen: unknown[] = [];
  const peer = new RawPeer(CLIENT, PROTO_SPDY3, {
    beforeCtrlSendCb: (s, frame) => {
      if (frame.frameType === SYN_STREAM) seen.push([frame.streamId, s.getStreamState(frame.streamId), s.getStreamUserData(frame.streamId)]);
    },
  });
  peer.session.submitRequest(7, REQUEST, null, 'low');
  peer.session.submitRequest(0, REQUEST, null, 'high');
  assert.is(peer.session.numOpenStreams, 0);
  peer.flush();
  // The more urgent request goes first, so it gets the lower id.
  assert.equal(seen, [[1, 'initial', 'high'], [3, 'initial', 'low']]);
  assert.equal(peer.sentOf(SYN_STREAM).map((f) => [f.streamId, f.pri]), [[1, 0], [3, 7]]);
});

test('after a SYN_STREAM is sent its stream is OPENING', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitSynStream(0, 3, REQUEST);
  peer.flush();
  assert.is(peer.session.getStreamState(1), 'opening');
});

test('after a SYN_REPLY is sent its stream is OPENED', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  peer.session.submitSynReply(0, 1, RESPONSE);
  assert.is(peer.session.getStreamState(1), 'opening');
  peer.flush();
  assert.is(peer.session.getStreamState(1), 'opened');
});

test('sending RST_STREAM closes the stream and the streams pushed under it', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  peer.session.submitSynStream(CTRL_FLAG_UNIDIRECTIONAL, 3, RESPONSE, 1);
  peer.session.submitSynStream(CTRL_FLAG_UNIDIRECTIONAL, 3, RESPONSE, 1);
  peer.flush();
  assert.equal(peer.session.getStreamInfo(1)!.pushedStreamIds, [2, 4]);
  peer.session.submitRstStream(1, CANCEL);
  peer.flush();
  assert.equal(peer.log.of('onStreamCloseCb'), [[2, CANCEL], [4, CANCEL], [1, CANCEL]]);
  assert.is(peer.session.numOpenStreams, 0);
});

test('the queue\'s priority heap hands items out by priority, then in the order they came, however pushes and pops interleave', () => {
  type Item = { pri: number; seq: number };
  const heap = new PriorityHeap<Item>((a, b) => (a.pri !== b.pri ? a.pri < b.pri : a.seq < b.seq));
  assert.is(heap.pop(), undefined);
  assert.is(heap.peek(), undefined);
  let x = 99;
  const rnd = (n: number) => (x = (x * 1103515245 + 12345) >>> 0) % n;
  const model: Item[] = [];
  let seq = 0;
  for (let step = 0; step < 5000; step++) {
    if (rnd(3) !== 0 || model.length === 0) {
      const item = { pri: rnd(8), seq: seq++ };
      heap.push(item);
      model.push(item);
      model.sort((a, b) => a.pri - b.pri || a.seq - b.seq);
    } else {
      assert.is(heap.peek(), model[0]);
      assert.is(heap.pop(), model.shift());
    }
    assert.is(heap.size, model.length);
  }
  assert.is(heap.some((i) => i.pri === 7), model.some((i) => i.pri === 7));
  while (model.length > 0) assert.is(heap.pop(), model.shift());
  assert.is(heap.size, 0);
});

test('control frames such as PING go before a new SYN_STREAM', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitRequest(0, REQUEST);
  peer.session.submitPing();
  const types = peer.flush().map((f: any) => f.frameType);
  assert.equal(types, [SETTINGS, PING, SYN_STREAM]);
});

test('a new SYN_STREAM waits while the peer MAX_CONCURRENT_STREAMS is reached, and goes when it rises', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.feed({ frameType: SETTINGS, iv: [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 1]] });
  peer.session.submitRequest(3, REQUEST);
  peer.session.submitRequest(3, REQUEST);
  peer.flush();
  assert.is(peer.sentOf(SYN_STREAM).length, 1);
  assert.is(peer.session.getOutboundQueueSize(), 1);
  assert.is(peer.session.wantWrite(), false);
  peer.feed({ frameType: SETTINGS, iv: [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 2]] });
  assert.is(peer.session.wantWrite(), true);
  peer.flush();
  assert.equal(peer.sentOf(SYN_STREAM).map((f) => f.streamId), [1, 3]);
});

test('a held SYN_STREAM goes when one of our streams closes', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.feed({ frameType: SETTINGS, iv: [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 1]] });
  peer.session.submitRequest(3, REQUEST);
  peer.session.submitRequest(3, REQUEST);
  peer.flush();
  peer.feed({ frameType: RST_STREAM, streamId: 1, statusCode: CANCEL });
  peer.flush();
  assert.equal(peer.sentOf(SYN_STREAM).map((f) => f.streamId), [1, 3]);
});

test('only streams this side opened count towards the peer limit; a SYN_REPLY is never held', () => {
  const peer = new RawPeer(SERVER, PROTO_SPDY3);
  peer.feed({ frameType: SETTINGS, iv: [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 1]] });
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, REQUEST));
  peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 3 }, REQUEST));
  peer.session.submitSynStream(CTRL_FLAG_UNIDIRECTIONAL, 3, RESPONSE, 1);
  peer.session.submitSynStream(CTRL_FLAG_UNIDIRECTIONAL, 3, RESPONSE, 3);
  peer.session.submitSynReply(0, 1, RESPONSE);
  peer.session.submitSynReply(0, 3, RESPONSE);
  peer.flush();
  assert.equal(peer.sentOf(SYN_STREAM).map((f) => f.streamId), [2]);
  assert.equal(peer.sentOf(SYN_REPLY).map((f) => f.streamId), [1, 3]);
  assert.is(peer.session.getOutboundQueueSize(), 1);
});

test('DATA goes out in 4 KiB frames with one read ahead, a PING slips in between, and the body ends the write side', () => {
  const body = bytes(16 * 1024);
  const prd = bodyProvider(body);
  const peer = new RawPeer(CLIENT, PROTO_SPDY2);
  peer.session.submitRequest(3, REQUEST, prd);
  peer.callBudget = 3; // SETTINGS, SYN_STREAM, DATA[0]
  peer.flush();
  assert.is(dataOf(peer.sent).length, 1);
  assert.is(prd.source.offset, 8 * 1024, 'DATA[1] is read but not sent');
  peer.session.submitPing();
  peer.callBudget = 2;
  peer.flush();
  assert.equal(peer.sent.slice(-2).map((f: any) => f.frameType), [DATA, PING]);
  assert.is(prd.source.offset, 12 * 1024, 'DATA[2] is read but not sent');
  peer.callBudget = 2;
  peer.flush();
  const data = dataOf(peer.sent);
  assert.equal(data.map((f) => f.data.length), [4096, 4096, 4096, 4096]);
  assert.equal(data.map((f) => f.flags), [0, 0, 0, DATA_FLAG_FIN]);
  assert.equal(new Uint8Array(data.flatMap((f) => [...f.data])), body);
  assert.is(peer.session.getStreamInfo(1)!.shutWrite, true);
});

test('a provider that ends with an empty read sends a last empty DATA frame with FIN', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  let reads = 0;
  peer.session.submitRequest(3, REQUEST, new DataProvider(null, (_s, _id, _len, ctrl) => {
    if (reads++ === 0) return bytes(100);
    ctrl.flags = READ_EOF;
    return new Uint8Array(0);
  }));
  peer.flush();
  assert.equal(dataOf(peer.sent).map((f) => [f.data.length, f.flags]), [[100, 0], [0, DATA_FLAG_FIN]]);
});

test('DATA of a more urgent stream goes first; equal priorities take turns frame by frame', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY2);
  peer.session.submitRequest(3, REQUEST, bodyProvider(bytes(8192)));
  peer.session.submitRequest(3, REQUEST, bodyProvider(bytes(8192)));
  peer.session.submitRequest(1, REQUEST, bodyProvider(bytes(8192)));
  peer.flush();
  const order = dataOf(peer.sent).map((f) => f.streamId);
  // Stream 1 gets pri 1 (it was written first), then 3 and 5 with pri 3 alternate.
  assert.equal(order, [1, 1, 3, 5, 3, 5]);
});

test('once RST_STREAM is received no more DATA goes out on that stream and the stream is gone', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitRequest(3, REQUEST, bodyProvider(bytes(16 * 1024)));
  peer.callBudget = 3;
  peer.flush();
  peer.session.recv(peer.headerFrame(SYN_REPLY, { streamId: 1 }, RESPONSE));
  peer.feed({ frameType: RST_STREAM, streamId: 1, statusCode: CANCEL });
  assert.is(peer.session.isStreamOpen(1), false);
  peer.callBudget = Infinity;
  peer.flush();
  // The frame already read ahead still goes, as in spdylay; nothing after it.
  assert.is(dataOf(peer.sent, 1).length, 2);
  assert.is(peer.session.wantWrite(), false);
});

test('a deferred body sends nothing until resumeData, can defer again, and keeps a chunk already read', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  const script: Array<Uint8Array | typeof ERR_DEFERRED> = [bytes(10), ERR_DEFERRED, bytes(20), ERR_DEFERRED, bytes(30)];
  peer.session.submitRequest(3, REQUEST, new DataProvider(null, (_s, _id, _len, ctrl) => {
    const next = script.shift()!;
    if (script.length === 0) ctrl.flags = READ_EOF;
    return next;
  }));
  peer.flush();
  assert.equal(dataOf(peer.sent).map((f) => f.data.length), [10]);
  assert.is(peer.session.getStreamInfo(1)!.deferred, 'application');
  assert.is(peer.session.wantWrite(), false);
  assert.is(peer.flush().length, 0);
  assert.ok(peer.session.resumeData(1));
  assert.is(peer.session.resumeData(1), false, 'nothing is deferred any more');
  peer.flush();
  assert.equal(dataOf(peer.sent).map((f) => f.data.length), [10, 20]);
  assert.ok(peer.session.resumeData(1));
  peer.flush();
  assert.equal(dataOf(peer.sent).map((f) => [f.data.length, f.flags]), [[10, 0], [20, 0], [30, DATA_FLAG_FIN]]);
});

test('a temporary read failure resets only that stream with INTERNAL_ERROR', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitRequest(3, REQUEST, new DataProvider(null, () => { throw new TemporalCallbackFailureError(); }));
  peer.session.submitRequest(3, REQUEST, bodyProvider(bytes(100)));
  peer.flush();
  assert.equal(peer.sentOf(RST_STREAM).map((f) => [f.streamId, f.statusCode]), [[1, INTERNAL_ERROR]]);
  assert.equal(dataOf(peer.sent).map((f) => [f.streamId, f.flags]), [[3, DATA_FLAG_FIN]]);
  assert.is(peer.session.isStreamOpen(1), false);
  assert.ok(peer.session.isStreamOpen(3));
});

test('a hard read failure makes send() throw CallbackFailureError', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitRequest(3, REQUEST, new DataProvider(null, () => { throw new CallbackFailureError(); }));
  assert.throws(() => peer.flush(), (e: unknown) => e instanceof CallbackFailureError);
});

test('a read callback that returns more than asked makes send() throw CallbackFailureError', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitRequest(3, REQUEST, new DataProvider(null, (_s, _id, len) => new Uint8Array(len + 1)));
  assert.throws(() => peer.flush(), (e: unknown) => e instanceof CallbackFailureError);
});

test('a response for a stream never opened is dropped before anything is written', () => {
  let writes = 0;
  const session = new Session(SERVER, PROTO_SPDY3, {
    sendCb: (_s, data) => {
      // Only the session's own SETTINGS may go out; anything else would fail.
      if (data[3] === SETTINGS) return data.length;
      writes++;
      throw new CallbackFailureError();
    },
  });
  session.submitResponse(1, RESPONSE);
  session.send();
  assert.is(writes, 0);
  assert.is(session.wantWrite(), false);
});

test('the outbound queue size counts queued frames', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  assert.is(peer.session.getOutboundQueueSize(), 1, 'our SETTINGS');
  peer.session.submitPing();
  peer.session.submitRequest(3, REQUEST);
  assert.is(peer.session.getOutboundQueueSize(), 3);
  peer.flush();
  assert.is(peer.session.getOutboundQueueSize(), 0);
});

test('a client owns odd stream ids, a server even ones, and stream 0 belongs to neither', () => {
  const client = new Session(CLIENT, PROTO_SPDY3);
  const server = new Session(SERVER, PROTO_SPDY3);
  assert.equal([1, 2, 3, 0].map((id) => client.isMyStreamId(id)), [true, false, true, false]);
  assert.equal([1, 2, 3, 0].map((id) => server.isMyStreamId(id)), [false, true, false, false]);
});

test('stream ids run out after 2^31-1: the queued SYN_STREAM is not sent, later submits throw', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  // Reaching the end for real would take a billion streams.
  (peer.session as any).conn.nextStreamId = MAX_STREAM_ID;
  peer.session.submitRequest(3, REQUEST, null, 'last');
  peer.session.submitRequest(3, REQUEST, null, 'one too many');
  peer.flush();
  assert.equal(peer.sentOf(SYN_STREAM).map((f) => f.streamId), [MAX_STREAM_ID]);
  assert.equal(peer.log.of('onCtrlNotSendCb').map((a) => [a[1], a[2]]), [[ERR_STREAM_ID_NOT_AVAILABLE, 'one too many']]);
  assert.throws(() => peer.session.submitRequest(3, REQUEST),
    (e: unknown) => e instanceof SpdyError && e.code === ERR_STREAM_ID_NOT_AVAILABLE);
});

test('sendCb taking part of a frame: the rest goes on the next send()', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitRequest(3, REQUEST, bodyProvider(bytes(5000)));
  peer.budget = 30;
  peer.flush();
  assert.ok(peer.session.wantWrite());
  for (let i = 0; i < 1000 && peer.session.wantWrite(); i++) {
    peer.budget = 7;
    peer.flush();
  }
  assert.equal(dataOf(peer.sent).map((f) => f.data.length), [4096, 904]);
  assert.equal(peer.log.of('onDataSendCb'), [[0, 1, 4096], [DATA_FLAG_FIN, 1, 904]]);
});

test('SYN_STREAM with FIN and no body shuts our side at once', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3);
  peer.session.submitSynStream(CTRL_FLAG_FIN, 3, REQUEST);
  peer.flush();
  assert.is(peer.session.getStreamInfo(1)!.shutWrite, true);
  assert.is(peer.session.getStreamInfo(1)!.shutRead, false);
});

test.run();
