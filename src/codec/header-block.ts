/**
 * Name/value header blocks (before compression): packing with SPDY's rules
 * (lower-case names, sorted, repeated names NUL-joined) and unpacking with
 * every check spdylay makes on what a peer sends.
 */
import {
  ERR_FRAME_TOO_LARGE, ERR_INVALID_HEADER_BLOCK, FRAME_TOO_LARGE, PROTOCOL_ERROR, type WireVersion,
} from '../base/constants.js';
import type { Nv, NvInput } from './nv.js';
import { FrameError } from '../base/errors.js';

const V2_TO_V3: Record<string, string> = {
  host: ':host', method: ':method', url: ':path', scheme: ':scheme', status: ':status', version: ':version',
};
const V3_TO_V2: Record<string, string> = Object.fromEntries(
  Object.entries(V2_TO_V3).map(([v2, v3]) => [v3, v2]),
);

/** SPDY/2's wire name of a SPDY/3 name (`:path` → `url`); other names unchanged. */
export function nameTo2(name: string): string {
  return V3_TO_V2[name] ?? name;
}
/** SPDY/3's name of a SPDY/2 wire name (`url` → `:path`); other names unchanged. */
export function nameTo3(name: string): string {
  return V2_TO_V3[name] ?? name;
}
/** `nv` with SPDY/3 names turned into SPDY/2 ones. */
export function nv3to2(nv: NvInput): Nv {
  return nv.map(([n, v]) => [nameTo2(n), v]);
}
/** `nv` with SPDY/2 names turned into SPDY/3 ones. */
export function nv2to3(nv: NvInput): Nv {
  return nv.map(([n, v]) => [nameTo3(n), v]);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Packs headers into an uncompressed block. Names are lower-cased (and for
 * SPDY/2 given their SPDY/2 names), sorted; a repeated name becomes one entry
 * whose values are NUL-joined, empty values dropped.
 * Throws a `FrameError` (FRAME_TOO_LARGE) when a length does not fit its field.
 *
 * With `scratch`, a block that surely fits is packed into it and the result
 * is a view of it, good until the scratch is used again: an encoder that
 * compresses the block at once saves an allocation per block (a typed array
 * this size lives outside the heap, and costs more to make than the packing).
 */
export function packHeaderBlock(nv: NvInput, version: WireVersion, scratch?: Uint8Array): Uint8Array {
  const pairs: Array<readonly [string, string]> = new Array(nv.length);
  // UTF-8 takes at most 3 bytes per UTF-16 unit: the block fits in `bound`.
  let bound = 0;
  for (let i = 0; i < nv.length; i++) {
    const pair = nv[i]!;
    const [rawName, value] = pair;
    const lower = rawName.toLowerCase();
    const name = version === 2 ? nameTo2(lower) : lower;
    // A pair already in wire form is sorted as it is, not copied.
    pairs[i] = name === rawName ? pair : [name, value];
    bound += 3 * (rawName.length + 2 + value.length + 1);
  }
  // A stable sort: the values of a repeated name keep their order.
  sortByName(pairs);
  const fieldSize = version === 2 ? 2 : 4;
  const maxField = version === 2 ? 0xffff : 0xffffffff;
  const size = fieldSize + bound + 2 * fieldSize * pairs.length;
  const out = scratch !== undefined && scratch.length >= size ? scratch : new Uint8Array(size);
  const view = new DataView(out.buffer);
  let count = 0;
  let pos = fieldSize;
  for (let i = 0; i < pairs.length; ) {
    const name = pairs[i]![0];
    let next = i + 1;
    while (next < pairs.length && pairs[next]![0] === name) next++;
    const nameAt = pos;
    pos = writeString(out, pos + fieldSize, name);
    writeField(view, nameAt, checkField(pos - nameAt - fieldSize, maxField, name, version), fieldSize);
    const valueAt = pos;
    pos += fieldSize;
    let first = true;
    for (let j = i; j < next; j++) {
      const value = pairs[j]![1];
      // A repeated name drops its empty values; a single one keeps its value, empty or not.
      if (value === '' && next - i > 1) continue;
      if (!first) out[pos++] = 0;
      first = false;
      pos = writeString(out, pos, value);
    }
    writeField(view, valueAt, checkField(pos - valueAt - fieldSize, maxField, name, version), fieldSize);
    count++;
    i = next;
  }
  writeField(view, 0, count, fieldSize);
  return out.subarray(0, pos);
}

/** `s` as UTF-8 at `pos` in `out` (which has room); the position after it. */
function writeString(out: Uint8Array, pos: number, s: string): number {
  // Header names and most values are ASCII: written a byte per unit, without an encoder call.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return pos + i + encoder.encodeInto(s.slice(i), out.subarray(pos + i)).written;
    out[pos + i] = c;
  }
  return pos + s.length;
}

