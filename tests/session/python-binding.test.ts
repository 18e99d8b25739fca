// The Python binding's own checks (spdylay-behaviours.md section 8): a client
// and a server session joined in memory, on SPDY/3.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT, PROTO_SPDY2, PROTO_SPDY3, SYN_STREAM, SYN_REPLY, HEADERS, RST_STREAM, GOAWAY, PING,
  WINDOW_UPDATE, CTRL_FLAG_FIN, DATA_FLAG_FIN, CANCEL, GOAWAY_PROTOCOL_ERROR, GOAWAY_INTERNAL_ERROR,
  Session, CallbackFailureError,
} from '../../src/index.js';
import { Pair, REQUEST, RESPONSE, bodyProvider, gatedProvider } from './harness.js';

const text = (s: string) => new TextEncoder().encode(s);
const received = (pair: Pair, side: 'client' | 'server') =>
  new TextDecoder().decode(new Uint8Array((side === 'client' ? pair.clientLog : pair.serverLog)
    .of('onDataChunkRecvCb').flatMap((a) => [...(a[2] as Uint8Array)])));

test('a POST with a body arrives as SYN_STREAM id 1 pri 0 and its body; the response as SYN_REPLY and its body', () => {
  const pair = new Pair(PROTO_SPDY3, {
    server: {
      onRequestRecvCb: (s, id) => s.submitResponse(id, RESPONSE, bodyProvider(text('response body'))),
    },
  });
  pair.client.submitRequest(0, [[':method', 'POST'], [':path', '/']], bodyProvider(text('request body')), 'my-stream');
  pair.client.send();
  assert.is(pair.client.getStreamUserData(1), 'my-stream');
  pair.pump();
  const [syn] = pair.serverLog.frames('onCtrlRecvCb', SYN_STREAM);
  assert.equal([syn.streamId, syn.pri], [1, 0]);
  assert.is(received(pair, 'server'), 'request body');
  assert.is(pair.clientLog.frames('onCtrlRecvCb', SYN_REPLY)[0].streamId, 1);
  assert.is(received(pair, 'client'), 'response body');
  assert.equal(pair.clientLog.of('onStreamCloseCb'), [[1, 0]]);
});

test('the low-level SYN_STREAM and SYN_REPLY keep pri 2 and FIN', () => {
  const pair = new Pair(PROTO_SPDY3);
  pair.client.submitSynStream(CTRL_FLAG_FIN, 2, REQUEST);
  pair.pump();
  const [syn] = pair.serverLog.frames('onCtrlRecvCb', SYN_STREAM);
  assert.equal([syn.pri, syn.flags], [2, CTRL_FLAG_FIN]);
  pair.server.submitSynReply(CTRL_FLAG_FIN, 1, RESPONSE);
  pair.pump();
  assert.is(pair.clientLog.frames('onCtrlRecvCb', SYN_REPLY)[0].flags, CTRL_FLAG_FIN);
});

test('the peer sees RST_STREAM with the status code sent', () => {
  const pair = new Pair(PROTO_SPDY3);
  pair.client.submitRequest(3, REQUEST);
  pair.pump();
  pair.server.submitRstStream(1, CANCEL);
  pair.pump();
  assert.is(pair.clientLog.frames('onCtrlRecvCb', RST_STREAM)[0].statusCode, CANCEL);
  assert.equal(pair.clientLog.of('onStreamCloseCb'), [[1, CANCEL]]);
});

test('the peer sees GOAWAY with the status code sent', () => {
  const pair = new Pair(PROTO_SPDY3);
  pair.client.submitGoaway(GOAWAY_PROTOCOL_ERROR);
  pair.pump();
  assert.is(pair.serverLog.frames('onCtrlRecvCb', GOAWAY)[0].statusCode, GOAWAY_PROTOCOL_ERROR);
});

test('failSession sends GOAWAY, then wantRead and wantWrite are both false', () => {
  const pair = new Pair(PROTO_SPDY3);
  pair.client.submitRequest(3, REQUEST);
  pair.pump();
  pair.client.failSession(GOAWAY_INTERNAL_ERROR);
  assert.ok(pair.client.wantWrite());
  pair.pump();
  assert.is(pair.serverLog.frames('onCtrlRecvCb', GOAWAY)[0].statusCode, GOAWAY_INTERNAL_ERROR);
  assert.is(pair.client.wantRead(), false);
  assert.is(pair.client.wantWrite(), false);
});

