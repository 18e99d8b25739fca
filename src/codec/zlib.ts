/**
 * Header-block compression: one zlib stream per direction per session, with
 * the version's dictionary, a sync flush after each block. Window bits 11 and
 * memLevel 1 as spdylay uses for its own output, with zlib's own hash (pako's
 * "legacy" one: its default is a 32768-slot table whatever the memLevel, which
 * every 2 KiB window slide walks whole), so our bytes are spdylay's; the
 * inflater takes any window.
 */
import {
  ZStream, Z_BUF_ERROR, Z_DEFAULT_STRATEGY, Z_NEED_DICT, Z_OK, Z_STREAM_END, Z_SYNC_FLUSH,
  zlibDeflate, zlibDeflateInit2, zlibDeflateSetDictionary,
  zlibInflate, zlibInflateInit2, zlibInflateSetDictionary,
} from 'pako';
import { ERR_ZLIB, GOAWAY_PROTOCOL_ERROR, type WireVersion } from '../base/constants.js';
import { dictionaryFor } from './dictionary.js';
import { FrameError, ZlibError } from '../base/errors.js';

const Z_DEFLATED = 8;
const DEFLATE_WINDOW_BITS = 11;
const DEFLATE_MEM_LEVEL = 1;
const INFLATE_WINDOW_BITS = 15;

/** Compresses our header blocks. */
export class HeaderDeflater {
  private readonly strm = new ZStream();
  /** Where blocks are compressed before the frame is copied out: made on first use, grown to the largest seen. */
  private scratch: Uint8Array<ArrayBuffer> = EMPTY;
  /** Level 0 (a client's default) is written without pako. */
  private readonly stored: StoredBlocks | null = null;

  constructor(version: WireVersion, level: number) {
    if (level === 0) {
      this.stored = new StoredBlocks(dictionaryFor(version));
      return;
    }
    const legacyHash = true;
    if (zlibDeflateInit2(this.strm, level, Z_DEFLATED, DEFLATE_WINDOW_BITS, DEFLATE_MEM_LEVEL, Z_DEFAULT_STRATEGY, legacyHash) !== Z_OK ||
        zlibDeflateSetDictionary(this.strm, dictionaryFor(version)) !== Z_OK) {
      throw new ZlibError('cannot set up header compression');
    }
  }

  /**
   * Compresses one header block. The result has `headroom` unused bytes in
   * front, so that the frame header can be written there without a copy.
   */
  deflate(block: Uint8Array, headroom: number): Uint8Array {
    if (this.stored) return this.stored.write(block, headroom);
    const strm = this.strm;
    // Stored blocks cost 5 bytes per 64 KiB, compressed ones rarely more; grow if not.
    const room = headroom + block.length + (block.length >>> 8) + 32;
    // Compressed into our scratch, then copied out at its size: a typical reply's frame is
    // small enough for the heap, where arrays are far cheaper to make than outside it.
    if (this.scratch.length < room) this.scratch = new Uint8Array(Math.max(room, 1024, 2 * this.scratch.length));
    let out = this.scratch;
    strm.input = block;
    strm.next_in = 0;
    strm.avail_in = block.length;
    strm.output = out;
    strm.next_out = headroom;
    strm.avail_out = out.length - headroom;
    for (;;) {
      const rc = zlibDeflate(strm, Z_SYNC_FLUSH);
      if (rc !== Z_OK && rc !== Z_BUF_ERROR) throw new ZlibError(`deflate failed (${rc})`);
      if (strm.avail_out > 0) break;
      const bigger = new Uint8Array(out.length * 2);
      bigger.set(out);
      strm.output = out = bigger;
      strm.avail_out = out.length - strm.next_out;
    }
    const end = strm.next_out;
    strm.input = EMPTY;
    // Kept if it grew: the next block of that size needs no new scratch.
    this.scratch = out;
    return out.slice(0, end);
  }
}

/** The most a stored block holds. */
const MAX_STORED = 0xffff;

/**
 * Level 0 written by hand: zlib's header naming the dictionary once, then
 * each header block as stored blocks and the empty stored block that a
 * sync flush ends with: the bytes pako writes at level 0, made with a copy
 * instead of a pass through the compressor (which cost more than all the
 * rest of a request's framing).
 */
class StoredBlocks {
  private readonly dictionaryId: number;
  private headerSent = false;

  constructor(dictionary: Uint8Array) {
    this.dictionaryId = adler32(dictionary);
  }

