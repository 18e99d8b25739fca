// Sending DATA: the frame size (`config.maxDataFrameSize`) and `sendDataCb`,
// which takes each DATA frame as its header and the read callback's own bytes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT, PROTO_SPDY3, PROTO_SPDY3_1, DATA, DATA_FLAG_FIN, Session, DataProvider,
  CallbackFailureError, InvalidArgumentError, READ_EOF,
} from '../../src/index.js';
import { RawPeer, REQUEST, bodyProvider, bytes } from './harness.js';

const dataOf = (frames: any[]) => frames.filter((f) => f.frameType === DATA);

/** A DATA frame as `sendDataCb` saw it: the header's fields, and the payload array itself. */
interface Offered {
  readonly streamId: number;
  readonly flags: number;
  readonly length: number;
  readonly payload: Uint8Array;
}

function readHead(head: Uint8Array): Omit<Offered, 'payload'> {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  return { streamId: view.getUint32(0) & 0x7fffffff, flags: head[4]!, length: view.getUint32(4) & 0xffffff };
}

test('maxDataFrameSize is the largest DATA payload sent: 40000 bytes go as 16384, 16384 and 7232', () => {
  const body = bytes(40000);
  const peer = new RawPeer(CLIENT, PROTO_SPDY3, { config: { maxDataFrameSize: 16384 } });
  peer.session.submitRequest(3, REQUEST, bodyProvider(body));
  peer.flush();
  const data = dataOf(peer.sent);
  assert.equal(data.map((f) => f.data.length), [16384, 16384, 7232]);
  assert.equal(data.map((f) => f.flags), [0, 0, DATA_FLAG_FIN]);
  assert.equal(new Uint8Array(data.flatMap((f) => [...f.data])), body);
});

test('a DATA frame never exceeds the peer\'s window, whatever maxDataFrameSize allows', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3_1, { config: { maxDataFrameSize: 0xffffff } });
  peer.session.submitRequest(3, REQUEST, bodyProvider(bytes(100000)));
  peer.flush();
  assert.equal(dataOf(peer.sent).map((f) => f.data.length), [65536], 'the 64 KiB initial window, then nothing');
  assert.is(peer.session.getStreamRemoteWindowSize(1), 0);
});

test('maxDataFrameSize must be an integer from 1 to 2^24-1', () => {
  for (const bad of [0, 0x1000000, 1.5, '4096']) {
    assert.throws(() => new Session(CLIENT, PROTO_SPDY3, { config: { maxDataFrameSize: bad as any } }),
      (e: unknown) => e instanceof InvalidArgumentError, String(bad));
  }
  for (const ok of [1, 0xffffff]) new Session(CLIENT, PROTO_SPDY3, { config: { maxDataFrameSize: ok } });
});

test('sendDataCb gets each DATA frame as its 8-byte header and a view of the read callback\'s bytes, not a copy', () => {
  const body = bytes(10000);
  const offered: Offered[] = [];
  const peer = new RawPeer(CLIENT, PROTO_SPDY3, {
    sendDataCb: (_s, head, payload) => {
      assert.is(head.length, 8);
      offered.push({ ...readHead(head), payload });
      return head.length + payload.length;
    },
  });
  peer.session.submitRequest(3, REQUEST, bodyProvider(body));
  peer.flush();
  assert.equal(offered.map((o) => [o.streamId, o.flags, o.length]), [[1, 0, 4096], [1, 0, 4096], [1, DATA_FLAG_FIN, 1808]]);
  assert.ok(offered.every((o) => o.payload.buffer === body.buffer), 'the payloads are views of the body');
  assert.equal(offered.map((o) => o.payload.byteOffset), [0, 4096, 8192]);
  assert.equal(dataOf(peer.sent), [], 'sendCb saw no DATA');
  assert.equal(peer.log.of('onDataSendCb'), [[0, 1, 4096], [0, 1, 4096], [DATA_FLAG_FIN, 1, 1808]]);
  assert.is(peer.session.getStreamInfo(1)!.shutWrite, true);
});

test('sendDataCb returning 0 would block: the next send() offers the same frame, and nothing more is read meanwhile', () => {
  let reads = 0;
  let open = false;
  const offered: Uint8Array[] = [];
  const peer = new RawPeer(CLIENT, PROTO_SPDY3, {
    sendDataCb: (_s, head, payload) => {
      if (!open) return 0;
      offered.push(payload);
      return head.length + payload.length;
    },
  });
  const body = bytes(6000);
  peer.session.submitRequest(3, REQUEST, new DataProvider(null, (_s, _id, length, ctrl) => {
    const chunk = body.subarray(reads * 4096, reads * 4096 + length);
    if (++reads * 4096 >= body.length) ctrl.flags = READ_EOF;
    return chunk;
  }));
  peer.flush();
  peer.flush();
  assert.is(reads, 1, 'one frame read, held');
  assert.ok(peer.session.wantWrite());
  open = true;
  peer.flush();
  assert.equal(offered.map((p) => [p.byteOffset, p.length]), [[0, 4096], [4096, 1904]]);
  assert.is(peer.session.wantWrite(), false);
});

test('sendDataCb taking part of a frame fails send() with CallbackFailureError', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3, { sendDataCb: (_s, _head, payload) => payload.length });
  peer.session.submitRequest(3, REQUEST, bodyProvider(bytes(100)));
  assert.throws(() => peer.flush(), (e: unknown) => e instanceof CallbackFailureError);
});

test('a sendDataCb that is not a function is refused', () => {
  assert.throws(() => new Session(CLIENT, PROTO_SPDY3, { sendDataCb: 1 as any }), (e: unknown) => e instanceof InvalidArgumentError);
});

test.run();
