// The codec as TransformStreams: FrameEncoderStream into FrameDecoderStream.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DATA, ERR_EOF, FrameDecoderStream, FrameEncoderStream, FrameError, GOAWAY_PROTOCOL_ERROR, InvalidFrame,
  InvalidArgumentError, PING, PROTO_SPDY3_1, PingFrame, SERVER, SETTINGS, SYN_REPLY, SYN_STREAM, type DecodedFrame,
  type FrameInit,
} from '../../src/codec/index.js';
import { concat, ctrlFrame, words } from './wire.js';

const FRAMES: FrameInit[] = [
  { frameType: SETTINGS, iv: [[4, 0, 100]] },
  { frameType: SYN_STREAM, streamId: 1, nv: [[':method', 'GET'], [':path', '/']] },
  { frameType: SYN_REPLY, streamId: 1, nv: [[':status', '200 OK']] },
  { frameType: DATA, streamId: 1, flags: 1, data: new Uint8Array([1, 2, 3]) },
  { frameType: PING, uniqueId: 1 },
];

async function collect(readable: ReadableStream<DecodedFrame>): Promise<{ frames: DecodedFrame[]; error?: unknown }> {
  const frames: DecodedFrame[] = [];
  try {
    for await (const f of readable as unknown as AsyncIterable<DecodedFrame>) frames.push(f);
  } catch (error) {
    return { frames, error };
  }
  return { frames };
}

function source<T>(items: T[]): ReadableStream<T> {
  return new ReadableStream({
    start(controller) {
      for (const item of items) controller.enqueue(item);
      controller.close();
    },
  });
}

test('frames piped through the encoder stream then the decoder stream come back', async () => {
  const decoded = source(FRAMES)
    .pipeThrough(new FrameEncoderStream({ version: PROTO_SPDY3_1, side: SERVER }))
    .pipeThrough(new FrameDecoderStream({ version: PROTO_SPDY3_1 }));
  const { frames, error } = await collect(decoded);
  assert.is(error, undefined);
  assert.equal(frames.map((f) => f.frameType), FRAMES.map((f) => f.frameType));
  assert.equal((frames[1] as { nv: unknown }).nv, [[':method', 'GET'], [':path', '/']]);
  assert.equal(Array.from((frames[3] as { data: Uint8Array }).data), [1, 2, 3]);
});

test('the decoder stream takes bytes split anywhere', async () => {
  const bytes = concat(ctrlFrame(3, PING, 0, words(1)), ctrlFrame(3, PING, 0, words(2)));
  const pieces = [bytes.subarray(0, 3), bytes.subarray(3, 13), bytes.subarray(13)];
  const { frames } = await collect(source(pieces).pipeThrough(new FrameDecoderStream({ version: PROTO_SPDY3_1 })));
  assert.equal(frames.map((f) => (f as PingFrame).uniqueId), [1, 2]);
});

test('an invalid header block comes out as an InvalidFrame and the stream goes on', async () => {
  // A SYN_STREAM in a SPDY/2 frame: another version, answered with RST_STREAM.
  const bytes = concat(ctrlFrame(2, SYN_STREAM, 0, words(1, 0, 0)), ctrlFrame(3, PING, 0, words(3)));
  const { frames, error } = await collect(source([bytes]).pipeThrough(new FrameDecoderStream({ version: PROTO_SPDY3_1 })));
  assert.is(error, undefined);
  assert.instance(frames[0], InvalidFrame);
  assert.instance(frames[1], PingFrame);
});

test('a broken byte stream errors the readable with a GOAWAY FrameError, after the frames before it', async () => {
  const bytes = concat(ctrlFrame(3, PING, 0, words(1)), ctrlFrame(3, PING, 0, new Uint8Array(5)));
  const { frames, error } = await collect(source([bytes]).pipeThrough(new FrameDecoderStream({ version: PROTO_SPDY3_1 })));
  assert.is(frames.length, 1);
  assert.instance(error, FrameError);
  assert.is((error as FrameError).statusCode, GOAWAY_PROTOCOL_ERROR);
});

test('input that ends inside a frame errors the stream (ERR_EOF)', async () => {
  const bytes = ctrlFrame(3, PING, 0, words(1)).subarray(0, 10);
  const { frames, error } = await collect(source([bytes]).pipeThrough(new FrameDecoderStream({ version: PROTO_SPDY3_1 })));
  assert.is(frames.length, 0);
  assert.instance(error, FrameError);
  assert.is((error as FrameError).code, ERR_EOF);
});

test('input that ends inside a frame header errors the stream too', async () => {
  const { error } = await collect(source([new Uint8Array([0x80, 3, 0])]).pipeThrough(new FrameDecoderStream({ version: PROTO_SPDY3_1 })));
  assert.instance(error, FrameError);
});

test('a frame the encoder refuses errors the encoder stream', async () => {
  const encoded = source<FrameInit>([{ frameType: DATA, streamId: 1, data: new Uint8Array(0x1000000) }])
    .pipeThrough(new FrameEncoderStream({ version: PROTO_SPDY3_1 }));
  const reader = encoded.getReader();
  try {
    await reader.read();
    assert.unreachable('encoded');
  } catch (err) {
    assert.instance(err, FrameError);
  }
});

test('a bad version or config is refused when the stream is made', () => {
  assert.throws(() => new FrameDecoderStream({ version: 5 as never }));
  assert.throws(() => new FrameEncoderStream({ version: PROTO_SPDY3_1, config: { maxHeaderBlockSize: 1 } }),
    (err: unknown) => err instanceof InvalidArgumentError);
});

test.run();
