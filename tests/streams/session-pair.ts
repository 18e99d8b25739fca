// Sessions joined by createMemoryTransportPair, and small helpers the
// streams tests share: request headers, body readers and writers, digests.
import { createHash } from 'node:crypto';
import {
  PROTO_SPDY3, PROTO_SPDY3_1, SpdySession, concatBytes, createMemoryTransportPair, FrameDecoder,
  type DecodedFrame,
  type MemoryTransport, type ProtocolVersion, type SpdyConfig, type SpdySessionOptions, type SpdyStream,
} from '../../src/index.js';

export interface SessionPair {
  readonly client: SpdySession;
  readonly server: SpdySession;
  readonly clientEnd: MemoryTransport;
  readonly serverEnd: MemoryTransport;
}

export interface PairOptions {
  version?: ProtocolVersion;
  config?: SpdyConfig;
  clientConfig?: SpdyConfig;
  serverConfig?: SpdyConfig;
  highWaterMark?: number;
  session?: Omit<SpdySessionOptions, 'side' | 'version' | 'config'>;
}

export function sessionPair(options: PairOptions = {}): SessionPair {
  const [clientEnd, serverEnd] = createMemoryTransportPair({ highWaterMark: options.highWaterMark });
  const version = options.version ?? PROTO_SPDY3_1;
  const client = new SpdySession(clientEnd, {
    ...options.session, side: 'client', version, config: options.clientConfig ?? options.config,
  });
  const server = new SpdySession(serverEnd, {
    ...options.session, side: 'server', version, config: options.serverConfig ?? options.config,
  });
  return { client, server, clientEnd, serverEnd };
}

export const request = (path = '/', method = 'GET'): Array<[string, string]> => [
  [':method', method], [':path', path], [':version', 'HTTP/1.1'], [':host', 'localhost'], [':scheme', 'http'],
];

export const ok = (extra: Array<[string, string]> = []): Array<[string, string]> => [
  [':status', '200'], [':version', 'HTTP/1.1'], ...extra,
];

export const header = (nv: ReadonlyArray<readonly [string, string]>, name: string): string | undefined =>
  nv.find(([n]) => n === name)?.[1];

/** The next stream the peer opens. */
export async function nextIncoming(session: SpdySession): Promise<SpdyStream> {
  const reader = session.incoming.getReader();
  try {
    const { value, done } = await reader.read();
    if (done || !value) throw new Error('no incoming stream');
    return value;
  } finally {
    reader.releaseLock();
  }
}

/**
 * A ReadableStream as what it is at run time in Node 20: async-iterable.
 * (TypeScript's DOM lib declares that only in `DOM.AsyncIterable`, which
 * the project's tsconfig does not load.)
 */
export const iterate = <T>(readable: ReadableStream<T>): AsyncIterable<T> => readable as unknown as AsyncIterable<T>;

export async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of iterate(readable)) chunks.push(c.slice());
  return concatBytes(chunks);
}

export async function writeAll(writable: WritableStream<Uint8Array>, body: Uint8Array, chunk = 16384): Promise<void> {
  const w = writable.getWriter();
  for (let pos = 0; pos < body.length; pos += chunk) await w.write(body.subarray(pos, pos + chunk));
  await w.close();
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
export function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Resolves after pending I/O callbacks and microtasks have run. */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Settles with 'pending' if `p` has not settled after a few turns of the event loop. */
export async function stateOf(p: Promise<unknown>, turns = 5): Promise<'resolved' | 'rejected' | 'pending'> {
  let state: 'resolved' | 'rejected' | 'pending' = 'pending';
  p.then(() => { state = 'resolved'; }, () => { state = 'rejected'; });
  for (let i = 0; i < turns; i++) await tick();
  return state;
}

/** The rejection reason of `p` (fails the test if it resolves). */
export async function rejectionOf(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/**
 * A session of `side` (SPDY/3 unless told) against a raw peer end the test drives by hand:
 * it writes bytes with `writer` and `frames` collects what the session sends.
 */
export function rawPeer(side: 'client' | 'server', version: ProtocolVersion = PROTO_SPDY3) {
  const [ours, theirs] = createMemoryTransportPair();
  const session = new SpdySession(ours, { side, version });
  const decoder = new FrameDecoder({ version, side: side === 'client' ? 2 : 1 });
  const frames: DecodedFrame[] = [];
  const reader = theirs.readable.getReader();
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      frames.push(...decoder.push(value));
    }
  })().catch(() => {});
  return { session, theirs, frames, reading, writer: theirs.writable.getWriter() };
}
