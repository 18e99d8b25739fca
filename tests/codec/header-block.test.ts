// Header blocks before compression: packing rules, unpacking checks, version name mapping.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  FrameDecoder, FrameError, HeaderDeflater, InvalidFrame, PROTOCOL_ERROR, PROTO_SPDY2, PROTO_SPDY3,
  PingFrame, SynReplyFrame, nameTo2, nameTo3, nv2to3, nv3to2, packHeaderBlock, unpackHeaderBlock,
  type WireVersion, ERR_INVALID_HEADER_BLOCK,
} from '../../src/codec/index.js';
import { concat, ctrlFrame, rawHeaderBlock, synReplyWithBlock, words, type RawPair } from './wire.js';

const VERSIONS: [string, WireVersion][] = [['SPDY/2', 2], ['SPDY/3', 3]];

for (const [label, v] of VERSIONS) {
  const pack = suite(`packing a header block in ${label}`);

  pack('names are lower-cased and the block is sorted by name', () => {
    const block = packHeaderBlock([['Zeta', '1'], ['ALPHA', '2'], ['mid', '3']], v);
    assert.equal(Array.from(block), Array.from(rawHeaderBlock(v, [['alpha', '2'], ['mid', '3'], ['zeta', '1']])));
  });

  pack('a repeated name becomes one entry with its values joined by NUL, in the order given', () => {
    const block = packHeaderBlock([['b', 'x'], ['a', '1'], ['B', 'y'], ['b', 'z']], v);
    assert.equal(Array.from(block), Array.from(rawHeaderBlock(v, [['a', '1'], ['b', 'x\0y\0z']])));
  });

  pack('empty values of a repeated name are dropped before joining', () => {
    const block = packHeaderBlock([['a', ''], ['a', 'one'], ['a', ''], ['a', 'two'], ['c', '']], v);
    assert.equal(Array.from(block), Array.from(rawHeaderBlock(v, [['a', 'one\0two'], ['c', '']])));
  });

  pack(`length fields are ${v === 2 ? '16' : '32'}-bit`, () => {
    const block = packHeaderBlock([['k', 'vv']], v);
    assert.is(block.length, v === 2 ? 2 + 2 + 1 + 2 + 2 : 4 + 4 + 1 + 4 + 2);
  });

  pack('the space counted for a block is in bytes: UTF-8 values, joined repeats and empty values all get exact length fields', () => {
    const nv: [string, string][] = [['b', 'é'], ['a', ''], ['b', ''], ['b', '✓✓'], ['c', 'plain']];
    const block = packHeaderBlock(nv, v);
    const field = v === 2 ? 2 : 4;
    // count, then a: '' / b: 'é\0✓✓' (2 + 1 + 6 bytes) / c: 'plain'.
    assert.is(block.length, field + (field + 1 + field + 0) + (field + 1 + field + 9) + (field + 1 + field + 5));
    assert.equal(Array.from(block), Array.from(rawHeaderBlock(v, [['a', ''], ['b', 'é\0✓✓'], ['c', 'plain']])));
  });

  pack('non-ASCII values are written as UTF-8 and read back', () => {
    const nv: [string, string][] = [['x-name', 'café ✓ '.repeat(20)]];
    assert.equal(unpackHeaderBlock(packHeaderBlock(nv, v), v), nv);
  });

  pack.run();

  const unpack = suite(`unpacking a header block in ${label}`);

  unpack('a value with NUL-separated parts gives one pair per part, in order', () => {
    const nv = unpackHeaderBlock(rawHeaderBlock(v, [['a', 'z\0y\0x'], ['b', 'only']]), v);
    assert.equal(nv, [['a', 'z'], ['a', 'y'], ['a', 'x'], ['b', 'only']]);
  });

  unpack('the output is sorted by name only, keeping the order of one name\'s parts', () => {
    const nv = unpackHeaderBlock(rawHeaderBlock(v, [['zz', '2\0' + '1'], ['aa', 'b\0a'], ['mm', '']]), v);
    assert.equal(nv, [['aa', 'b'], ['aa', 'a'], ['mm', ''], ['zz', '2'], ['zz', '1']]);
  });

  unpack('an empty block (no pairs) is valid', () => {
    assert.equal(unpackHeaderBlock(rawHeaderBlock(v, []), v), []);
  });

  const invalid: [string, Uint8Array][] = [
    ['an empty name', rawHeaderBlock(v, [['', 'x']])],
    ['a name with a byte that is not ASCII', rawHeaderBlock(v, [[new Uint8Array([0x61, 0xc3, 0xa9]), 'x']])],
    ['a name with a control character', rawHeaderBlock(v, [['a\tb', 'x']])],
    ['an upper-case name', rawHeaderBlock(v, [['Host', 'x']])],
    ['the same name twice', rawHeaderBlock(v, [['a', '1'], ['a', '2']])],
    ['an empty part between two NULs', rawHeaderBlock(v, [['a', 'x\0\0y']])],
    ['a leading NUL', rawHeaderBlock(v, [['a', '\0x']])],
    ['a trailing NUL', rawHeaderBlock(v, [['a', 'x\0']])],
    ['a value that is only NUL', rawHeaderBlock(v, [['a', '\0']])],
    ['a pair count larger than the pairs', rawHeaderBlock(v, [['a', '1']], { count: 2 })],
    ['a pair count smaller than the pairs', rawHeaderBlock(v, [['a', '1'], ['b', '2']], { count: 1 })],
    ['a huge pair count', rawHeaderBlock(v, [['a', '1']], { count: v === 2 ? 0xffff : 0xffffffff })],
    ['a name length past the end', rawHeaderBlock(v, [['a', '1']]).subarray(0, v === 2 ? 4 : 8)],
    ['a value length past the end', rawHeaderBlock(v, [['a', '12345']]).slice(0, -1)],
    ['bytes after the last pair', rawHeaderBlock(v, [['a', '1']], { trailing: new Uint8Array([0]) })],
    ['a block shorter than its count field', new Uint8Array(v === 2 ? 1 : 3)],
  ];

  for (const [what, block] of invalid) {
    unpack(`${what} is invalid (PROTOCOL_ERROR)`, () => {
      try {
        unpackHeaderBlock(block, v);
      } catch (err) {
        assert.instance(err, FrameError);
        assert.is((err as FrameError).statusCode, PROTOCOL_ERROR);
        assert.is((err as FrameError).code, ERR_INVALID_HEADER_BLOCK);
        return;
      }
      assert.unreachable('accepted');
    });
  }

  unpack('every decoded name and value is what its bytes spell, however many blocks came before', () => {
    // Thousands of short strings, many sharing length and bytes but one: decoding keeps
    // strings it made lately, and must never hand one out for bytes that spell another.
    let seed = 7;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      // The high bits: an LCG's low ones repeat with a short period.
      return (seed >>> 12) % n;
    };
    const word = (max: number): string => {
      let w = '';
      for (let i = 1 + next(max); i > 0; i--) w += 'abcdefghij-0123/'[next(16)];
      return w;
    };
    for (let round = 0; round < 3000; round++) {
      const nv: Array<[string, string]> = [[`x-${word(6)}`, word(60)], ['long-' + 'n'.repeat(60 + next(10)), word(80)]];
      const expected = [...new Map(nv).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      assert.equal(unpackHeaderBlock(packHeaderBlock(nv, v), v), v === 2 ? nv2to3(expected) : expected);
    }
  });

  unpack.run();

  const onWire = suite(`invalid header blocks on the wire in ${label}`);
  const version = v === 2 ? PROTO_SPDY2 : PROTO_SPDY3;

  for (const [what, block] of invalid) {
    onWire(`${what}: InvalidFrame with PROTOCOL_ERROR, then the next frames decode`, () => {
      const deflater = new HeaderDeflater(v, 9);
      const decoder = new FrameDecoder({ version });
      const good: RawPair[] = [[v === 2 ? 'status' : ':status', '200 OK'], ['x', 'y']];
      const bytes = concat(
        synReplyWithBlock(deflater, v, 1, block),
        ctrlFrame(v, 6, 0, words(1)),
        synReplyWithBlock(deflater, v, 3, rawHeaderBlock(v, good)),
      );
      const [bad, ping, reply] = decoder.push(bytes);
      assert.instance(bad, InvalidFrame);
      const inv = bad as InvalidFrame;
      assert.is(inv.streamId, 1);
      assert.is(inv.frameType, 2);
      assert.is(inv.error.statusCode, PROTOCOL_ERROR);
      assert.is(inv.length, bytes[7]! + (bytes[6]! << 8));
      assert.instance(ping, PingFrame);
      assert.instance(reply, SynReplyFrame);
      assert.equal((reply as SynReplyFrame).nv, [[':status', '200 OK'], ['x', 'y']]);
    });
  }

  onWire.run();
}

