// Structure-aware input for the fuzzer: conversations of valid frames of
// every type whose fields are pushed to their edges (lengths, flags, stream
// ids, statuses, settings, header blocks of odd, huge or broken pairs),
// header blocks compressed on one zlib stream per direction so that they get
// past inflation, a few frames then damaged byte by byte, and the whole cut
// into chunks at random places.
import {
  CREDENTIAL, CTRL_FLAG_FIN, CTRL_FLAG_UNIDIRECTIONAL, DATA, FrameEncoder, GOAWAY, HEADERS, HeaderDeflater, NOOP,
  PING, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, RST_STREAM, SETTINGS, SYN_REPLY, SYN_STREAM, WINDOW_UPDATE, concatBytes, wireVersion,
  type FrameInit, type ProtocolVersion,
} from '../../src/index.js';
import { craftHeaderFrame } from '../session/harness.js';
import { pick, type Rng } from './prng.js';

/** Who writes the frames: the fuzzed endpoint is the other side. */
export type Writer = 'client' | 'server';

const EDGE_U31 = [0, 1, 2, 0x7fffffff, 0x7ffffffe, 0x40000000, 65535, 65536];
const EDGE_U32 = [...EDGE_U31, 0xffffffff, 0x80000000];

/** Stream ids a conversation is about: mostly the few that are open, sometimes anything. */
function streamId(rnd: Rng): number {
  const r = rnd.int(10);
  if (r < 5) return 1 + 2 * rnd.int(4);
  if (r < 7) return 2 + 2 * rnd.int(3);
  if (r < 8) return 0;
  return r < 9 ? pick(rnd, EDGE_U31) : rnd.int(0x80000000);
}

const u31 = (rnd: Rng): number => (rnd.int(3) === 0 ? pick(rnd, EDGE_U31) : rnd.int(1 << rnd.int(31)));
const u32 = (rnd: Rng): number => (rnd.int(3) === 0 ? pick(rnd, EDGE_U32) : rnd.int(1 << rnd.int(31)));

/** The pairs an honest request or response of `version` holds. */
function honestPairs(writer: Writer, wire: 2 | 3): Array<[string, string]> {
  const p = wire === 2 ? '' : ':';
  return writer === 'client'
    ? [[`${p}method`, 'GET'], [wire === 2 ? 'url' : ':path', '/x'], [`${p}version`, 'HTTP/1.1'],
      [wire === 2 ? 'host' : ':host', 'fuzz.test'], [`${p}scheme`, 'https']]
    : [[`${p}status`, '200 OK'], [`${p}version`, 'HTTP/1.1'], ['content-type', 'text/plain']];
}

/** A header block's pairs, honest or bent: names and values missing, repeated, odd, huge or many. */
function headerPairs(rnd: Rng, writer: Writer, wire: 2 | 3): Array<[string, string]> {
  const pairs = honestPairs(writer, wire);
  for (let edits = rnd.int(4); edits > 0; edits--) {
    switch (rnd.int(10)) {
      case 0: pairs.splice(rnd.int(pairs.length), 1); break;
      case 1: pairs.push(pick(rnd, pairs) ?? ['x', 'y']); break;
      case 2: pairs.push(['X-Upper', 'v']); break;
      case 3: pairs.push(['', rnd.int(2) ? '' : 'v']); break;
      case 4: pairs.push(['x-nul', Array.from({ length: 1 + rnd.int(600) }, () => 'v').join('\0')]); break;
      case 5: pairs.push(['x-long', 'a'.repeat(rnd.int(2) ? 60_000 : 1 + rnd.int(5000))]); break;
      case 6:
        for (let i = rnd.int(400); i > 0; i--) pairs.push([`x-${i}`, '']);
        break;
      case 7: pairs.push(['content-length', String(rnd.int(2) ? -1 : rnd.int(100))]); break;
      case 8: pairs.push([pick(rnd, ['content-encoding', 'transfer-encoding', 'connection']), pick(rnd, ['gzip', 'deflate', 'chunked', 'x'])]); break;
      default: pairs.push([`${wire === 2 ? '' : ':'}${pick(rnd, ['status', 'path', 'method', 'host'])}`, pick(rnd, ['', '999 x', '/', 'POST', 'a b'])]);
    }
  }
  return pairs;
}

function flags(rnd: Rng): number {
  const r = rnd.int(6);
  if (r === 0) return rnd.int(256);
  if (r === 1) return CTRL_FLAG_FIN | CTRL_FLAG_UNIDIRECTIONAL;
  return r < 4 ? 0 : CTRL_FLAG_FIN;
}

