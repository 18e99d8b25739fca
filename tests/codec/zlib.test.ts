// Header compression: the dictionaries, window bits, sync flush, bounded inflation.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ERR_ZLIB, FrameDecoder, FrameEncoder, FrameError, GOAWAY_PROTOCOL_ERROR, HeaderDeflater, HeaderInflater, PROTO_SPDY3,
  PROTO_SPDY3_1, SYN_STREAM, SynStreamFrame, dictionaryFor, packHeaderBlock, type WireVersion,
} from '../../src/codec/index.js';
import { Deflate, Z_SYNC_FLUSH } from 'pako';
import { toHex } from './captures.js';
import { adler32 } from '../../src/codec/dictionary.js';

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

  t('the stream names the version\'s dictionary, window bits 11, at every level', () => {
    for (const level of [0, 1, 9]) {
      const out = new HeaderDeflater(v, level).deflate(packHeaderBlock(BLOCKS[0]!, v), 0);
      assert.is(out[0], 0x38, 'CMF: deflate, 2 KiB window');
      assert.is(out[1]! & 0x20, 0x20, 'FDICT set');
      assert.is(((out[0]! << 8) | out[1]!) % 31, 0, 'FCHECK');
      const dictId = new DataView(out.buffer, out.byteOffset).getUint32(2);
      assert.is(dictId, adler32(dictionaryFor(v)));
      assert.is.not(dictId, adler32(dictionaryFor(v === 2 ? 3 : 2)));
    }
  });

  t('the deflater uses memLevel 1 as spdylay does: its bytes are those of a memLevel-1 zlib stream (zlib\'s own hash), not a default one', () => {
    // Thousands of literals: zlib closes a deflate block every 128 of them at memLevel 1,
    // every 16384 at memLevel 8, so the two settings give different bytes.
    let x = 7;
    const noise = Array.from({ length: 3000 }, () => String.fromCharCode(0x61 + ((x = (x * 1103515245 + 12345) >>> 0) >>> 24) % 26)).join('');
    const blocks = [packHeaderBlock([['x-noise', noise]], v), packHeaderBlock(BLOCKS[0]!, v)];
    const reference = (memLevel: number): string => {
      const d = new Deflate({ level: 9, windowBits: 11, memLevel, dictionary: dictionaryFor(v), legacyHash: true });
      const out: Uint8Array[] = [];
      d.onData = (chunk) => out.push(chunk);
      for (const block of blocks) d.push(block, Z_SYNC_FLUSH);
      return out.map(toHex).join('');
    };
    const deflater = new HeaderDeflater(v, 9);
    const ours = blocks.map((b) => toHex(deflater.deflate(b, 0))).join('');
    assert.is(ours, reference(1));
    assert.is.not(ours, reference(8));
  });

  t('each block ends with a sync flush marker, at every level', () => {
    for (const level of [0, 1, 9]) {
      const deflater = new HeaderDeflater(v, level);
      for (const nv of BLOCKS) {
        const out = deflater.deflate(packHeaderBlock(nv, v), 0);
        assert.is(toHex(out.subarray(-4)), '0000ffff');
      }
    }
  });

  t('level 0 stores the block uncompressed', () => {
    const block = packHeaderBlock(BLOCKS[0]!, v);
    const out = new HeaderDeflater(v, 0).deflate(block, 0);
    assert.ok(toHex(out).includes(toHex(block)));
  });

  t('level 0 writes the bytes zlib writes at level 0, block after block, and blocks over 64 KiB inflate back', () => {
    const blocks = [packHeaderBlock(BLOCKS[0]!, v), packHeaderBlock(BLOCKS[1]!, v), packHeaderBlock([['x', 'y'.repeat(3000)]], v)];
    const d = new Deflate({ level: 0, windowBits: 11, memLevel: 1, dictionary: dictionaryFor(v) });
    const reference: Uint8Array[] = [];
    d.onData = (chunk) => reference.push(chunk);
    for (const block of blocks) d.push(block, Z_SYNC_FLUSH);
    const deflater = new HeaderDeflater(v, 0);
    assert.is(blocks.map((b) => toHex(deflater.deflate(b, 0))).join(''), reference.map(toHex).join(''));
    // Past one stored block's 65535 bytes: more than one, and the peer's inflater reads them all.
    const big = packHeaderBlock([['x-a', 'z'.repeat(60_000)], ['x-b', 'z'.repeat(60_000)], ['x-c', 'z'.repeat(30_000)]], v);
    const inflater = new HeaderInflater(v, 1 << 20);
    const fresh = new HeaderDeflater(v, 0);
    inflater.inflate(fresh.deflate(blocks[0]!, 0));
    assert.is(toHex(inflater.inflate(fresh.deflate(big, 8).subarray(8))!), toHex(big));
  });

  t('the context is kept across blocks: a repeated block compresses much smaller the second time, at levels 1 and 9', () => {
    for (const level of [1, 9]) {
      const deflater = new HeaderDeflater(v, level);
      const block = packHeaderBlock(BLOCKS[1]!, v);
      const first = deflater.deflate(block, 0).length;
      const second = deflater.deflate(block, 0).length;
      assert.ok(second < first / 2, `level ${level}: ${second} vs ${first}`);
    }
  });

  t('the headroom bytes come first and are left for the frame header, at every level', () => {
    const block = packHeaderBlock(BLOCKS[0]!, v);
    for (const level of [0, 1, 9]) {
      const plain = new HeaderDeflater(v, level).deflate(block, 0);
      const roomy = new HeaderDeflater(v, level).deflate(block, 18);
      assert.is(toHex(roomy.subarray(18)), toHex(plain));
    }
  });

  t('a large block of random text round-trips at levels 0, 1 and 9', () => {
    const random = new Uint8Array(60_000);
    let x = 12345;
    for (let i = 0; i < random.length; i++) random[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    const value = Array.from(random, (b) => String.fromCharCode(0x21 + (b % 90))).join('');
    const block = packHeaderBlock([['x', value]], v);
    for (const level of [0, 1, 9]) {
      const out = new HeaderDeflater(v, level).deflate(block, 0);
      assert.is(toHex(new HeaderInflater(v, 1 << 20).inflate(out)!), toHex(block));
    }
  });

  t('a stream made with the other version\'s dictionary is a zlib error (GOAWAY), at every level', () => {
    for (const level of [0, 1, 9]) {
      const out = new HeaderDeflater(v === 2 ? 3 : 2, level).deflate(packHeaderBlock(BLOCKS[0]!, v), 0);
      const inflater = new HeaderInflater(v, 65536);
      try {
        inflater.inflate(out);
        assert.unreachable('inflated');
      } catch (err) {
        assert.instance(err, FrameError);
        assert.is((err as FrameError).code, ERR_ZLIB);
        assert.is((err as FrameError).statusCode, GOAWAY_PROTOCOL_ERROR);
      }
    }
  });

  t.run();
}

const v31 = suite('header compression in SPDY/3.1');

v31('SPDY/3.1 is version 3 on the wire with the SPDY/3 dictionary: a SPDY/3 decoder reads its header blocks', () => {
  const encoder = new FrameEncoder({ version: PROTO_SPDY3_1 });
  const decoder = new FrameDecoder({ version: PROTO_SPDY3 });
  for (const [i, nv] of BLOCKS.entries()) {
    const bytes = encoder.encode({ frameType: SYN_STREAM, streamId: 2 * i + 1, nv });
    assert.equal([bytes[0], bytes[1], bytes[3]], [0x80, 3, SYN_STREAM]);
    if (i === 0) assert.is(new DataView(bytes.buffer, bytes.byteOffset).getUint32(20), adler32(dictionaryFor(3)));
    const [back] = decoder.push(bytes);
    assert.instance(back, SynStreamFrame);
    assert.equal(new Map((back as SynStreamFrame).nv), new Map(nv));
  }
});

v31.run();
