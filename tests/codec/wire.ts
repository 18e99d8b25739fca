/**
 * Frames built byte by byte, for input that our encoder would refuse to
 * produce: hostile header blocks, impossible lengths, unknown types.
 */
import { HeaderDeflater, concatBytes, type WireVersion } from '../../src/codec/index.js';

const text = new TextEncoder();

/** One raw pair: name and value as strings (UTF-8) or exact bytes. */
export type RawPair = readonly [name: string | Uint8Array, value: string | Uint8Array];

export interface RawBlockOptions {
  /** The pair count to write instead of the real one. */
  count?: number;
  /** Bytes appended after the last pair. */
  trailing?: Uint8Array;
}

/** An uncompressed header block with exactly these pairs, in this order, unchecked. */
export function rawHeaderBlock(version: WireVersion, pairs: readonly RawPair[], options: RawBlockOptions = {}): Uint8Array {
  const field = version === 2 ? 2 : 4;
  const parts: number[] = [];
  const put = (n: number): void => {
    if (field === 2) parts.push((n >>> 8) & 0xff, n & 0xff);
    else parts.push(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  };
  put(options.count ?? pairs.length);
  for (const [name, value] of pairs) {
    for (const s of [name, value]) {
      const bytes = typeof s === 'string' ? text.encode(s) : s;
      put(bytes.length);
      parts.push(...bytes);
    }
  }
  if (options.trailing) parts.push(...options.trailing);
  return Uint8Array.from(parts);
}

/** A control frame: 8-byte header (version, type, flags, length) then `payload`. */
export function ctrlFrame(version: number, type: number, flags: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  out[0] = 0x80 | (version >>> 8);
  out[1] = version & 0xff;
  out[2] = type >>> 8;
  out[3] = type & 0xff;
  out[4] = flags;
  out[5] = payload.length >>> 16;
  out[6] = (payload.length >>> 8) & 0xff;
  out[7] = payload.length & 0xff;
  out.set(payload, 8);
  return out;
}

/** A DATA frame header and payload. */
export function dataFrame(streamId: number, flags: number, payload: Uint8Array): Uint8Array {
  const out = ctrlFrame(0, 0, flags, payload);
  out[0] = (streamId >>> 24) & 0x7f;
  out[1] = (streamId >>> 16) & 0xff;
  out[2] = (streamId >>> 8) & 0xff;
  out[3] = streamId & 0xff;
  return out;
}

/** Big-endian bytes of 32-bit words. */
export function words(...values: number[]): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint32(4 * i, v >>> 0));
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

/**
 * A SYN_REPLY carrying `block` compressed by `deflater`, so that a decoder
 * whose inflater has seen the same earlier blocks stays in step.
 */
export function synReplyWithBlock(deflater: HeaderDeflater, version: WireVersion, streamId: number, block: Uint8Array): Uint8Array {
  const fixed = version === 2 ? 6 : 4;
  const compressed = deflater.deflate(block, fixed);
  new DataView(compressed.buffer, compressed.byteOffset).setUint32(0, streamId);
  return ctrlFrame(version, 2, 0, compressed);
}
