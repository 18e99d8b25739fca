/**
 * The header-compression levels written by hand, without pako: 0 (stored
 * blocks) and 1 (repeats coded with deflate's fixed Huffman code). pako, as
 * zlib, builds and weighs Huffman trees at every sync flush, which each
 * header block ends with; that was most of a server's compression time on
 * small replies. Level 1 finds repeats against the dictionary and earlier
 * blocks (nearly all the gain on header blocks, which repeat one another)
 * and codes them with the fixed code, or stores a piece that would come out
 * larger. Both write ordinary zlib streams that any inflater reads; only
 * level 0's bytes are the ones zlib writes.
 */
import { ZlibError } from '../base/errors.js';

/** The window the zlib header announces (2^11, as spdylay's deflater uses), and so the farthest a repeat may reach. */
export const DEFLATE_WINDOW_BITS = 11;
const WINDOW = 1 << DEFLATE_WINDOW_BITS;
/** History and the piece being compressed: at most one window of each. */
const BUFFER = 2 * WINDOW;
const MIN_MATCH = 3;
const MAX_MATCH = 258;
const HASH_BITS = 10;
/** How many earlier places with the same three bytes are compared; header blocks find their repeat in the first few. */
const MAX_CHAIN = 16;
/** A repeat this long is taken without looking further. */
const GOOD_ENOUGH = 32;
/** zlib's one compression method. */
export const Z_DEFLATED = 8;
const EMPTY = new Uint8Array(0);
/** Far below 2^31. */
const REBASE_AT = 1 << 30;

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DISTANCE_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537];
const DISTANCE_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9];

/** `code`'s low `length` bits in reverse order: Huffman codes go on the wire from their top bit. */
function reversed(code: number, length: number): number {
  let out = 0;
  for (let i = 0; i < length; i++) out = (out << 1) | ((code >>> i) & 1);
  return out;
}

/** A literal/length symbol's fixed code (RFC 1951, 3.2.6), ready to write, and its length. */
function fixedCode(symbol: number): [bits: number, length: number] {
  if (symbol < 144) return [reversed(0x30 + symbol, 8), 8];
  if (symbol < 256) return [reversed(0x190 + symbol - 144, 9), 9];
  if (symbol < 280) return [reversed(symbol - 256, 7), 7];
  return [reversed(0xc0 + symbol - 280, 8), 8];
}

// Every literal, match length and distance as the bits to write and how many:
// code and extra bits already joined, so that each is one write.
const LITERAL_BITS = new Uint16Array(256);
const LITERAL_LENGTH = new Uint8Array(256);
const MATCH_BITS = new Uint16Array(MAX_MATCH + 1);
const MATCH_LENGTH = new Uint8Array(MAX_MATCH + 1);
const DISTANCE_BITS = new Uint16Array(WINDOW + 1);
const DISTANCE_LENGTH = new Uint8Array(WINDOW + 1);
const [END_OF_BLOCK] = fixedCode(256);
const END_OF_BLOCK_LENGTH = 7;

for (let byte = 0; byte < 256; byte++) [LITERAL_BITS[byte], LITERAL_LENGTH[byte]] = fixedCode(byte);
for (let code = 0; code < LENGTH_BASE.length; code++) {
  const [bits, length] = fixedCode(257 + code);
  const last = code + 1 < LENGTH_BASE.length ? Math.min(LENGTH_BASE[code + 1]! - 1, MAX_MATCH - 1) : MAX_MATCH;
  for (let match = LENGTH_BASE[code]!; match <= last; match++) {
    MATCH_BITS[match] = bits | ((match - LENGTH_BASE[code]!) << length);
    MATCH_LENGTH[match] = length + LENGTH_EXTRA[code]!;
  }
}
for (let code = 0; code < DISTANCE_BASE.length; code++) {
  const bits = reversed(code, 5);
  const last = Math.min(code + 1 < DISTANCE_BASE.length ? DISTANCE_BASE[code + 1]! - 1 : WINDOW, WINDOW);
  for (let distance = DISTANCE_BASE[code]!; distance <= last; distance++) {
    DISTANCE_BITS[distance] = bits | ((distance - DISTANCE_BASE[code]!) << 5);
    DISTANCE_LENGTH[distance] = 5 + DISTANCE_EXTRA[code]!;
  }
}

/** The index of the three bytes at `at` in the hash heads. */
function hashAt(buf: Uint8Array, at: number): number {
  return Math.imul(buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16), 0x9e3779b1) >>> (32 - HASH_BITS);
}

/** Level 1: one direction's header compression, a zlib stream over every block it is given. */
export class FastDeflater {
  /** The last window of input (the dictionary first), then the piece being compressed. */
  private readonly buf = new Uint8Array(BUFFER);
  private filled = 0;
  /**
   * Places in the chains are counted from the stream's start, so that moving
   * the buffer down leaves them as they are: `buf[0]` is place `base`.
   */
  private base = 0;
  /** Every place before this one is in the hash chains. */
  private hashed = 0;
  /** For each hash, its latest place, or -1. */
  private readonly head = new Int32Array(1 << HASH_BITS).fill(-1);
  /**
   * For each place (modulo the window), the one before it with the same hash.
   * Only places within a window of the one being matched are looked up, and
   * none of those has been written over yet.
   */
  private readonly prev = new Int32Array(WINDOW);
  private headerSent = false;
  private readonly dictionaryId: number;

