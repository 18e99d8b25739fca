// Header blocks within the byte limit can still be built to cost much: a
// few hundred compressed bytes inflate to tens of thousands of one-byte
// pairs, HEADERS frames can pile up trailers on one stream, and a SETTINGS
// frame can repeat one id thousands of times. Each has its bound.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT, FRAME_TOO_LARGE, FrameError, HEADERS, PROTOCOL_ERROR, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1,
  RST_STREAM, SERVER, SETTINGS, SETTINGS_INITIAL_WINDOW_SIZE, SYN_REPLY, SYN_STREAM, InvalidArgumentError,
  resolveConfig, unpackHeaderBlock,
} from '../../src/index.js';
import { REQUEST, RESPONSE, RawPeer } from '../session/harness.js';
import { nextIncoming, rejectionOf, request, tick } from '../streams/session-pair.js';
import { assertHealthySessionPair, assertHealthySpdySessions, hostileTransportPeer, statusesOf } from './hostile-peer.js';

/** An uncompressed block holding `pairs` as given (no checks). */
function rawBlock(v: 2 | 3, pairs: ReadonlyArray<readonly [string, string]>): Uint8Array {
  const size = v === 2 ? 2 : 4;
  const enc = new TextEncoder();
  const parts: number[] = [];
  const num = (n: number) => {
    for (let i = size - 1; i >= 0; i--) parts.push((n >>> (8 * i)) & 0xff);
  };
  num(pairs.length);
  for (const [n, val] of pairs) {
    const nb = enc.encode(n);
    const vb = enc.encode(val);
    num(nb.length);
    parts.push(...nb);
    num(vb.length);
    parts.push(...vb);
  }
  return new Uint8Array(parts);
}

const names = (n: number): Array<[string, string]> =>
  Array.from({ length: n }, (_, i) => [`x-${i.toString(36).padStart(4, '0')}`, 'v'] as [string, string]);

test('default: 256 pairs a block; the key takes a positive integer', () => {
  assert.is(resolveConfig({}).maxHeaderPairs, 256);
  assert.throws(() => resolveConfig({ maxHeaderPairs: 0 }), (e: unknown) => e instanceof InvalidArgumentError);
});

test('unpacking stops at maxHeaderPairs pairs, each NUL-separated value counting as one', () => {
  assert.is(unpackHeaderBlock(rawBlock(3, names(4)), 3, 4).length, 4);
  for (const block of [rawBlock(3, names(5)), rawBlock(3, [['a', 'p\0q\0r\0s\0t']])]) {
    const err = (() => {
      try {
        unpackHeaderBlock(block, 3, 4);
      } catch (e) {
        return e as FrameError;
      }
      return null;
    })();
    assert.instance(err, FrameError);
    assert.is(err!.statusCode, FRAME_TOO_LARGE);
  }
  assert.throws(() => unpackHeaderBlock(rawBlock(2, names(5)), 2, 4), (e: any) => e.statusCode === PROTOCOL_ERROR);
});

for (const version of [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1] as const) {
  const status = version === PROTO_SPDY2 ? PROTOCOL_ERROR : FRAME_TOO_LARGE;
  test(`v${version}: a SYN_STREAM past maxHeaderPairs gets RST_STREAM ${status}; the session and its zlib stream go on`, () => {
    const peer = new RawPeer(SERVER, version, { config: { maxHeaderPairs: 64 } });
    peer.flush();
    peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 1 }, [...REQUEST, ...names(64 - REQUEST.length)]));
    // 20000 pairs in one value of NULs: within the byte limit, and it would compress to little.
    peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 3 }, [...REQUEST, ['x-many', new Array(20000).fill('a').join('\0')]]));
    peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 5 }, [...REQUEST, ...names(65 - REQUEST.length)]));
    peer.session.recv(peer.headerFrame(SYN_STREAM, { streamId: 7 }, REQUEST));
    const out = peer.flush();
    assert.equal(out.filter((f) => f.frameType === RST_STREAM).map((f: any) => [f.streamId, f.statusCode]), [[3, status], [5, status]]);
    assert.equal(peer.log.frames('onCtrlRecvCb', SYN_STREAM).map((f) => f.streamId), [1, 7]);
    assertHealthySessionPair(version);
  });
}

test('SpdySession: trailers that HEADERS frames pile up past maxHeaderBlockSize get the stream RST_STREAM FRAME_TOO_LARGE', async () => {
  const { session, frames, send } = hostileTransportPeer('server', { version: PROTO_SPDY3, config: { maxHeaderBlockSize: 4096 } });
  await send({ frameType: SYN_STREAM, streamId: 1, nv: request() });
  const stream = await nextIncoming(session);
  const trailer: Array<[string, string]> = [['x-trailer', 'z'.repeat(1000)]];
  for (let i = 0; i < 3; i++) await send({ frameType: HEADERS, streamId: 1, nv: trailer });
  for (let i = 0; i < 5; i++) await tick();
  assert.equal(statusesOf(frames, RST_STREAM), [], 'three kilobytes of trailers are fine');
  await send({ frameType: HEADERS, streamId: 1, nv: trailer }, { frameType: HEADERS, streamId: 1, nv: trailer });
  assert.is((await rejectionOf(stream.closed)).statusCode, FRAME_TOO_LARGE);
  for (let i = 0; i < 20 && statusesOf(frames, RST_STREAM).length === 0; i++) await tick();
  assert.equal(statusesOf(frames, RST_STREAM), [FRAME_TOO_LARGE]);
  assert.is(session.numOpenStreams, 0);
  await assertHealthySpdySessions();
});

test('a SETTINGS frame repeating INITIAL_WINDOW_SIZE thousands of times moves the windows once, to its last value', () => {
  const peer = new RawPeer(CLIENT, PROTO_SPDY3, {});
  peer.session.submitRequest(3, REQUEST);
  peer.flush();
  peer.session.recv(peer.headerFrame(SYN_REPLY, { streamId: 1 }, RESPONSE));
  const iv = Array.from({ length: 8000 }, (_, i) => [SETTINGS_INITIAL_WINDOW_SIZE, 0, i % 2 ? 5000 : 200000] as [number, number, number]);
  iv.push([SETTINGS_INITIAL_WINDOW_SIZE, 0, 1000]);
  peer.feed({ frameType: SETTINGS, iv });
  assert.is(peer.session.getStreamRemoteWindowSize(1), 1000);
  assert.is(peer.session.getRemoteSetting(SETTINGS_INITIAL_WINDOW_SIZE), 1000);
});

test.run();