/** One frame, valid in shape, with its fields chosen to reach edges. */
function frameInit(rnd: Rng, writer: Writer, wire: 2 | 3): FrameInit | { header: number; f: any; pairs: Array<[string, string]> } {
  switch (rnd.int(12)) {
    case 0:
    case 1: {
      const pushing = writer === 'server';
      return {
        header: SYN_STREAM,
        f: {
          streamId: rnd.int(3) ? (pushing ? 2 : 1) + 2 * rnd.int(6) : streamId(rnd),
          assocStreamId: pushing ? (rnd.int(4) ? 1 : streamId(rnd)) : rnd.int(8) === 0 ? 1 : 0,
          pri: rnd.int(8),
          flags: pushing && rnd.int(4) ? CTRL_FLAG_UNIDIRECTIONAL : flags(rnd),
        },
        pairs: headerPairs(rnd, pushing ? 'server' : 'client', wire),
      };
    }
    case 2:
      return { header: SYN_REPLY, f: { streamId: streamId(rnd), flags: flags(rnd) }, pairs: headerPairs(rnd, 'server', wire) };
    case 3:
      return { header: HEADERS, f: { streamId: streamId(rnd), flags: flags(rnd) }, pairs: [['x-trailer', String(rnd.int(100))]] };
    case 4:
      return { frameType: RST_STREAM, streamId: streamId(rnd), statusCode: rnd.int(3) ? rnd.int(13) : u32(rnd) };
    case 5: {
      const iv = Array.from({ length: rnd.int(5) }, () =>
        [rnd.int(4) ? 1 + rnd.int(8) : rnd.int(0x1000000), rnd.int(3), u32(rnd)] as [number, number, number]);
      return { frameType: SETTINGS, flags: rnd.int(3) === 0 ? 1 : 0, iv };
    }
    case 6:
      return { frameType: PING, uniqueId: rnd.int(3) ? rnd.int(20) : u32(rnd) };
    case 7:
      return { frameType: GOAWAY, lastGoodStreamId: streamId(rnd), statusCode: rnd.int(4) };
    case 8:
      return { frameType: WINDOW_UPDATE, streamId: streamId(rnd), deltaWindowSize: rnd.int(2) ? 1 + rnd.int(70000) : u31(rnd) };
    case 9:
      return rnd.int(2)
        ? { frameType: NOOP } as FrameInit
        : { frameType: CREDENTIAL, slot: rnd.int(9), proof: new Uint8Array(rnd.int(40)), certificates: [new Uint8Array(rnd.int(40))] };
    default: {
      const size = pick(rnd, [0, 1, 100, 4096, 16384, rnd.int(70000)]);
      return { frameType: DATA, streamId: streamId(rnd), flags: rnd.int(4) === 0 ? (rnd.int(3) ? 1 : rnd.int(256)) : 0, data: new Uint8Array(size).fill(0x61) };
    }
  }
}

/** A frame of any type damaged in place: its version, type, flags, length or a byte of its payload. */
function damage(rnd: Rng, f: Uint8Array): Uint8Array {
  if (f.length < 8) return f;
  switch (rnd.int(5)) {
    case 0: f[1] = rnd.int(6); break;
    case 1: f[3] = rnd.int(14); break;
    case 2: f[4] = rnd.int(256); break;
    case 3: {
      const n = pick(rnd, [0, f.length - 9, f.length - 7, 0xffffff, rnd.int(0x10000)]);
      f[5] = (n >>> 16) & 0xff;
      f[6] = (n >>> 8) & 0xff;
      f[7] = n & 0xff;
      break;
    }
    default:
      if (f.length > 8) f[8 + rnd.int(f.length - 8)] = rnd.int(256);
  }
  return f;
}

/**
 * The frames `writer` sends in one hostile conversation, encoded: header
 * blocks on one zlib stream, as a real peer's, so that what follows a
 * frame stays readable unless that frame was damaged.
 */
export function conversation(rnd: Rng, version: ProtocolVersion, writer: Writer): Uint8Array[] {
  const wire = wireVersion(version);
  const encoder = new FrameEncoder({ version, side: writer === 'client' ? 1 : 2 });
  const deflater = new HeaderDeflater(wire, rnd.int(10));
  const out: Uint8Array[] = [];
  const count = 1 + rnd.int(rnd.int(4) === 0 ? 400 : 40);
  for (let i = 0; i < count; i++) {
    const init = frameInit(rnd, writer, wire);
    let bytes: Uint8Array;
    try {
      bytes = 'header' in init
        ? craftHeaderFrame(deflater, wire, init.header, init.f, init.pairs)
        : encoder.encode(init);
    } catch {
      continue; // A field the encoder will not write (CREDENTIAL in SPDY/2, an oversized frame).
    }
    if (rnd.int(12) === 0) bytes = damage(rnd, bytes);
    out.push(bytes);
    if (rnd.int(30) === 0) out.push(bytes.slice()); // sent twice
  }
  if (rnd.int(20) === 0) out.push(new Uint8Array(1 + rnd.int(30)).map(() => rnd.int(256)));
  return out;
}

/** `bytes` cut at random places: single bytes, frame-header-sized pieces, or large slices. */
export function chunks(rnd: Rng, bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const style = rnd.int(4);
  for (let pos = 0; pos < bytes.length;) {
    const len = style === 0 ? 1 + rnd.int(9) : style === 1 ? 1 + rnd.int(200) : style === 2 ? 1 + rnd.int(16384) : bytes.length;
    out.push(bytes.slice(pos, pos + len));
    pos += len;
  }
  return out;
}

/** One hostile input: a conversation from `writer`, already cut into chunks. */
export function hostileInput(rnd: Rng, version: ProtocolVersion, writer: Writer): Uint8Array[] {
  return chunks(rnd, concatBytes(conversation(rnd, version, writer)));
}

export const VERSIONS: readonly ProtocolVersion[] = [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1];