const mapping = suite('SPDY/2 and SPDY/3 header names');

mapping('host, method, url, scheme, status and version become :host, :method, :path, :scheme, :status, :version', () => {
  const pairs: [string, string][] = [
    ['host', ':host'], ['method', ':method'], ['url', ':path'], ['scheme', ':scheme'],
    ['status', ':status'], ['version', ':version'],
  ];
  for (const [two, three] of pairs) {
    assert.is(nameTo3(two), three);
    assert.is(nameTo2(three), two);
  }
  for (const other of ['accept', 'path', ':authority', 'x-url']) {
    assert.is(nameTo3(other), other);
    assert.is(nameTo2(other), other);
  }
});

mapping('whole header lists map both ways and keep values and order', () => {
  const v3: [string, string][] = [[':method', 'GET'], [':path', '/'], ['accept', '*/*'], [':version', 'HTTP/1.1']];
  const v2 = nv3to2(v3);
  assert.equal(v2, [['method', 'GET'], ['url', '/'], ['accept', '*/*'], ['version', 'HTTP/1.1']]);
  assert.equal(nv2to3(v2), v3);
});

mapping('packing for SPDY/2 uses the SPDY/2 names, unpacking gives the SPDY/3 ones', () => {
  const block = packHeaderBlock([[':path', '/x'], [':method', 'GET']], 2);
  assert.equal(Array.from(block), Array.from(rawHeaderBlock(2, [['method', 'GET'], ['url', '/x']])));
  assert.equal(unpackHeaderBlock(block, 2), [[':method', 'GET'], [':path', '/x']]);
});

mapping.run();