function checkField(length: number, maxField: number, name: string, version: WireVersion): number {
  if (length > maxField) {
    throw new FrameError(`header '${name}' is too long for SPDY/${version}`, {
      code: ERR_FRAME_TOO_LARGE, statusCode: FRAME_TOO_LARGE,
    });
  }
  return length;
}

function writeField(view: DataView, pos: number, value: number, size: number): number {
  if (size === 2) view.setUint16(pos, value);
  else view.setUint32(pos, value);
  return pos + size;
}

const comparePairs = (a: readonly [string, string], b: readonly [string, string]): number => compareNames(a[0], b[0]);

/** Most blocks hold fewer pairs than this: they are sorted by insertion, which allocates nothing. */
const SMALL_BLOCK = 32;

/** Sorts `pairs` by name in place, stably (one name's values keep their order). */
function sortByName(pairs: Array<readonly [string, string]>): void {
  if (pairs.length > SMALL_BLOCK) {
    pairs.sort(comparePairs);
    return;
  }
  for (let i = 1; i < pairs.length; i++) {
    const pair = pairs[i]!;
    const name = pair[0];
    let j = i - 1;
    while (j >= 0 && pairs[j]![0] > name) {
      pairs[j + 1] = pairs[j]!;
      j--;
    }
    pairs[j + 1] = pair;
  }
}

/** The 16-bit length field at `pos` of an SPDY/2 block. */
function readField16(block: Uint8Array, pos: number): number {
  if (pos + 2 > block.length) throw invalid('truncated');
  return (block[pos]! << 8) | block[pos + 1]!;
}

/** The 32-bit length field at `pos` of an SPDY/3 block. */
function readField32(block: Uint8Array, pos: number): number {
  if (pos + 4 > block.length) throw invalid('truncated');
  return ((block[pos]! << 24) | (block[pos + 1]! << 16) | (block[pos + 2]! << 8) | block[pos + 3]!) >>> 0;
}

/** Whether `name` is already the name of one of `nv`'s pairs. */
function hasName(nv: Nv, name: string): boolean {
  for (let i = 0; i < nv.length; i++) if (nv[i]![0] === name) return true;
  return false;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function invalid(message: string): FrameError {
  return new FrameError(`invalid header block: ${message}`, {
    code: ERR_INVALID_HEADER_BLOCK, statusCode: PROTOCOL_ERROR,
  });
}

function tooManyPairs(maxPairs: number, version: WireVersion): FrameError {
  return new FrameError(`header block has more than ${maxPairs} name/value pairs`, {
    // SPDY/2 has no FRAME_TOO_LARGE status.
    code: ERR_FRAME_TOO_LARGE, statusCode: version === 2 ? PROTOCOL_ERROR : FRAME_TOO_LARGE,
  });
}

/** A name byte: printable ASCII that is not upper-case. */
function isNameByte(b: number): boolean {
  return b > 0x20 && b < 0x7f && !(b >= 0x41 && b <= 0x5a);
}

/**
 * Short ASCII strings decoded lately, by a hash of their bytes. Header
 * names and most values (method, host, path, version) repeat from message
 * to message: a hit hands out the string made last time, so decoding makes
 * none and every stream's header list shares it. A miss replaces the slot;
 * the table's size bounds what it holds.
 */
const RECENT_SLOTS = 512;
const RECENT_MAX_LENGTH = 48;
const recent: Array<string | undefined> = new Array(RECENT_SLOTS);

/** Bytes known to be ASCII as a string. */
function decodeAscii(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  // ASCII is UTF-8: a long one goes to the decoder (an argument list as long as a name may be is not safe).
  if (length > RECENT_MAX_LENGTH) return decoder.decode(bytes.subarray(start, end));
  let hash = length;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + bytes[i]!) | 0;
  const slot = hash & (RECENT_SLOTS - 1);
  const seen = recent[slot];
  if (seen !== undefined && seen.length === length && spells(seen, bytes, start)) return seen;
  // One flat string (a `+=` loop would leave a chain of pieces behind).
  const made = String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  recent[slot] = made;
  return made;
}

