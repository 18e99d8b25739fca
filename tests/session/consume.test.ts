// Session.consume: the application reports the bytes it consumed and the
// session alone decides when a WINDOW_UPDATE is due, by the half-window rule,
// for streams and the SPDY/3.1 connection alike.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT, SERVER, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SYN_STREAM, DATA, DATA_FLAG_FIN, RST_STREAM,
  WINDOW_UPDATE, FLOW_CONTROL_ERROR, OPT_NO_AUTO_WINDOW_UPDATE, OPT_NO_AUTO_WINDOW_UPDATE2, MAX_STREAM_ID,
  Session, InvalidArgumentError, type ProtocolVersion,
} from '../../src/index.js';
import { RawPeer, REQUEST, bodyProvider, bytes } from './harness.js';

const MANUAL = { autoWindowUpdate: false };

/** A server with streams open (1 by default), fed by a raw client. */
function downloader(version: ProtocolVersion, config: object = MANUAL, ids = [1]) {
  const peer = new RawPeer(SERVER, version, { config });
  for (const id of ids) peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: id }, REQUEST));
  peer.flush();
  return peer;
}

/** The WINDOW_UPDATEs sent since the last call, as [streamId, delta]. */
function updates(peer: RawPeer): number[][] {
  return peer.flush().filter((f: any) => f.frameType === WINDOW_UPDATE).map((f: any) => [f.streamId, f.deltaWindowSize]);
}

const invalid = (e: unknown) => e instanceof InvalidArgumentError;

test('a stream gets its WINDOW_UPDATE once half its window has been consumed, not before', () => {
  const peer = downloader(PROTO_SPDY3);
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(40000) });
  peer.session.consume(1, 20000);
  assert.equal(updates(peer), [], '20000 bytes are less than half of 64 KiB');
  peer.session.consume(1, 12768);
  assert.equal(updates(peer), [[1, 32768]]);
  assert.is(peer.session.getStreamRecvUnacked(1), 40000 - 32768);
});

test('what is received but not consumed is never given back', () => {
  const peer = downloader(PROTO_SPDY3);
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(60000) });
  assert.equal(updates(peer), []);
  assert.is(peer.session.getStreamRecvUnacked(1), 60000);
});

test('SPDY/3.1: the connection gets its WINDOW_UPDATE once half its window has been consumed across streams', () => {
  const peer = downloader(PROTO_SPDY3_1, MANUAL, [1, 3]);
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(20000) }, { frameType: DATA, streamId: 3, data: bytes(20000) });
  peer.session.consume(1, 20000);
  assert.equal(updates(peer), []);
  peer.session.consume(3, 20000);
  assert.equal(updates(peer), [[0, 40000]], 'each stream owes less than half of its own window');
  assert.is(peer.session.getSessionRecvUnacked(), 0);
  assert.is(peer.session.getStreamRecvUnacked(1), 20000);
});

test('SPDY/3.1: consuming half a window of one stream gives back both the stream and the connection', () => {
  const peer = downloader(PROTO_SPDY3_1);
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(50000) });
  peer.session.consume(1, 50000);
  assert.equal(updates(peer).sort((a, b) => a[0]! - b[0]!), [[0, 50000], [1, 50000]]);
});

test('consume(0, n) counts toward the connection only', () => {
  const peer = downloader(PROTO_SPDY3_1);
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(40000) });
  peer.session.consume(0, 40000);
  assert.equal(updates(peer), [[0, 40000]]);
  assert.is(peer.session.getStreamRecvUnacked(1), 40000);
});

test('bytes of a stream the peer has finished count only toward the connection', () => {
  const peer = downloader(PROTO_SPDY3_1);
  peer.feed({ frameType: DATA, streamId: 1, flags: DATA_FLAG_FIN, data: bytes(40000) });
  peer.session.consume(1, 40000);
  assert.equal(updates(peer), [[0, 40000]]);
  const v3 = downloader(PROTO_SPDY3);
  v3.feed({ frameType: DATA, streamId: 1, flags: DATA_FLAG_FIN, data: bytes(40000) });
  v3.session.consume(1, 40000);
  assert.equal(updates(v3), [], 'SPDY/3 has no connection window');
});

test('bytes of a stream that has closed count only toward the connection', () => {
  const peer = downloader(PROTO_SPDY3_1);
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(40000) }, { frameType: RST_STREAM, streamId: 1, statusCode: 5 });
  assert.is(peer.session.isStreamOpen(1), false);
  peer.session.consume(1, 40000);
  assert.equal(updates(peer), [[0, 40000]]);
});

