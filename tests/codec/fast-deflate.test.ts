// Level 1, our own deflate writer: any zlib inflater reads it back, block
// by block, within the 2 KiB window it announces; it finds the repeats that
// make header blocks small and stores what it cannot shrink.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { constants, inflateSync } from 'node:zlib';
import { HeaderInflater, dictionaryFor, packHeaderBlock, type NvInput, type WireVersion } from '../../src/codec/index.js';
import { adler32 } from '../../src/codec/dictionary.js';
import { FastDeflater } from '../../src/codec/fast-deflate.js';
import { prng, type Rng } from '../fuzz/prng.js';
import { toHex } from './captures.js';

const t = suite('header compression level 1');

const deflater = (v: WireVersion, rebaseAt?: number): FastDeflater =>
  new FastDeflater(dictionaryFor(v), adler32(dictionaryFor(v)), rebaseAt);

const word = (rnd: Rng, length: number): string =>
  Array.from({ length }, () => String.fromCharCode(0x61 + rnd.int(26))).join('');

/** Reply-like header sets: most values repeat, some change a little, some are new; one in ten has a long random value if `blobs`. */
function replies(seed: number, count: number, blobs = true): NvInput[] {
  const rnd = prng(seed);
  const ids = Array.from({ length: 8 }, () => word(rnd, 12));
  return Array.from({ length: count }, (_, i) => [
    [':status', rnd.int(4) === 0 ? '404' : '200'],
    [':version', 'HTTP/1.1'],
    ['content-type', rnd.int(2) ? 'text/html; charset=utf-8' : 'application/json'],
    ['content-length', String(rnd.int(100_000))],
    ['x-request-id', rnd.int(3) ? ids[rnd.int(ids.length)]! : word(rnd, 24)],
    ['x-seq', String(i)],
    ...(blobs && rnd.int(10) === 0 ? [['x-blob', word(rnd, 100 + rnd.int(4000))] as [string, string]] : []),
  ]);
}

/**
 * What zlib itself inflates from the stream, limited to `windowBits`. zlib
 * lets a distance reach back into the output of the same call as well as
 * its window, so it writes 64 bytes a call: a repeat from further back
 * than the window (and those 64 bytes) is then an error.
 */
const zlibInflate = (parts: Uint8Array[], v: WireVersion, windowBits = 15): Buffer =>
  inflateSync(Buffer.concat(parts), { dictionary: dictionaryFor(v), windowBits, chunkSize: 64, finishFlush: constants.Z_SYNC_FLUSH });

for (const v of [2, 3] as WireVersion[]) {
  t(`SPDY/${v}: a thousand varied blocks inflate back one by one, with pako and with zlib held to a 2 KiB window`, () => {
    const d = deflater(v);
    const inflater = new HeaderInflater(v, 1 << 20);
    const blocks = replies(v, 1000).map((nv) => packHeaderBlock(nv, v));
    const out = blocks.map((block) => d.deflate(block, 0));
    out.forEach((bytes, i) => assert.is(toHex(inflater.inflate(bytes)!), toHex(blocks[i]!), `block ${i}`));
    // zlib refuses a distance past the window it was given: none reaches further back than 2 KiB.
    assert.ok(zlibInflate(out, v, 11).equals(Buffer.concat(blocks)));
  });
}

t('seeded mixes of runs, copies of earlier blocks with edits, and noise, of 0 to 6000 bytes, inflate back within the window', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const rnd = prng(seed);
    const d = deflater(3);
    const blocks: Uint8Array[] = [];
    for (let i = 0; i < 150; i++) {
      const length = rnd.int(4) === 0 ? rnd.int(6000) : rnd.int(300);
      const block = new Uint8Array(length);
      const earlier = blocks.length > 0 ? blocks[rnd.int(blocks.length)]! : new Uint8Array(0);
      for (let at = 0; at < length;) {
        const run = 1 + rnd.int(64);
        const kind = rnd.int(3);
        for (let k = 0; k < run && at < length; k++, at++) {
          // A run of one byte, a stretch of an earlier block, or noise from a small alphabet.
          block[at] = kind === 0 ? 0x61 : kind === 1 && earlier.length > 0 ? earlier[(at + k) % earlier.length]! : 0x61 + rnd.int(4);
        }
      }
      blocks.push(block);
    }
    const out = blocks.map((b) => d.deflate(b, 0));
    assert.ok(zlibInflate(out, 3, 11).equals(Buffer.concat(blocks)), `seed ${seed}`);
  }
});

t('blocks that repeat earlier ones come out a small fraction of their size', () => {
  const d = deflater(3);
  const blocks = replies(7, 200, false).map((nv) => packHeaderBlock(nv, 3));
  let raw = 0;
  let packed = 0;
  for (const [i, block] of blocks.entries()) {
    const size = d.deflate(block, 0).length;
    if (i >= 10) (raw += block.length), (packed += size);
  }
  assert.ok(packed < raw / 3, `${packed} of ${raw} bytes`);
});

t('what cannot be shrunk is stored: random bytes cost at most 5 bytes a 2 KiB piece, plus the flush and the zlib header', () => {
  const rnd = prng(99);
  const noise = Uint8Array.from({ length: 70_000 }, () => rnd.int(256));
  const out = deflater(3).deflate(noise, 0);
  assert.ok(out.length <= noise.length + 5 * Math.ceil(noise.length / 2048) + 5 + 6, `${out.length}`);
  assert.ok(zlibInflate([out], 3).equals(noise));
});

t('blocks longer than the window and than a stored block inflate back, repeats in them found', () => {
  const d = deflater(3);
  const long = packHeaderBlock([['x-a', 'spdy '.repeat(30_000)], ['x-b', 'z'.repeat(70_000)]], 3);
  const out = d.deflate(long, 0);
  assert.ok(out.length < long.length / 50, `${out.length}`);
  assert.ok(zlibInflate([out], 3, 11).equals(long));
});

t('an empty block is a flush alone', () => {
  const d = deflater(3);
  const first = d.deflate(new Uint8Array(0), 0);
  assert.is(toHex(first.subarray(6)), '000000ffff');
  const next = d.deflate(new Uint8Array(0), 3);
  assert.is(toHex(next.subarray(3)), '000000ffff', 'after the headroom');
});

t('places are counted from nearer the buffer again long before they overflow, and matching goes on across it', () => {
  // A small rebase point stands in for the GiB of headers that reaches the real one.
  const blocks = replies(11, 600).map((nv) => packHeaderBlock(nv, 3));
  const often = deflater(3, 10_000);
  const never = deflater(3);
  const a = blocks.map((b) => often.deflate(b, 0));
  const b = blocks.map((b) => never.deflate(b, 0));
  const total = blocks.reduce((n, b) => n + b.length, 0);
  assert.ok(total > 5 * 10_000, 'several rebases happen');
  assert.ok(zlibInflate(a, 3, 11).equals(Buffer.concat(blocks)));
  // Rebasing forgets nothing within the window: the bytes are the same as without it.
  assert.is(a.map(toHex).join(''), b.map(toHex).join(''));
});

t.run();