/** True if `s` is what the bytes from `start` on spell. */
function spells(s: string, bytes: Uint8Array, start: number): boolean {
  for (let i = 0; i < s.length; i++) if (bytes[start + i] !== s.charCodeAt(i)) return false;
  return true;
}

function decodeValue(bytes: Uint8Array, start: number, end: number): string {
  if (end - start < 64) {
    let ascii = true;
    for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) { ascii = false; break; }
    if (ascii) return decodeAscii(bytes, start, end);
  }
  return decoder.decode(bytes.subarray(start, end));
}

/**
 * Unpacks an uncompressed block into name/value pairs sorted by name, one
 * pair per NUL-separated value, SPDY/2 names given their SPDY/3 form.
 * Throws a `FrameError` (ERR_INVALID_HEADER_BLOCK, PROTOCOL_ERROR) for a
 * wrong count or length, trailing bytes, an empty, repeated, upper-case or
 * non-ASCII name, or an empty value part (leading, doubled or trailing NUL).
 * More than `maxPairs` pairs (each NUL-separated value counts) is a
 * `FrameError` with FRAME_TOO_LARGE (PROTOCOL_ERROR in SPDY/2), found before
 * the costly part: a small block of tiny pairs must not buy much sorting.
 */
export function unpackHeaderBlock(block: Uint8Array, version: WireVersion, maxPairs = Infinity): Nv {
  const fieldSize = version === 2 ? 2 : 4;
  const end = block.length;
  const read = fieldSize === 2 ? readField16 : readField32;
  const count = read(block, 0);
  let pos = fieldSize;
  // Each pair needs at least its two length fields: a cheap bound on a lying count.
  if (count > (end - pos) / (2 * fieldSize)) throw invalid('pair count larger than the block');
  if (count > maxPairs) throw tooManyPairs(maxPairs, version);
  const nv: Nv = [];
  // A small block is searched for a repeated name; only a large one gets a set.
  const seen = count > SMALL_BLOCK ? new Set<string>() : null;
  for (let i = 0; i < count; i++) {
    const nameLen = read(block, pos);
    pos += fieldSize;
    if (nameLen === 0) throw invalid('empty name');
    if (pos + nameLen > end) throw invalid('name runs past the block');
    for (let j = pos; j < pos + nameLen; j++) {
      if (!isNameByte(block[j]!)) throw invalid('name not lower-case printable ASCII');
    }
    const name = decodeAscii(block, pos, pos + nameLen);
    pos += nameLen;
    if (seen ? seen.has(name) : hasName(nv, name)) throw invalid(`repeated name '${name}'`);
    seen?.add(name);
    const valueLen = read(block, pos);
    pos += fieldSize;
    if (pos + valueLen > end) throw invalid('value runs past the block');
    const valueEnd = pos + valueLen;
    let partStart = pos;
    for (let j = pos; j <= valueEnd; j++) {
      if (j === valueEnd || block[j] === 0) {
        if (j === partStart && valueLen > 0) throw invalid(`empty value part in '${name}'`);
        if (nv.length >= maxPairs) throw tooManyPairs(maxPairs, version);
        nv.push([name, decodeValue(block, partStart, j)]);
        partStart = j + 1;
      }
    }
    pos = valueEnd;
  }
  if (pos !== end) throw invalid('bytes after the last pair');
  // Stable sort by wire name only (as spdylay does): one name's values keep their order.
  sortByName(nv);
  if (version === 2) for (const pair of nv) pair[0] = nameTo3(pair[0]);
  return nv;
}
