// The codec's bounds: header block size while inflating, frame lengths before buffering, header pairs.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DATA, ERR_FRAME_TOO_LARGE, ERR_ZLIB, FRAME_TOO_LARGE, FrameDecoder, FrameEncoder, FrameError,
  GOAWAY_PROTOCOL_ERROR, HeaderDeflater, InvalidFrame, PROTOCOL_ERROR, PROTO_SPDY2, PROTO_SPDY3, SYN_STREAM,
  SynReplyFrame, type DecodedFrame, type ProtocolVersion, type WireVersion,
} from '../../src/codec/index.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { concat, ctrlFrame, rawHeaderBlock, synReplyWithBlock, words } from './wire.js';

const MiB = 1 << 20;

setFlagsFromString('--expose-gc');
/** A full collection, so that array buffer growth measured next is this test's own. */
const collect = runInNewContext('gc') as () => void;

/**
 * A SYN_STREAM whose header block inflates to about 100 MiB: one value of
 * repeated 'a', deflated at level 9 in 1 MiB steps. Once the window is full
 * of 'a' every step compresses to the same bytes, so after checking that, the
 * steady step is repeated instead of compressed a hundred times.
 */
function bombFrame(v: WireVersion): Uint8Array {
  const deflater = new HeaderDeflater(v, 9);
  const head = new Uint8Array(4 + 4 + 1 + 4);
  const view = new DataView(head.buffer);
  view.setUint32(0, 1);
  view.setUint32(4, 1);
  head[8] = 0x78; // name "x"
  view.setUint32(9, 100 * MiB);
  const ones = new Uint8Array(MiB).fill(0x61);
  const parts = [deflater.deflate(concat(head, ones), 10).slice()];
  const steady = deflater.deflate(ones, 0).slice();
  const again = deflater.deflate(ones, 0);
  assert.equal(Array.from(again), Array.from(steady), 'deflate reached a steady state');
  for (let i = 2; i < 100; i++) parts.push(steady);
  parts.push(steady);
  const payload = concat(...parts);
  new DataView(payload.buffer).setUint32(0, 1);
  return ctrlFrame(v, SYN_STREAM, 0, payload);
}

const bomb = suite('a header block that inflates to 100 MiB');

bomb('fails fast and small: a zlib FrameError (GOAWAY) after a bounded amount of work', async () => {
  const frame = bombFrame(3);
  assert.ok(frame.length < MiB, `the bomb is ${frame.length} bytes on the wire`);
  // A limit large enough that the frame's compressed size alone does not refuse it.
  const decoder = new FrameDecoder({ version: PROTO_SPDY3, config: { maxHeaderBlockSize: 256 * 1024 } });
  // Backing stores are freed after the collection: let that finish first.
  collect();
  await new Promise((resolve) => setTimeout(resolve, 20));
  collect();
  const before = process.memoryUsage().arrayBuffers;
  let error: unknown;
  let frames: DecodedFrame[] = [];
  try {
    frames = decoder.push(frame);
  } catch (err) {
    error = err;
  }
  const grown = process.memoryUsage().arrayBuffers - before;
  // The inflate buffer is bounded by the 256 KiB limit, the discard buffer is 16 KiB.
  assert.ok(grown < MiB, `array buffers grew by ${grown} bytes`);
  if (error) {
    assert.instance(error, FrameError);
    assert.is((error as FrameError).statusCode, GOAWAY_PROTOCOL_ERROR);
    assert.is((error as FrameError).code, ERR_ZLIB);
  } else {
    assert.instance(frames[0], InvalidFrame);
    assert.is((frames[0] as InvalidFrame).error.statusCode, FRAME_TOO_LARGE);
  }
});

bomb('with the default limit the bomb is refused by its size, before anything is inflated', () => {
  const frame = bombFrame(3);
  const decoder = new FrameDecoder({ version: PROTO_SPDY3 });
  try {
    decoder.push(frame.subarray(0, 8));
    assert.unreachable('a frame header announcing more than the limit was accepted');
  } catch (err) {
    assert.instance(err, FrameError);
    assert.is((err as FrameError).code, ERR_FRAME_TOO_LARGE);
    assert.is((err as FrameError).statusCode, GOAWAY_PROTOCOL_ERROR);
    assert.is((err as FrameError).frameType, SYN_STREAM);
  }
});

