// Frames that break the drafts' layouts, and the error each gives.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CREDENTIAL, ERR_UNSUPPORTED_VERSION, ERR_ZLIB, FrameDecoder, FrameError, GOAWAY, GOAWAY_PROTOCOL_ERROR,
  HEADERS, HeaderDeflater, InvalidFrame, NOOP, PING, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, PingFrame,
  RST_STREAM, SETTINGS, SYN_REPLY, SYN_STREAM, SynReplyFrame, UNSUPPORTED_VERSION, UnknownFrame, WINDOW_UPDATE,
  GoawayFrame, type ProtocolVersion,
} from '../../src/codec/index.js';
import { toHex } from './captures.js';
import { concat, ctrlFrame, rawHeaderBlock, synReplyWithBlock, words } from './wire.js';

const ping = (v: number): Uint8Array => ctrlFrame(v, PING, 0, words(1));

/** Feeds `bytes` to a fresh decoder and returns the error that ends decoding. */
function breakingError(version: ProtocolVersion, bytes: Uint8Array): { error: FrameError; decoder: FrameDecoder } {
  const decoder = new FrameDecoder({ version });
  try {
    decoder.push(bytes);
  } catch (err) {
    assert.instance(err, FrameError);
    return { error: err as FrameError, decoder };
  }
  assert.unreachable('decoded');
  throw new Error('unreachable');
}

const lengths = suite('control frames with impossible lengths end decoding with GOAWAY PROTOCOL_ERROR');

const cases: [string, ProtocolVersion, number, Uint8Array][] = [
  ['PING of 3 bytes', PROTO_SPDY3, PING, new Uint8Array(3)],
  ['PING of 8 bytes', PROTO_SPDY3, PING, new Uint8Array(8)],
  ['RST_STREAM of 4 bytes', PROTO_SPDY3, RST_STREAM, words(1)],
  ['RST_STREAM of 12 bytes', PROTO_SPDY2, RST_STREAM, words(1, 1, 0)],
  ['SETTINGS shorter than its count', PROTO_SPDY3, SETTINGS, new Uint8Array(3)],
  ['SETTINGS saying 2 entries but holding 1', PROTO_SPDY3, SETTINGS, words(2, 4, 100)],
  ['SETTINGS saying 1 entry but holding 2', PROTO_SPDY2, SETTINGS, words(1, 4, 100, 7, 100)],
  ['SETTINGS with a half entry', PROTO_SPDY3, SETTINGS, words(1, 4)],
  ['SETTINGS with a huge count', PROTO_SPDY3, SETTINGS, words(0x20000000)],
  ['NOOP with a payload', PROTO_SPDY2, NOOP, words(0)],
  ['GOAWAY of 4 bytes in SPDY/3', PROTO_SPDY3, GOAWAY, words(1)],
  ['GOAWAY of 6 bytes in SPDY/2', PROTO_SPDY2, GOAWAY, new Uint8Array(6)],
  ['GOAWAY of 12 bytes', PROTO_SPDY3_1, GOAWAY, words(1, 0, 0)],
  ['WINDOW_UPDATE of 4 bytes', PROTO_SPDY3_1, WINDOW_UPDATE, words(1)],
  ['SYN_STREAM of 9 bytes', PROTO_SPDY3, SYN_STREAM, new Uint8Array(9)],
  ['SYN_STREAM of 0 bytes', PROTO_SPDY2, SYN_STREAM, new Uint8Array(0)],
  ['SYN_REPLY of 3 bytes', PROTO_SPDY3, SYN_REPLY, new Uint8Array(3)],
  ['SYN_REPLY of 5 bytes in SPDY/2', PROTO_SPDY2, SYN_REPLY, new Uint8Array(5)],
  ['HEADERS of 5 bytes in SPDY/2', PROTO_SPDY2, HEADERS, new Uint8Array(5)],
  ['CREDENTIAL of 5 bytes', PROTO_SPDY3, CREDENTIAL, new Uint8Array(5)],
  ['CREDENTIAL whose proof runs past the end', PROTO_SPDY3, CREDENTIAL, concat(new Uint8Array(2), words(5), new Uint8Array(4))],
  ['CREDENTIAL with a truncated certificate length', PROTO_SPDY3, CREDENTIAL, concat(new Uint8Array(2), words(0), new Uint8Array(3))],
  ['CREDENTIAL whose certificate runs past the end', PROTO_SPDY3, CREDENTIAL, concat(new Uint8Array(2), words(0), words(9), new Uint8Array(8))],
];

for (const [what, version, type, payload] of cases) {
  lengths(`${what}: FrameError with head and payload, and the decoder stays broken`, () => {
    const v = version === PROTO_SPDY2 ? 2 : 3;
    const frame = ctrlFrame(v, type, 0, payload);
    const { error, decoder } = breakingError(version, concat(ping(v), frame, ping(v)));
    assert.is(error.statusCode, GOAWAY_PROTOCOL_ERROR);
    assert.is(error.frameType, type);
    assert.is(toHex(error.head!), toHex(frame.subarray(0, 8)));
    assert.is(toHex(error.payload!), toHex(payload));
    assert.throws(() => decoder.push(ping(v)), (err: unknown) => err === error);
  });
}

