import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ERR_ZLIB, FrameError, GOAWAY_PROTOCOL_ERROR, HeaderDeflater, HeaderInflater, dictionaryFor, packHeaderBlock,
  type WireVersion,
} from '../../src/codec/index.js';
import { toHex } from './captures.js';

/** zlib's Adler-32, to check which dictionary a stream names. */
function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const x of bytes) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const BLOCKS: [string, string][][] = [
  [[':method', 'GET'], [':path', '/'], [':version', 'HTTP/1.1'], ['accept-encoding', 'gzip, deflate']],
  [[':status', '200 OK'], [':version', 'HTTP/1.1'], ['content-type', 'text/html; charset=utf-8']],
  [[':method', 'GET'], [':path', '/second'], [':version', 'HTTP/1.1'], ['accept-encoding', 'gzip, deflate']],
];

for (const v of [2, 3] as WireVersion[]) {
  const t = suite(`header compression in SPDY/${v}`);

  for (const level of [0, 1, 9]) {
    t(`blocks compressed at level ${level} inflate back, one after another on the same streams`, () => {
      const deflater = new HeaderDeflater(v, level);
      const inflater = new HeaderInflater(v, 65536);
      for (const nv of BLOCKS) {
        const block = packHeaderBlock(nv, v);
        const compressed = deflater.deflate(block, 0);
        assert.is(toHex(inflater.inflate(compressed)!), toHex(block));
      }
    });
  }

  t('the stream names the version\'s dictionary, window bits 11', () => {
    const out = new HeaderDeflater(v, 9).deflate(packHeaderBlock(BLOCKS[0]!, v), 0);
    assert.is(out[0], 0x38, 'CMF: deflate, 2 KiB window');
    assert.is(out[1]! & 0x20, 0x20, 'FDICT set');
    const dictId = new DataView(out.buffer, out.byteOffset).getUint32(2);
    assert.is(dictId, adler32(dictionaryFor(v)));
    assert.is.not(dictId, adler32(dictionaryFor(v === 2 ? 3 : 2)));
  });

  t('each block ends with a sync flush marker', () => {
    const deflater = new HeaderDeflater(v, 9);
    for (const nv of BLOCKS) {
      const out = deflater.deflate(packHeaderBlock(nv, v), 0);
      assert.is(toHex(out.subarray(-4)), '0000ffff');
    }
  });

  t('level 0 stores the block uncompressed', () => {
    const block = packHeaderBlock(BLOCKS[0]!, v);
    const out = new HeaderDeflater(v, 0).deflate(block, 0);
    assert.ok(toHex(out).includes(toHex(block)));
  });

  t('the context is kept across blocks: a repeated block compresses much smaller the second time', () => {
    const deflater = new HeaderDeflater(v, 9);
    const block = packHeaderBlock(BLOCKS[1]!, v);
    const first = deflater.deflate(block, 0).length;
    const second = deflater.deflate(block, 0).length;
    assert.ok(second < first / 2, `${second} vs ${first}`);
  });

  t('the headroom bytes come first and are left for the frame header', () => {
    const block = packHeaderBlock(BLOCKS[0]!, v);
    const plain = new HeaderDeflater(v, 9).deflate(block, 0);
    const roomy = new HeaderDeflater(v, 9).deflate(block, 18);
    assert.is(toHex(roomy.subarray(18)), toHex(plain));
  });

  t('a large block of random text round-trips at level 0 and at level 9', () => {
    const random = new Uint8Array(60_000);
    let x = 12345;
    for (let i = 0; i < random.length; i++) random[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    const value = Array.from(random, (b) => String.fromCharCode(0x21 + (b % 90))).join('');
    const block = packHeaderBlock([['x', value]], v);
    for (const level of [0, 9]) {
      const out = new HeaderDeflater(v, level).deflate(block, 0);
      assert.is(toHex(new HeaderInflater(v, 1 << 20).inflate(out)!), toHex(block));
    }
  });

  t('a stream made with the other version\'s dictionary is a zlib error (GOAWAY)', () => {
    const out = new HeaderDeflater(v === 2 ? 3 : 2, 9).deflate(packHeaderBlock(BLOCKS[0]!, v), 0);
    const inflater = new HeaderInflater(v, 65536);
    try {
      inflater.inflate(out);
      assert.unreachable('inflated');
    } catch (err) {
      assert.instance(err, FrameError);
      assert.is((err as FrameError).code, ERR_ZLIB);
      assert.is((err as FrameError).statusCode, GOAWAY_PROTOCOL_ERROR);
    }
  });

  t.run();
}
