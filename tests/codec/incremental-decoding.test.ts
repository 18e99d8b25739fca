// The decoder takes bytes split anywhere and gives the same frames.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT, DATA, DataFrame, FrameDecoder, FrameEncoder, GOAWAY, HEADERS, PING, PROTO_SPDY3_1, SETTINGS,
  SYN_REPLY, SYN_STREAM, WINDOW_UPDATE, type DecodedFrame, type FrameInit,
} from '../../src/codec/index.js';
import { concat } from './wire.js';

const FRAMES: FrameInit[] = [
  { frameType: SETTINGS, iv: [[4, 0, 100], [7, 0, 1 << 20]] },
  { frameType: SYN_STREAM, streamId: 1, pri: 2, nv: [[':method', 'GET'], [':path', '/x'], ['a', 'b\0c']] },
  { frameType: DATA, streamId: 1, data: Uint8Array.from({ length: 100 }, (_, i) => i) },
  { frameType: SYN_REPLY, streamId: 1, nv: [[':status', '200 OK'], [':version', 'HTTP/1.1']] },
  { frameType: PING, uniqueId: 7 },
  { frameType: DATA, streamId: 1, flags: 1, data: new Uint8Array(0) },
  { frameType: HEADERS, streamId: 1, nv: [['trailer', 'yes']] },
  { frameType: WINDOW_UPDATE, streamId: 0, deltaWindowSize: 4096 },
  { frameType: GOAWAY, lastGoodStreamId: 1 },
];

const encoder = new FrameEncoder({ version: PROTO_SPDY3_1, side: CLIENT });
const encoded = FRAMES.map((f) => encoder.encode(f));
const wire = concat(...encoded);

/** A frame as comparable plain data (DATA payloads as arrays). */
function describe(frames: DecodedFrame[]): unknown[] {
  return frames.map((f) => JSON.parse(JSON.stringify({ ...f, type: f.constructor.name }, (_k, v) =>
    v instanceof Uint8Array ? Array.from(v) : v)));
}

const decodeIn = (pieces: Uint8Array[]): DecodedFrame[] => {
  const decoder = new FrameDecoder({ version: PROTO_SPDY3_1 });
  const out = pieces.flatMap((p) => decoder.push(p));
  assert.ok(decoder.idle);
  return out;
};

const whole = describe(decodeIn([wire]));

test('the whole buffer decodes to the frames encoded, in order', () => {
  assert.equal(whole.map((f) => (f as { frameType: number }).frameType), FRAMES.map((f) => f.frameType));
});

test('every split into two pieces gives the same frames', () => {
  for (let at = 0; at <= wire.length; at++) {
    assert.equal(describe(decodeIn([wire.subarray(0, at), wire.subarray(at)])), whole, `split at ${at}`);
  }
});

test('one byte at a time gives the same frames', () => {
  const bytes = Array.from({ length: wire.length }, (_, i) => wire.slice(i, i + 1));
  assert.equal(describe(decodeIn(bytes)), whole);
});

/** Pieces of DATA frames joined back into whole frames, to compare with a whole decode. */
function joinPieces(frames: DecodedFrame[]): DecodedFrame[] {
  const out: DecodedFrame[] = [];
  let parts: Uint8Array[] = [];
  for (const f of frames) {
    if (!(f instanceof DataFrame) || !f.part) {
      out.push(f);
      continue;
    }
    parts.push(f.data);
    if (!f.part.last) continue;
    const data = concat(...parts);
    assert.is(data.length, f.part.length, 'the pieces add up to the frame');
    out.push(new DataFrame({ streamId: f.streamId, flags: f.flags, data }));
    parts = [];
  }
  return out;
}

test('with dataPieces, every split gives the same frames, a split DATA frame in uncopied pieces', () => {
  for (let at = 0; at <= wire.length; at++) {
    const decoder = new FrameDecoder({ version: PROTO_SPDY3_1, dataPieces: true });
    const left = wire.subarray(0, at);
    const right = wire.subarray(at);
    const frames = [...decoder.push(left), ...decoder.push(right)];
    assert.ok(decoder.idle);
    const pieces = frames.filter((f): f is DataFrame => f instanceof DataFrame && f.part !== undefined);
    for (const p of pieces) assert.ok(p.data.buffer === wire.buffer, 'a piece is a view of the input');
    if (pieces.length > 0) {
      assert.equal(pieces.map((p) => [p.part!.first, p.part!.last]), [[true, false], [false, true]]);
    }
    assert.equal(describe(joinPieces(frames)), whole, `split at ${at}`);
  }
});

test('with dataPieces, one byte at a time gives a piece per byte, the first carrying the checks and the last the end', () => {
  const decoder = new FrameDecoder({ version: PROTO_SPDY3_1, dataPieces: true });
  const frames = Array.from({ length: wire.length }, (_, i) => wire.slice(i, i + 1)).flatMap((b) => decoder.push(b));
  const pieces = frames.filter((f): f is DataFrame => f instanceof DataFrame && f.part !== undefined);
  assert.is(pieces.length, 100);
  assert.ok(pieces[0]!.part!.first && !pieces[0]!.part!.last);
  assert.ok(pieces[99]!.part!.last && !pieces[99]!.part!.first);
  assert.ok(pieces.every((p) => p.part!.length === 100 && p.data.length === 1));
  assert.equal(describe(joinPieces(frames)), whole);
});

