// spdy-transport 3.0.0 (npm) as the peer of a bare Session, over an
// in-memory byte pipe: the Session is synchronous, so a few lines of pump
// are all the I/O it needs.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Duplex } from 'node:stream';
import {
  CLIENT, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SERVER, Session,
  type ProtocolVersion, type SessionOptions, type Side,
} from '../../src/index.js';
import { Log } from './harness.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Any = any;
const transport: Any = require('spdy-transport');

export const VERSIONS: ReadonlyArray<readonly [string, ProtocolVersion]> = [
  ['SPDY/2', PROTO_SPDY2], ['SPDY/3', PROTO_SPDY3], ['SPDY/3.1', PROTO_SPDY3_1],
];

/** spdy-transport names versions 2, 3 and 3.1. */
export const theirVersion = (v: ProtocolVersion): number => (v === PROTO_SPDY3_1 ? 3.1 : v);

/**
 * One end of an in-memory byte pipe. Bytes written here are read at the
 * other end on a later turn of the event loop, as from a socket, so neither
 * peer is ever re-entered from inside its own write.
 */
class PipeEnd extends Duplex {
  other: PipeEnd | null = null;

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    setImmediate(() => {
      this.other?.push(chunk);
      done();
    });
  }

  override _final(done: (err?: Error | null) => void): void {
    setImmediate(() => {
      this.other?.push(null);
      done();
    });
  }
}

/** Two cross-wired duplex streams: what one is written, the other reads. */
export function duplexPair(): [Duplex, Duplex] {
  const a = new PipeEnd();
  const b = new PipeEnd();
  a.other = b;
  b.other = a;
  return [a, b];
}

/** Our Session on one end of the pipe, every callback recorded in `log`. */
export class OurEnd {
  readonly session: Session;
  readonly log = new Log();
  /** The first exception a Session call threw, if any: `until` reports it. */
  failure: unknown = null;
  private readonly inbox: Uint8Array[] = [];
  private busy = false;

  constructor(side: Side, version: ProtocolVersion, readonly socket: Duplex, opts: SessionOptions = {}) {
    this.session = new Session(side, version, {
      ...this.log.wrap(opts),
      sendCb: (_s, data) => {
        socket.write(Buffer.from(data));
        return data.length;
      },
    });
    socket.on('data', (chunk: Buffer) => {
      this.inbox.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      this.pump();
    });
    // Our SETTINGS go out at once, as when a connection is accepted or made.
    this.pump();
  }

  /**
   * Feeds what has arrived, sending after each chunk, then sends whatever
   * is queued. Call it after submitting from outside a callback; from
   * inside one it returns at once and the pump already running finishes.
   */
  pump(): void {
    if (this.busy || this.failure) return;
    this.busy = true;
    try {
      do {
        const chunk = this.inbox.shift();
        if (chunk) this.session.recv(chunk);
        this.session.send();
      } while (this.inbox.length > 0);
    } catch (err) {
      this.failure = err;
    } finally {
      this.busy = false;
    }
  }
}

/** spdy-transport's connection on one end of the pipe, with every frame it parsed and every error it raised. */
export interface TheirEnd {
  readonly conn: Any;
  readonly frames: Any[];
  readonly errors: Error[];
}

/**
 * A spdy-transport connection. A client starts at `version`; a server
 * learns it from our first frame and, in SPDY/3.1, must be created with
 * `autoSpdy31`: without it it never sends a connection WINDOW_UPDATE and
 * our uploads stop after 64 KiB.
 */
export function theirEnd(
  socket: Duplex, isServer: boolean, version: ProtocolVersion, autoSpdy31 = isServer && version === PROTO_SPDY3_1,
): TheirEnd {
  const conn = transport.connection.create(socket, { protocol: 'spdy', isServer, autoSpdy31 });
  const frames: Any[] = [];
  const errors: Error[] = [];
  conn.on('frame', (frame: Any) => frames.push(frame));
  conn.on('error', (err: Error) => errors.push(err));
  if (!isServer) conn.start(theirVersion(version));
  return { conn, frames, errors };
}

/** Our Session and a spdy-transport connection of the other side, joined in memory. */
export function connect(
  ourSide: Side, version: ProtocolVersion, opts: SessionOptions = {}, their: { autoSpdy31?: boolean } = {},
): { ours: OurEnd; theirs: TheirEnd; close(): void } {
  const [a, b] = duplexPair();
  // Theirs first, so that their parser is listening when our SETTINGS arrive.
  const theirs = theirEnd(b, ourSide === CLIENT, version, their.autoSpdy31);
  const ours = new OurEnd(ourSide === CLIENT ? CLIENT : SERVER, version, a, opts);
  return {
    ours,
    theirs,
    close() {
      a.destroy();
      b.destroy();
    },
  };
}

/** Upper bound on waiting for a condition: a guard against a hung suite, not a measurement. */
const GIVE_UP_MS = 20_000;

/**
 * Lets the event loop turn until `condition` holds; throws when our
 * Session failed, or after GIVE_UP_MS with `what` in the message.
 */
export async function until(ours: OurEnd, condition: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (ours.failure) throw ours.failure;
    if (condition()) return;
    if (Date.now() - start > GIVE_UP_MS) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Collects a spdy-transport stream's body. */
export function readAll(stream: Any): { readonly chunks: Buffer[]; ended: boolean; body(): Buffer } {
  const state = {
    chunks: [] as Buffer[],
    ended: false,
    body: () => Buffer.concat(state.chunks),
  };
  stream.on('data', (d: Buffer) => state.chunks.push(d));
  stream.on('end', () => {
    state.ended = true;
  });
  return state;
}

export const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Joins the byte arrays given to `onDataChunkRecvCb` (recorded as [flags, streamId, data]) for one stream. */
export function bodyOf(log: Log, streamId: number): Uint8Array {
  const parts = log.of('onDataChunkRecvCb').filter((a) => a[1] === streamId).map((a) => a[2] as Uint8Array);
  return Buffer.concat(parts);
}

/** The value of a header in a name/value list, or undefined. */
export function header(nv: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  return nv.find(([n]) => n === name)?.[1];
}