bomb.run();

const controlSize = suite('control frame size');

controlSize('a control frame up to maxHeaderBlockSize + 4096 bytes is read; one byte more ends decoding', () => {
  const max = 1000;
  const ok = new FrameDecoder({ version: PROTO_SPDY3, config: { maxHeaderBlockSize: max } });
  const unknown = ctrlFrame(3, 0x7f, 0, new Uint8Array(max + 4096));
  assert.is(ok.push(unknown).length, 1);
  const tooBig = ctrlFrame(3, 0x7f, 0, new Uint8Array(max + 4097));
  assert.throws(() => ok.push(tooBig), (err: unknown) => err instanceof FrameError && err.code === ERR_FRAME_TOO_LARGE);
});

controlSize('DATA frames are not held to the control frame limit', () => {
  const decoder = new FrameDecoder({ version: PROTO_SPDY3, config: { maxHeaderBlockSize: 64 } });
  const encoder = new FrameEncoder({ version: PROTO_SPDY3 });
  const frames = decoder.push(encoder.encode({ frameType: DATA, streamId: 1, data: new Uint8Array(100000) }));
  assert.is((frames[0] as { data: Uint8Array }).data.length, 100000);
});

controlSize('a DATA frame longer than the largest receive window (and 1 MiB) ends decoding before it is buffered', () => {
  const head = (length: number) => Uint8Array.of(0, 0, 0, 1, 0, length >>> 16, (length >>> 8) & 0xff, length & 0xff);
  const decoder = new FrameDecoder({ version: PROTO_SPDY3 });
  decoder.push(head(MiB));
  assert.ok(!decoder.idle, 'a 1 MiB DATA frame is being gathered');
  try {
    new FrameDecoder({ version: PROTO_SPDY3 }).push(head(MiB + 1));
    assert.unreachable('a DATA frame over the limit was accepted');
  } catch (err) {
    assert.instance(err, FrameError);
    assert.is((err as FrameError).code, ERR_FRAME_TOO_LARGE);
    assert.is((err as FrameError).statusCode, GOAWAY_PROTOCOL_ERROR);
    assert.is((err as FrameError).frameType, DATA);
  }
  const wide = new FrameDecoder({ version: PROTO_SPDY3, config: { initialWindowSize: 4 * MiB } });
  wide.push(head(4 * MiB));
  assert.ok(!wide.idle, 'a larger window allows larger frames');
  const unbounded = new FrameDecoder({ version: PROTO_SPDY3, config: { peerFlowControl: false } });
  unbounded.push(head(0xffffff));
  assert.ok(!unbounded.idle, 'a peer without flow control may send frames up to 2^24-1');
});

controlSize.run();