test('with copyData, no frame points into an input once write has returned: an input read into again leaves every split the same', () => {
  for (const dataPieces of [false, true]) {
    for (let at = 0; at <= wire.length; at++) {
      const decoder = new FrameDecoder({ version: PROTO_SPDY3_1, dataPieces, copyData: true });
      // One buffer, as a transport that lends its reads uses: each input is overwritten after use.
      const lent = new Uint8Array(wire.length);
      const frames: DecodedFrame[] = [];
      for (const part of [wire.subarray(0, at), wire.subarray(at)]) {
        const input = lent.subarray(0, part.length);
        input.set(part);
        decoder.write(input, (f) => frames.push(f));
        input.fill(0xee);
      }
      assert.ok(decoder.idle);
      for (const f of frames) if (f instanceof DataFrame) assert.ok(f.data.buffer !== lent.buffer, 'DATA is its own copy');
      assert.equal(describe(dataPieces ? joinPieces(frames) : frames), whole, `split at ${at}, dataPieces ${dataPieces}`);
    }
  }
});

test('with copyData and allocate, every DATA payload taken from an input, whole or in pieces, is copied into an array allocate made, written over in full', () => {
  // Without dataPieces, DATA split across inputs is gathered into the decoder's own array: no copy to make.
  for (const dataPieces of [false, true]) {
    const made: Uint8Array[] = [];
    // Memory as a runtime may give it uncleared: whatever was there before.
    const allocate = (length: number): Uint8Array => {
      const array = new Uint8Array(length).fill(0xee);
      made.push(array);
      return array;
    };
    const decoder = new FrameDecoder({ version: PROTO_SPDY3_1, dataPieces, copyData: true, allocate });
    const at = dataPieces ? encoded[0]!.length + encoded[1]!.length + 8 + 40 : wire.length;
    const frames = [...decoder.push(wire.subarray(0, at)), ...decoder.push(wire.subarray(at))];
    const data = frames.filter((f): f is DataFrame => f instanceof DataFrame);
    assert.equal(made.map((a) => a.length), data.map((f) => f.data.length));
    assert.ok(data.every((f, i) => f.data === made[i]));
    assert.equal(describe(dataPieces ? joinPieces(frames) : frames), whole, `dataPieces ${dataPieces}`);
  }
});

test('empty pushes change nothing', () => {
  const decoder = new FrameDecoder({ version: PROTO_SPDY3_1 });
  assert.equal(decoder.push(new Uint8Array(0)), []);
  assert.equal(describe([...decoder.push(wire.subarray(0, 3)), ...decoder.push(new Uint8Array(0)), ...decoder.push(wire.subarray(3))]), whole);
});

test('a DATA frame that arrives whole is a view into the input, not a copy', () => {
  const decoder = new FrameDecoder({ version: PROTO_SPDY3_1 });
  const frames = decoder.push(wire);
  const data = frames.find((f): f is DataFrame => f instanceof DataFrame && f.length > 0)!;
  assert.ok(data.data.buffer === wire.buffer);
});

test('a DATA payload that comes whole in the input after its header is a view into that input', () => {
  const decoder = new FrameDecoder({ version: PROTO_SPDY3_1 });
  // The third frame is 100 bytes of DATA: its header ends the first input, its payload is the second.
  const at = encoded[0]!.length + encoded[1]!.length + 8;
  const first = wire.slice(0, at);
  const payload = wire.slice(at, at + 100);
  const frames = decoder.push(first);
  assert.is(frames.length, 2);
  assert.is(decoder.idle, false, 'the payload is due');
  const [data] = decoder.push(payload) as DataFrame[];
  assert.ok(data!.data.buffer === payload.buffer);
  assert.equal(Array.from(data!.data), Array.from({ length: 100 }, (_, i) => i));
  assert.ok(decoder.idle);
  assert.equal(describe([...frames, data!, ...decoder.push(wire.slice(at + 100))]), whole);
});

test('a DATA frame split across inputs is gathered into its own bytes', () => {
  const decoder = new FrameDecoder({ version: PROTO_SPDY3_1 });
  // The 100-byte DATA frame is the third; cut the input in the middle of its payload.
  const at = encoded[0]!.length + encoded[1]!.length + 8 + 50;
  const first = wire.slice(0, at);
  const second = wire.slice(at);
  const frames = [...decoder.push(first), ...decoder.push(second)];
  const data = frames.find((f): f is DataFrame => f.frameType === DATA && f.length === 100)!;
  assert.ok(data.data.buffer !== first.buffer && data.data.buffer !== second.buffer);
  second.fill(0);
  assert.equal(Array.from(data.data), Array.from({ length: 100 }, (_, i) => i));
});

test('a decoded frame does not change when the input buffer is reused for later bytes', () => {
  const decoder = new FrameDecoder({ version: PROTO_SPDY3_1 });
  const buffer = wire.slice();
  const frames = decoder.push(buffer);
  const before = describe(frames.filter((f) => f.frameType !== DATA));
  buffer.fill(0xee);
  assert.equal(describe(frames.filter((f) => f.frameType !== DATA)), before);
});

test.run();