  /** Where blocks are written before they are copied out at their size: grown to the largest seen. */
  private out: Uint8Array<ArrayBuffer> = EMPTY;
  private pos = 0;
  private bitBuf = 0;
  private bitCount = 0;

  /**
   * `rebaseAt`: how far places are counted before they are counted from
   * nearer the buffer again; smaller only in tests, which cannot compress a
   * GiB to reach the default.
   */
  constructor(dictionary: Uint8Array, dictionaryId: number, private readonly rebaseAt = REBASE_AT) {
    if (dictionary.length > WINDOW) throw new ZlibError('header dictionary larger than the window');
    this.dictionaryId = dictionaryId;
    this.buf.set(dictionary);
    this.filled = dictionary.length;
    this.hashUpTo(this.filled);
  }

  /**
   * Compresses one header block, ending it with a sync flush. The result has
   * `headroom` unused bytes in front for the frame header.
   */
  deflate(block: Uint8Array, headroom: number): Uint8Array {
    // A coded piece may pass its stored size (9 bits a byte at worst) before it is stored instead.
    const room = headroom + ZLIB_HEADER + block.length + (block.length >>> 3) + 4 * Math.ceil(block.length / WINDOW) + 16;
    if (this.out.length < room) this.out = new Uint8Array(Math.max(room, 1024));
    this.pos = headroom;
    if (!this.headerSent) {
      this.pos = writeZlibHeader(this.out, this.pos, this.dictionaryId);
      this.headerSent = true;
    }
    for (let at = 0; at < block.length; at += WINDOW) this.piece(block.subarray(at, at + WINDOW));
    // The sync flush: an empty stored block, which leaves the stream on a byte boundary.
    this.bits(0, 3);
    this.alignToByte();
    this.pos = writeStoredLength(this.out, this.pos, 0);
    return this.out.slice(0, this.pos);
  }

  /** One piece of at most a window: a block coded with the fixed code, or stored if that is smaller. */
  private piece(input: Uint8Array): void {
    if (this.filled + input.length > BUFFER) this.slide();
    const buf = this.buf;
    const start = this.filled;
    buf.set(input, start);
    const end = (this.filled = start + input.length);
    const pos0 = this.pos;
    const bitBuf0 = this.bitBuf;
    const bitCount0 = this.bitCount;
    this.bits(0b010, 3); // not the last block; fixed codes
    let at = start;
    while (at < end) {
      const match = end - at >= MIN_MATCH ? this.longestMatch(at, end) : 0;
      if (match === 0) {
        const byte = buf[at]!;
        this.bits(LITERAL_BITS[byte]!, LITERAL_LENGTH[byte]!);
        at++;
      } else {
        const length = match & 0xffff;
        const distance = match >>> 16;
        this.bits(MATCH_BITS[length]!, MATCH_LENGTH[length]!);
        this.bits(DISTANCE_BITS[distance]!, DISTANCE_LENGTH[distance]!);
        at += length;
      }
    }
    this.bits(END_OF_BLOCK, END_OF_BLOCK_LENGTH);
    const codedBits = 8 * (this.pos - pos0) + this.bitCount - bitCount0;
    const storedBits = 3 + ((8 - ((bitCount0 + 3) & 7)) & 7) + 32 + 8 * input.length;
    if (codedBits <= storedBits) return;
    this.pos = pos0;
    this.bitBuf = bitBuf0;
    this.bitCount = bitCount0;
    this.bits(0, 3); // not the last block; stored
    this.alignToByte();
    this.pos = writeStoredLength(this.out, this.pos, input.length);
    this.out.set(input, this.pos);
    this.pos += input.length;
  }

  /**
   * The longest earlier repeat of the bytes at `at` (every place before `at`
   * already hashed): its length in the low 16 bits and its distance above
   * them, or 0 when none is as long as `MIN_MATCH`.
   */
  private longestMatch(at: number, end: number): number {
    this.hashUpTo(at);
    const { buf, base } = this;
    const limit = Math.min(MAX_MATCH, end - at);
    const nearest = Math.max(0, base + at - WINDOW);
    let best = MIN_MATCH - 1;
    let bestAt = -1;
    let candidate = this.head[hashAt(buf, at)]!;
    for (let chain = MAX_CHAIN; candidate >= nearest && chain > 0; chain--) {
      const from = candidate - base;
      // The byte that would make this one longer than the best is checked first.
      if (buf[from + best] === buf[at + best]) {
        let length = 0;
        while (length < limit && buf[from + length] === buf[at + length]) length++;
        if (length > best) {
          best = length;
          bestAt = from;
          if (length >= GOOD_ENOUGH || length === limit) break;
        }
      }
      candidate = this.prev[candidate & (WINDOW - 1)]!;
    }
    return bestAt < 0 ? 0 : best | ((at - bestAt) << 16);
  }