test('DATA the session drops itself counts with consumed bytes toward the connection window', () => {
  const peer = downloader(PROTO_SPDY3_1);
  peer.feed({ frameType: DATA, streamId: 9, data: bytes(20000) }, { frameType: DATA, streamId: 1, data: bytes(20000) });
  assert.equal(updates(peer), [], 'the 20000 dropped bytes are less than half the window');
  peer.session.consume(1, 20000);
  assert.equal(updates(peer), [[0, 40000]]);
});

test('DATA past a stream window is dropped, and counts toward the connection window', () => {
  const peer = downloader(PROTO_SPDY3_1, { ...MANUAL, initialWindowSize: 16384 });
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(16384) }, { frameType: DATA, streamId: 1, data: bytes(20000) });
  assert.equal(peer.flush().filter((f: any) => f.frameType === RST_STREAM).map((f: any) => f.statusCode), [FLOW_CONTROL_ERROR]);
  peer.session.consume(1, 16384);
  assert.equal(updates(peer), [[0, 36384]], 'no update for the reset stream');
});

test('after spdy3Fallback drops the connection window, consume counts the stream alone and never throws', () => {
  const peer = downloader(PROTO_SPDY3_1, { ...MANUAL, spdy3Fallback: true });
  peer.feed({ frameType: WINDOW_UPDATE, streamId: 1, deltaWindowSize: 65536 });
  assert.is(peer.session.getSessionRemoteWindowSize(), Infinity, 'the connection window was dropped');
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(40000) });
  peer.session.consume(1, 40000);
  peer.session.consume(0, 40000);
  assert.equal(updates(peer), [[1, 40000]]);
});

test('consume is refused while automatic updates are on, and allowed once either option turns them off', () => {
  const peer = downloader(PROTO_SPDY3_1, {});
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(100) });
  assert.throws(() => peer.session.consume(1, 100), invalid);
  for (const option of [OPT_NO_AUTO_WINDOW_UPDATE, OPT_NO_AUTO_WINDOW_UPDATE2]) {
    peer.session.setOption(option, true);
    peer.session.consume(1, 10);
    peer.session.setOption(option, false);
    assert.throws(() => peer.session.consume(1, 10), invalid);
  }
});

test('OPT_NO_AUTO_WINDOW_UPDATE2 stops the automatic WINDOW_UPDATEs as OPT_NO_AUTO_WINDOW_UPDATE does', () => {
  const peer = downloader(PROTO_SPDY3, {});
  peer.session.setOption(OPT_NO_AUTO_WINDOW_UPDATE2, 1);
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(40000) });
  assert.equal(updates(peer), []);
  peer.session.consume(1, 40000);
  assert.equal(updates(peer), [[1, 40000]]);
});

test('consume refuses a negative or fractional count and a bad stream id', () => {
  const peer = downloader(PROTO_SPDY3_1);
  for (const n of [-1, 1.5, NaN, Infinity, '5' as unknown as number]) {
    assert.throws(() => peer.session.consume(1, n), invalid, String(n));
  }
  for (const id of [-1, 1.5, MAX_STREAM_ID + 1, null as unknown as number]) {
    assert.throws(() => peer.session.consume(id, 1), invalid, String(id));
  }
});

test('SPDY/2 has no flow control: consume does nothing', () => {
  const peer = downloader(PROTO_SPDY2);
  peer.feed({ frameType: DATA, streamId: 1, data: bytes(60000) });
  peer.session.consume(1, 60000);
  peer.session.consume(0, 60000);
  assert.equal(updates(peer), []);
});

test('a reader that consumes only what it reads still gets a whole upload', () => {
  let received = 0;
  let unread = 0;
  const toServer: Uint8Array[] = [];
  const toClient: Uint8Array[] = [];
  const server = new Session(SERVER, PROTO_SPDY3_1, {
    config: MANUAL,
    sendCb: (_s, d) => { toClient.push(d.slice()); return d.length; },
    onDataChunkRecvCb: (_s, _f, _id, data) => { unread += data.length; },
  });
  const client = new Session(CLIENT, PROTO_SPDY3_1, {
    sendCb: (_s, d) => { toServer.push(d.slice()); return d.length; },
  });
  client.submitRequest(3, REQUEST, bodyProvider(bytes(500000)));
  for (let round = 0; round < 1000 && received < 500000; round++) {
    client.send();
    for (const c of toServer.splice(0)) server.recv(c);
    const read = Math.min(unread, 10000);
    if (read > 0) {
      unread -= read;
      received += read;
      server.consume(1, read);
    }
    server.send();
    for (const c of toClient.splice(0)) client.recv(c);
  }
  assert.is(received, 500000);
  assert.is(server.getStreamInfo(1)!.shutRead, true);
});

test.run();