for (const [label, version, v] of [['SPDY/2', PROTO_SPDY2, 2], ['SPDY/3', PROTO_SPDY3, 3]] as [string, ProtocolVersion, WireVersion][]) {
  const limit = suite(`maxHeaderBlockSize in ${label}`);
  const max = 1000;
  // One pair whose value makes the block exactly `size` bytes long.
  const blockOf = (size: number): Uint8Array => {
    const overhead = v === 2 ? 2 + 2 + 1 + 2 : 4 + 4 + 1 + 4;
    return rawHeaderBlock(v, [['x', 'v'.repeat(size - overhead)]]);
  };
  const status = v === 2 ? PROTOCOL_ERROR : FRAME_TOO_LARGE;

  for (const level of [0, 9]) {
    limit(`a block one byte over the limit (level ${level}) is an InvalidFrame, and the next header frame still decodes`, () => {
      const deflater = new HeaderDeflater(v, level);
      const decoder = new FrameDecoder({ version, config: { maxHeaderBlockSize: max } });
      const ok = rawHeaderBlock(v, [['y', 'z']]);
      const frames = decoder.push(concat(
        synReplyWithBlock(deflater, v, 1, blockOf(max + 1)),
        synReplyWithBlock(deflater, v, 3, ok),
        synReplyWithBlock(deflater, v, 5, blockOf(max)),
      ));
      assert.is(frames.length, 3);
      const [over, next, atLimit] = frames;
      assert.instance(over, InvalidFrame);
      assert.is((over as InvalidFrame).streamId, 1);
      assert.is((over as InvalidFrame).error.statusCode, status);
      assert.is((over as InvalidFrame).error.code, ERR_FRAME_TOO_LARGE);
      assert.instance(next, SynReplyFrame);
      assert.equal((next as SynReplyFrame).nv, [['y', 'z']]);
      assert.instance(atLimit, SynReplyFrame, 'a block of exactly the limit is accepted');
    });
  }

  limit('a block many times over the limit is still skipped in step', () => {
    const deflater = new HeaderDeflater(v, 9);
    const decoder = new FrameDecoder({ version, config: { maxHeaderBlockSize: max } });
    const frames = decoder.push(concat(
      synReplyWithBlock(deflater, v, 1, blockOf(10 * max)),
      synReplyWithBlock(deflater, v, 3, rawHeaderBlock(v, [['y', 'z']])),
    ));
    assert.instance(frames[0], InvalidFrame);
    assert.equal((frames[1] as SynReplyFrame).nv, [['y', 'z']]);
  });

  limit.run();
}

const encode = suite('the encoder\'s limits');

encode('a DATA payload over 2^24-1 bytes is refused with FRAME_TOO_LARGE', () => {
  const encoder = new FrameEncoder({ version: PROTO_SPDY3 });
  assert.is(encoder.encode({ frameType: DATA, streamId: 1, data: new Uint8Array(0xffffff) }).length, 0xffffff + 8);
  try {
    encoder.encode({ frameType: DATA, streamId: 1, data: new Uint8Array(0x1000000) });
    assert.unreachable('encoded');
  } catch (err) {
    assert.instance(err, FrameError);
    assert.is((err as FrameError).statusCode, FRAME_TOO_LARGE);
    assert.is((err as FrameError).code, ERR_FRAME_TOO_LARGE);
  }
});

encode('a header block that makes the frame over 2^24-1 bytes is refused with FRAME_TOO_LARGE', () => {
  const encoder = new FrameEncoder({ version: PROTO_SPDY3, config: { headerCompressionLevel: 0 } });
  try {
    encoder.encode({ frameType: SYN_STREAM, streamId: 1, nv: [['x', 'v'.repeat(0x1000000)]] });
    assert.unreachable('encoded');
  } catch (err) {
    assert.instance(err, FrameError);
    assert.is((err as FrameError).statusCode, FRAME_TOO_LARGE);
    assert.is((err as FrameError).frameType, SYN_STREAM);
  }
});

encode('a SPDY/2 header value over 65535 bytes does not fit its 16-bit length: FRAME_TOO_LARGE', () => {
  const encoder = new FrameEncoder({ version: PROTO_SPDY2 });
  assert.ok(encoder.encode({ frameType: SYN_STREAM, streamId: 1, nv: [['x', 'v'.repeat(0xffff)]] }).length > 0xffff);
  try {
    encoder.encode({ frameType: SYN_STREAM, streamId: 3, nv: [['x', 'v'.repeat(0x10000)]] });
    assert.unreachable('encoded');
  } catch (err) {
    assert.instance(err, FrameError);
    assert.is((err as FrameError).statusCode, FRAME_TOO_LARGE);
  }
});

encode('a PING after a refused DATA frame still encodes', () => {
  const encoder = new FrameEncoder({ version: PROTO_SPDY3 });
  assert.throws(() => encoder.encode({ frameType: DATA, streamId: 1, data: new Uint8Array(0x1000000) }));
  assert.equal(Array.from(encoder.encode({ frameType: 6, uniqueId: 1 })), Array.from(ctrlFrame(3, 6, 0, words(1))));
});

encode.run();
