/**
 * Socket reads into memory we hand out ourselves (`net.connect` and
 * `tls.connect` take it as `onread`), so that a received chunk skips Node's
 * per-read allocation and its Readable machinery ('data' events, the read
 * queue), and a sender faster than us is read in fewer, larger reads than
 * Node's 64 KiB. Two modes: chunks the reader keeps (slabs, never reused
 * once a chunk points into them), or chunks lent to a sink that is done
 * with them when it returns (one buffer, read into again and again: no
 * memory made per read at all). Either grows while reads fill it and goes
 * back to 16 KiB after a run of small reads, so a quiet connection holds
 * little.
 * Accepted sockets cannot be given `onread`, so only the connections we
 * dial read this way.
 */
import { InvalidArgumentError } from '../base/errors.js';

/**
 * The first slab, and what slabs go back to after a small read: what a
 * quiet connection holds.
 */
const MIN_SLAB = 16 * 1024;
/**
 * The largest slab, and so the largest read. Against a sender that keeps
 * the socket full, 256 KiB reads took half the receiving client's CPU time
 * of Node's 64 KiB ones (128 KiB: 0.7); a chunk kept holds its slab.
 */
const MAX_SLAB = 256 * 1024;
/** A slab with less room than this left is let go; the next read gets a new one. */
const MIN_READ_ROOM = 8 * 1024;
/**
 * Reads under this are copied out and their room used again, so that the
 * many small chunks of requests and replies keep no slab alive. (TLS reads
 * come a record, at most 16 KiB, at a time: those stay views.)
 */
const COPY_BELOW = 8 * 1024;
/**
 * Small reads in a row before the slab goes back to the least. One is no
 * sign of a quiet connection: over TLS, a 64 KiB DATA frame written whole
 * arrives as four 16 KiB records and a last one of 8 bytes, and going back
 * on each such tail made a new buffer every other read.
 */
const SMALL_READS_TO_SHRINK = 4;

/**
 * The `onread` option. `tls.connect` takes it as `net.connect` does, though
 * Node's type of the TLS options leaves it out.
 */
export interface WithOnread {
  readonly onread?: SocketReads['onread'];
}

/** What a socket made with `onread` gives the bytes it reads to: the chunks are its to keep. */
export type ReadSink = (chunk: Uint8Array) => void;

/**
 * What a socket made with `onread` lends the bytes it reads to: `chunk` is
 * the sink's until it returns or, when it returns a promise, until that
 * settles; then its memory is read into again.
 */
export type LentSink = (chunk: Uint8Array) => Promise<void> | void;

/**
 * Reads for one socket, to be passed to `socketToWeb` as `reads` and, as
 * `onread`, to the `net.connect` or `tls.connect` that makes the socket.
 * Each chunk handed on is the reader's to keep: slab room is never reused
 * once a chunk points into it.
 */
export interface SocketReads {
  /** The `onread` option of `net.connect` and `tls.connect`. */
  readonly onread: {
    /**
     * The room the next read lands in (16 KiB to 256 KiB): the current
     * slab's rest or a new slab; when lending, the one buffer again.
     */
    readonly buffer: () => Uint8Array;
    /**
     * Hands the `nread` bytes read into `buf` to the sink, or lends them.
     * Always true: a sink stops reading by pausing the socket.
     */
    readonly callback: (nread: number, buf: Uint8Array) => boolean;
  };
  /**
   * Where the chunks go from now on, those read before first; once only.
   * Pause the socket to stop reading.
   */
  attach(sink: ReadSink): void;
  /**
   * Lends every later read to `sink` instead (those read before, which are
   * kept chunks, go first): the reads land in one buffer, read into again
   * once `sink` is done with the chunk it holds. A read that comes while
   * the sink still holds one (its promise unsettled) lands in a new buffer,
   * so a chunk lent is never overwritten; pausing the socket meanwhile is
   * the caller's part. Once only.
   */
  lend(sink: LentSink): void;
}

/** Reads for a socket about to be made; see `SocketReads`. */
export function socketReads(): SocketReads {
  // The size of the next slab: doubled by each read that fills its room
  // (more is likely waiting), back to the least after a run of small reads.
  let size = MIN_SLAB;
  let smallReads = 0;
  let slab = new Uint8Array(size);
  let used = 0;
  let sink: ReadSink | null = null;
  // Read between connecting and `attach` (or `lend`).
  let early: Uint8Array[] | null = [];
  let lender: LentSink | null = null;
  // Lending: the buffer reads land in, and the one whose chunk the sink still holds.
  let lent: Uint8Array | null = null;
  let held: Uint8Array | null = null;
  const giveBack = (buf: Uint8Array) => (): void => {
    if (held === buf) held = null;
  };
  const resize = (nread: number, room: number): void => {
    if (nread >= COPY_BELOW) {
      smallReads = 0;
      if (nread === room) size = Math.min(2 * size, MAX_SLAB);
    } else if (++smallReads >= SMALL_READS_TO_SHRINK) {
      size = MIN_SLAB;
    }
  };
  const takeEarly = (): Uint8Array[] => {
    const before = early ?? [];
    early = null;
    return before;
  };
  return {
    onread: {
      buffer() {
        if (lender) {
          if (lent === null || lent === held || lent.length !== size) lent = new Uint8Array(size);
          return lent;
        }
        if (slab.length - used < MIN_READ_ROOM || slab.length > size) {
          slab = new Uint8Array(size);
          used = 0;
        }
        return slab.subarray(used);
      },
      callback(nread, buf) {
        resize(nread, buf.length);
        if (lender) {
          const wait = lender(buf.subarray(0, nread));
          if (wait) {
            held = buf;
            const back = giveBack(buf);
            wait.then(back, back);
          }
          return true;
        }
        let chunk: Uint8Array;
        if (nread < COPY_BELOW) {
          chunk = buf.slice(0, nread);
        } else {
          chunk = buf.subarray(0, nread);
          used += nread;
        }
        if (sink) sink(chunk);
        else early!.push(chunk);
        return true;
      },
    },
    attach(to) {
      if (sink || lender) throw new InvalidArgumentError('these socket reads already have a sink');
      sink = to;
      for (const chunk of takeEarly()) to(chunk);
    },
    lend(to) {
      if (lender) throw new InvalidArgumentError('these socket reads are lent already');
      lender = to;
      sink = null;
      slab = new Uint8Array(0);
      used = 0;
      // Kept chunks, not lent memory: nothing to hold back.
      for (const chunk of takeEarly()) to(chunk)?.catch(() => undefined);
    },
  };
}