lengths('the frames before the broken one are handed out by write() before it throws', () => {
  const decoder = new FrameDecoder({ version: PROTO_SPDY3 });
  const seen: unknown[] = [];
  assert.throws(() => decoder.write(concat(ping(3), ctrlFrame(3, PING, 0, new Uint8Array(2))), (f) => seen.push(f)));
  assert.is(seen.length, 1);
  assert.instance(seen[0], PingFrame);
});

lengths('a SPDY/2 GOAWAY of 8 bytes (as spdy-transport sends it) is accepted, with its status', () => {
  const [goaway] = new FrameDecoder({ version: PROTO_SPDY2 }).push(ctrlFrame(2, GOAWAY, 0, words(5, 1)));
  assert.instance(goaway, GoawayFrame);
  assert.equal([(goaway as GoawayFrame).lastGoodStreamId, (goaway as GoawayFrame).statusCode], [5, 1]);
});

lengths.run();

const zlib = suite('corrupt header compression');

zlib('a header block that is not zlib data ends decoding with a zlib FrameError (GOAWAY)', () => {
  const payload = concat(words(1), new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x00, 0x11, 0x22]));
  const { error, decoder } = breakingError(PROTO_SPDY3, ctrlFrame(3, SYN_REPLY, 0, payload));
  assert.is(error.code, ERR_ZLIB);
  assert.is(error.statusCode, GOAWAY_PROTOCOL_ERROR);
  assert.throws(() => decoder.push(ping(3)));
});

zlib('a block corrupted after a good one is a zlib FrameError too', () => {
  const deflater = new HeaderDeflater(3, 9);
  const good = synReplyWithBlock(deflater, 3, 1, rawHeaderBlock(3, [['a', 'b']]));
  const bad = synReplyWithBlock(deflater, 3, 3, rawHeaderBlock(3, [['c', 'd']]));
  for (let i = 12; i < bad.length - 4; i++) bad[i] = 0xff;
  const decoder = new FrameDecoder({ version: PROTO_SPDY3 });
  assert.instance(decoder.push(good)[0], SynReplyFrame);
  assert.throws(() => decoder.push(bad), (err: unknown) => err instanceof FrameError && err.code === ERR_ZLIB);
});

zlib.run();

const other = suite('frames of another version or an unknown type');

other('a control frame with the wrong version is an InvalidFrame UNSUPPORTED_VERSION, and decoding goes on', () => {
  const decoder = new FrameDecoder({ version: PROTO_SPDY3 });
  const rst = ctrlFrame(2, RST_STREAM, 0, words(7, 1));
  const [invalid, next] = decoder.push(concat(rst, ping(3)));
  assert.instance(invalid, InvalidFrame);
  const f = invalid as InvalidFrame;
  assert.is(f.version, 2);
  assert.is(f.frameType, RST_STREAM);
  assert.is(f.streamId, 7);
  assert.is(f.error.statusCode, UNSUPPORTED_VERSION);
  assert.is(f.error.code, ERR_UNSUPPORTED_VERSION);
  assert.is(toHex(f.head), toHex(rst.subarray(0, 8)));
  assert.instance(next, PingFrame);
});

other('a SPDY/4 SYN_STREAM in a SPDY/2 session is refused the same way', () => {
  const [invalid] = new FrameDecoder({ version: PROTO_SPDY2 }).push(ctrlFrame(4, SYN_STREAM, 0, words(9, 0, 0)));
  assert.instance(invalid, InvalidFrame);
  assert.is((invalid as InvalidFrame).streamId, 9);
  assert.is((invalid as InvalidFrame).error.statusCode, UNSUPPORTED_VERSION);
});

other('an unknown control frame type is an UnknownFrame with its head and payload, and decoding goes on', () => {
  const decoder = new FrameDecoder({ version: PROTO_SPDY3 });
  const unknown = ctrlFrame(3, 0xf000, 3, words(0xabcdef));
  const [frame, next] = decoder.push(concat(unknown, ping(3)));
  assert.instance(frame, UnknownFrame);
  const u = frame as UnknownFrame;
  assert.equal([u.version, u.frameType, u.flags, u.length], [3, 0xf000, 3, 4]);
  assert.is(toHex(u.head), toHex(unknown.subarray(0, 8)));
  assert.is(toHex(u.payload), '00abcdef');
  assert.instance(next, PingFrame);
});

other('the unknown frame\'s bytes are its own: reusing the input does not change them', () => {
  const input = concat(ctrlFrame(3, 11, 0, words(1)), ping(3));
  const [frame] = new FrameDecoder({ version: PROTO_SPDY3 }).push(input);
  input.fill(0);
  assert.is(toHex((frame as UnknownFrame).head), '8003000b00000004');
  assert.is(toHex((frame as UnknownFrame).payload), '00000001');
});

other.run();