test('a deferred body does not go out until resumeData', () => {
  const gate = { open: false };
  const pair = new Pair(PROTO_SPDY3);
  pair.client.submitRequest(3, [[':method', 'POST']], gatedProvider(text('later'), gate));
  pair.pump();
  assert.is(pair.serverLog.count('onDataChunkRecvCb'), 0);
  gate.open = true;
  pair.pump();
  assert.is(pair.serverLog.count('onDataChunkRecvCb'), 0, 'still parked: nobody resumed it');
  assert.ok(pair.client.resumeData(1));
  pair.pump();
  assert.is(received(pair, 'server'), 'later');
});

test('resumeData on an unknown stream returns false', () => {
  assert.is(new Session(CLIENT, PROTO_SPDY3).resumeData(1), false);
});

test('getPriLowest is 7 in SPDY/3 and 3 in SPDY/2', () => {
  assert.is(new Session(CLIENT, PROTO_SPDY3).getPriLowest(), 7);
  assert.is(new Session(CLIENT, PROTO_SPDY2).getPriLowest(), 3);
});

test('a CallbackFailureError thrown by sendCb is thrown by send()', () => {
  const session = new Session(CLIENT, PROTO_SPDY3, { sendCb: () => { throw new CallbackFailureError(); } });
  assert.throws(() => session.send(), (e: unknown) => e instanceof CallbackFailureError);
});

test('sendCb returning something that is not a byte count fails send()', () => {
  const session = new Session(CLIENT, PROTO_SPDY3, { sendCb: () => -1 });
  assert.throws(() => session.send(), (e: unknown) => e instanceof CallbackFailureError);
});

test('submitData with DATA_FLAG_FIN on an existing stream ends it', () => {
  const pair = new Pair(PROTO_SPDY3);
  pair.client.submitSynStream(0, 3, REQUEST);
  pair.pump();
  pair.client.submitData(1, DATA_FLAG_FIN, bodyProvider(text('abc')));
  pair.pump();
  assert.equal(pair.serverLog.of('onDataRecvCb'), [[DATA_FLAG_FIN, 1, 3]]);
  assert.equal(pair.serverLog.of('onRequestRecvCb'), [[1]]);
});

test('HEADERS with FIN after a SYN_STREAM', () => {
  const pair = new Pair(PROTO_SPDY3);
  pair.client.submitSynStream(0, 3, REQUEST);
  pair.client.submitHeaders(CTRL_FLAG_FIN, 1, [['x-trailer', 'yes']]);
  pair.pump();
  const [headers] = pair.serverLog.frames('onCtrlRecvCb', HEADERS);
  assert.equal([headers.streamId, headers.flags, headers.nv], [1, CTRL_FLAG_FIN, [['x-trailer', 'yes']]]);
});

test('the first PING of a client has unique id 1, and the answer comes back', () => {
  const pair = new Pair(PROTO_SPDY3);
  pair.client.submitPing();
  pair.pump();
  assert.is(pair.serverLog.frames('onCtrlRecvCb', PING)[0].uniqueId, 1);
  assert.is(pair.clientLog.frames('onCtrlRecvCb', PING)[0].uniqueId, 1);
});

test('the peer sees WINDOW_UPDATE with stream 1 and delta 4096', () => {
  const pair = new Pair(PROTO_SPDY3);
  pair.client.submitRequest(3, REQUEST);
  pair.pump();
  pair.server.submitWindowUpdate(1, 4096);
  pair.pump();
  const [update] = pair.clientLog.frames('onCtrlRecvCb', WINDOW_UPDATE);
  assert.equal([update.streamId, update.deltaWindowSize], [1, 4096]);
});

test('a reply header name the peer cannot accept gets RST_STREAM PROTOCOL_ERROR from the client, which closes its stream', () => {
  const pair = new Pair(PROTO_SPDY3);
  pair.client.submitRequest(3, REQUEST);
  pair.pump();
  pair.server.submitResponse(1, [[':status', '200 OK'], ['bad name', 'x']]);
  pair.pump();
  assert.is(pair.clientLog.frames('onCtrlRecvCb', SYN_REPLY).length, 0);
  assert.equal(pair.clientLog.of('onStreamCloseCb'), [[1, 1 /* PROTOCOL_ERROR */]]);
  // The server's side was done when its reply (with FIN) went out; the late RST_STREAM changes nothing.
  assert.equal(pair.serverLog.of('onStreamCloseCb'), [[1, 0]]);
  assert.equal(pair.clientSent.filter((f: any) => f.frameType === 3).map((f: any) => f.statusCode), [1]);
  assert.is(pair.client.numOpenStreams + pair.server.numOpenStreams, 0);
});

test('userData is the object given at creation, and read-only', () => {
  const mine = { name: 'x' };
  const session = new Session(CLIENT, PROTO_SPDY3, { userData: mine });
  assert.is(session.userData, mine);
  assert.throws(() => { (session as any).userData = 5; });
  assert.is(session.userData, mine);
});

test.run();