  write(block: Uint8Array, headroom: number): Uint8Array {
    const blocks = Math.ceil(block.length / MAX_STORED);
    const header = this.headerSent ? 0 : 6;
    const out = new Uint8Array(headroom + header + 5 * (blocks + 1) + block.length);
    let pos = headroom;
    if (!this.headerSent) {
      // CMF: deflate with our window; FLG: FLEVEL 0, FDICT, and the check that makes CMF.FLG a multiple of 31.
      const cmf = ((DEFLATE_WINDOW_BITS - 8) << 4) | Z_DEFLATED;
      const flg = 0x20 | ((31 - (((cmf << 8) | 0x20) % 31)) % 31);
      out[pos++] = cmf;
      out[pos++] = flg;
      const id = this.dictionaryId;
      out[pos++] = id >>> 24;
      out[pos++] = (id >>> 16) & 0xff;
      out[pos++] = (id >>> 8) & 0xff;
      out[pos++] = id & 0xff;
      this.headerSent = true;
    }
    for (let at = 0; at < block.length; at += MAX_STORED) {
      const length = Math.min(MAX_STORED, block.length - at);
      pos = storedHead(out, pos, length);
      out.set(block.subarray(at, at + length), pos);
      pos += length;
    }
    // The sync flush's empty block: where a peer's inflater expects a block to end.
    storedHead(out, pos, 0);
    return out;
  }
}

/** A non-final stored block's head for `length` bytes at `pos`; the position after it. */
function storedHead(out: Uint8Array, pos: number, length: number): number {
  out[pos] = 0;
  out[pos + 1] = length & 0xff;
  out[pos + 2] = length >>> 8;
  out[pos + 3] = ~length & 0xff;
  out[pos + 4] = (~length >>> 8) & 0xff;
  return pos + 5;
}

/** The Adler-32 checksum of `bytes`, as zlib names a dictionary by it. */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const EMPTY = new Uint8Array(0);
const DISCARD_CHUNK = 16384;

/** How much inflating an over-limit block may cost before the session is given up. */
const SKIP_FACTOR = 16;

/**
 * Inflates the peer's header blocks, never holding more than the limit.
 * A block over the limit is still inflated to its end into a small scratch
 * buffer, so that the shared zlib stream stays in step; if even that passes
 * `SKIP_FACTOR` times the limit the stream is given up (a decompression bomb).
 */
export class HeaderInflater {
  private readonly strm = new ZStream();
  private readonly dictionary: Uint8Array;
  private buf: Uint8Array<ArrayBuffer>;

  constructor(version: WireVersion, private readonly limit: number) {
    this.dictionary = dictionaryFor(version);
    if (zlibInflateInit2(this.strm, INFLATE_WINDOW_BITS) !== Z_OK) {
      throw new ZlibError('cannot set up header decompression');
    }
    this.buf = new Uint8Array(Math.min(4096, limit + 1));
  }

  /**
   * Inflates one block. Returns a view of the inflated bytes, valid until
   * the next call, or `null` when the block is over the limit.
   * Throws a `FrameError` (GOAWAY PROTOCOL_ERROR) when the zlib stream is broken.
   */
  inflate(block: Uint8Array): Uint8Array | null {
    const strm = this.strm;
    strm.input = block;
    strm.next_in = 0;
    strm.avail_in = block.length;
    let produced = 0;
    for (;;) {
      if (produced === this.buf.length) {
        if (this.buf.length > this.limit) return this.skipRest();
        const bigger = new Uint8Array(Math.min(this.buf.length * 2, this.limit + 1));
        bigger.set(this.buf);
        this.buf = bigger;
      }
      strm.output = this.buf;
      strm.next_out = produced;
      strm.avail_out = this.buf.length - produced;
      this.step();
      produced = strm.next_out;
      if (strm.avail_in === 0 && strm.avail_out > 0) break;
    }
    strm.input = EMPTY;
    return this.buf.subarray(0, produced);
  }

  private skipRest(): null {
    const strm = this.strm;
    const scratch = new Uint8Array(DISCARD_CHUNK);
    let skipped = 0;
    do {
      if (skipped > this.limit * SKIP_FACTOR) {
        throw zlibFailure('header block inflates without bound');
      }
      strm.output = scratch;
      strm.next_out = 0;
      strm.avail_out = scratch.length;
      this.step();
      skipped += strm.next_out;
    } while (strm.avail_in > 0 || strm.avail_out === 0);
    strm.input = EMPTY;
    return null;
  }

  private step(): void {
    const strm = this.strm;
    let rc = zlibInflate(strm, Z_SYNC_FLUSH);
    if (rc === Z_NEED_DICT) {
      if (zlibInflateSetDictionary(strm, this.dictionary) !== Z_OK) {
        throw zlibFailure('header block names an unknown dictionary');
      }
      rc = zlibInflate(strm, Z_SYNC_FLUSH);
    }
    if (rc === Z_STREAM_END && strm.avail_in > 0) throw zlibFailure('header zlib stream ended');
    if (rc < 0 && rc !== Z_BUF_ERROR) throw zlibFailure(`corrupt header block (${strm.msg || rc})`);
    // No progress with input left and room to write: the input is not zlib.
    if (rc === Z_BUF_ERROR && strm.avail_in > 0 && strm.avail_out > 0) throw zlibFailure('corrupt header block');
  }
}

function zlibFailure(message: string): FrameError {
  return new FrameError(message, { code: ERR_ZLIB, statusCode: GOAWAY_PROTOCOL_ERROR });
}
