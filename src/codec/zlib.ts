/**
 * Header-block compression: one zlib stream per direction per session, with
 * the version's dictionary and a sync flush after each block. Levels 0 and 1
 * are written by hand (fast-deflate.ts); levels 2 to 9 are pako's, with
 * window bits 11 and memLevel 1 as spdylay uses for its own output and
 * zlib's own hash (pako's "legacy" one: its default is a 32768-slot table
 * whatever the memLevel, which every 2 KiB window slide walks whole), so
 * that level 9 gives spdylay's bytes. The inflater takes any window.
 */
import {
  ZStream, Z_BUF_ERROR, Z_DEFAULT_STRATEGY, Z_NEED_DICT, Z_OK, Z_STREAM_END, Z_SYNC_FLUSH,
  zlibDeflate, zlibDeflateInit2, zlibDeflateSetDictionary,
  zlibInflate, zlibInflateInit2, zlibInflateSetDictionary,
} from 'pako';
import { ERR_ZLIB, GOAWAY_PROTOCOL_ERROR, type WireVersion } from '../base/constants.js';
import { dictionaryFor, dictionaryIdFor } from './dictionary.js';
import { DEFLATE_WINDOW_BITS, FastDeflater, StoredDeflater, Z_DEFLATED } from './fast-deflate.js';
import { FrameError, ZlibError } from '../base/errors.js';

const DEFLATE_MEM_LEVEL = 1;
const INFLATE_WINDOW_BITS = 15;

/**
 * Compresses our header blocks at a level: 0 stored, 1 our own fast writer
 * (see fast-deflate.ts), 2 to 9 zlib's (pako's) levels.
 */
export class HeaderDeflater {
  private readonly writer: { deflate(block: Uint8Array, headroom: number): Uint8Array };

  constructor(version: WireVersion, level: number) {
    const dictionary = dictionaryFor(version);
    this.writer = level === 0 ? new StoredDeflater(dictionaryIdFor(version))
      : level === 1 ? new FastDeflater(dictionary, dictionaryIdFor(version))
      : new PakoDeflater(dictionary, level);
  }

  /**
   * Compresses one header block, ending it with a sync flush. The result has
   * `headroom` unused bytes in front, so that the frame header can be written
   * there without a copy.
   */
  deflate(block: Uint8Array, headroom: number): Uint8Array {
    return this.writer.deflate(block, headroom);
  }
}

/** zlib's levels, through pako. */
class PakoDeflater {
  private readonly strm = new ZStream();
  /** Where blocks are compressed before the frame is copied out: made on first use, grown to the largest seen. */
  private scratch: Uint8Array<ArrayBuffer> = EMPTY;

  constructor(dictionary: Uint8Array, level: number) {
    const legacyHash = true;
    if (zlibDeflateInit2(this.strm, level, Z_DEFLATED, DEFLATE_WINDOW_BITS, DEFLATE_MEM_LEVEL, Z_DEFAULT_STRATEGY, legacyHash) !== Z_OK ||
        zlibDeflateSetDictionary(this.strm, dictionary) !== Z_OK) {
      throw new ZlibError('cannot set up header compression');
    }
  }

  deflate(block: Uint8Array, headroom: number): Uint8Array {
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