  /** Puts every place in `buf` before `upTo` with three bytes after it into the hash chains. */
  private hashUpTo(upTo: number): void {
    const last = Math.min(upTo, this.filled - MIN_MATCH + 1);
    const { buf, head, prev, base } = this;
    for (let at = this.hashed; at < last; at++) {
      const h = hashAt(buf, at);
      prev[(base + at) & (WINDOW - 1)] = head[h]!;
      head[h] = base + at;
    }
    if (last > this.hashed) this.hashed = last;
  }

  /** Keeps the last window of input at the front of the buffer. */
  private slide(): void {
    const shift = this.filled - WINDOW;
    this.buf.copyWithin(0, shift, this.filled);
    this.filled = WINDOW;
    this.hashed = Math.max(0, this.hashed - shift);
    this.base += shift;
    if (this.base > this.rebaseAt) this.rebase();
  }

  /** Counts places from nearer the buffer's start, long before they would pass what an Int32Array holds. */
  private rebase(): void {
    // A multiple of the window, so that each place keeps its slot in `prev`.
    const drop = this.base - (this.base % WINDOW);
    const { head, prev } = this;
    for (let i = 0; i < head.length; i++) head[i] = head[i]! >= drop ? head[i]! - drop : -1;
    for (let i = 0; i < prev.length; i++) prev[i] = prev[i]! >= drop ? prev[i]! - drop : -1;
    this.base -= drop;
  }

  private bits(value: number, count: number): void {
    let buf = this.bitBuf | (value << this.bitCount);
    let count2 = this.bitCount + count;
    const out = this.out;
    while (count2 >= 8) {
      out[this.pos++] = buf & 0xff;
      buf >>>= 8;
      count2 -= 8;
    }
    this.bitBuf = buf;
    this.bitCount = count2;
  }

  private alignToByte(): void {
    if (this.bitCount > 0) this.out[this.pos++] = this.bitBuf & 0xff;
    this.bitBuf = 0;
    this.bitCount = 0;
  }
}

/** The most a stored block holds. */
const MAX_STORED = 0xffff;

/**
 * Level 0: zlib's header naming the dictionary once, then each header block
 * as stored blocks and the empty stored block that a sync flush ends with:
 * the bytes pako writes at level 0, made with a copy instead of a pass
 * through the compressor (which cost more than all the rest of a request's
 * framing).
 */
export class StoredDeflater {
  private headerSent = false;

  constructor(private readonly dictionaryId: number) {}

  /** As `FastDeflater.deflate`. */
  deflate(block: Uint8Array, headroom: number): Uint8Array {
    const blocks = Math.ceil(block.length / MAX_STORED);
    const header = this.headerSent ? 0 : ZLIB_HEADER;
    const out = new Uint8Array(headroom + header + 5 * (blocks + 1) + block.length);
    let pos = headroom;
    if (!this.headerSent) {
      pos = writeZlibHeader(out, pos, this.dictionaryId);
      this.headerSent = true;
    }
    for (let at = 0; at < block.length; at += MAX_STORED) {
      const length = Math.min(MAX_STORED, block.length - at);
      out[pos++] = 0; // not the last block; stored; aligned
      pos = writeStoredLength(out, pos, length);
      out.set(block.subarray(at, at + length), pos);
      pos += length;
    }
    // The sync flush's empty block: where a peer's inflater expects a block to end.
    out[pos++] = 0;
    writeStoredLength(out, pos, 0);
    return out;
  }
}

const ZLIB_HEADER = 6;

/** zlib's stream header naming the dictionary by its Adler-32, at `pos`; the position after it. */
function writeZlibHeader(out: Uint8Array, pos: number, dictionaryId: number): number {
  const cmf = ((DEFLATE_WINDOW_BITS - 8) << 4) | Z_DEFLATED;
  // FLEVEL 0, FDICT, and the check that makes CMF.FLG a multiple of 31.
  const flg = 0x20 | ((31 - (((cmf << 8) | 0x20) % 31)) % 31);
  out[pos] = cmf;
  out[pos + 1] = flg;
  out[pos + 2] = dictionaryId >>> 24;
  out[pos + 3] = (dictionaryId >>> 16) & 0xff;
  out[pos + 4] = (dictionaryId >>> 8) & 0xff;
  out[pos + 5] = dictionaryId & 0xff;
  return pos + ZLIB_HEADER;
}

/** A stored block's LEN and NLEN at `pos`, its three header bits written and aligned; the position after them. */
function writeStoredLength(out: Uint8Array, pos: number, length: number): number {
  out[pos] = length & 0xff;
  out[pos + 1] = length >>> 8;
  out[pos + 2] = ~length & 0xff;
  out[pos + 3] = (~length >>> 8) & 0xff;
  return pos + 4;
}
