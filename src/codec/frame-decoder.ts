/**
 * Bytes to frame objects, incrementally: bytes may be split anywhere. A frame
 * that arrives in one piece is parsed in place (a DATA payload is then a view
 * of the input, not a copy); one split across inputs is gathered first.
 */
import {
  CREDENTIAL, DATA, ERR_FRAME_TOO_LARGE, ERR_UNSUPPORTED_VERSION, FRAME_TOO_LARGE,
  GOAWAY, GOAWAY_PROTOCOL_ERROR, HEADERS, NOOP, PING, PROTOCOL_ERROR, RST_STREAM, SETTINGS,
  SYN_REPLY, SYN_STREAM, UNSUPPORTED_VERSION, WINDOW_UPDATE, wireVersion, type WireVersion,
} from '../base/constants.js';
import {
  CredentialFrame, DataFrame, GoawayFrame, HeadersFrame, NoopFrame, PingFrame, RstStreamFrame,
  SettingsFrame, SynReplyFrame, SynStreamFrame, WindowUpdateFrame, type Frame, type SettingsEntry,
} from './frames.js';
import { unpackHeaderBlock } from './header-block.js';
import type { Nv } from './nv.js';
import { HeaderInflater } from './zlib.js';
import { limitsOf, type CodecOptions } from './frame-encoder.js';
import { checkVersion } from './version.js';
import { FrameError } from '../base/errors.js';

/**
 * A control frame that was read whole but cannot be accepted: its header
 * block is invalid or too large, or its version is not the session's. The
 * session answers it with RST_STREAM `error.statusCode` and reads on.
 */
export class InvalidFrame {
  constructor(
    readonly version: number,
    readonly frameType: number,
    readonly flags: number,
    readonly streamId: number,
    readonly head: Uint8Array,
    readonly payload: Uint8Array,
    readonly error: FrameError,
  ) {}
  /** Payload length, as for the frames SPDY defines. */
  get length(): number {
    return this.payload.length;
  }
}

/** A control frame of a type this version does not define, handed on as bytes. */
export class UnknownFrame {
  constructor(
    readonly version: number,
    readonly frameType: number,
    readonly flags: number,
    readonly head: Uint8Array,
    readonly payload: Uint8Array,
  ) {}
  /** Payload length, as for the frames SPDY defines. */
  get length(): number {
    return this.payload.length;
  }
}

/** What the decoder yields for each wire frame. */
export type DecodedFrame = Frame | InvalidFrame | UnknownFrame;

const HEAD = 8;

/** Decodes the frames of one direction of one session. */
export class FrameDecoder {
  /** The version expected in control frame headers. */
  readonly wireVersion: WireVersion;
  private readonly inflater: HeaderInflater;
  private readonly maxControlLength: number;
  private readonly maxDataLength: number;
  private readonly maxHeaderPairs: number;
  private readonly head = new Uint8Array(HEAD);
  private headFill = 0;
  private payload: Uint8Array | null = null;
  private payloadFill = 0;
  /**
   * Length of the payload due when a header ended its input and none of the
   * payload came with it (0: none due). It is gathered only if the next input
   * does not hold it whole: a writer that sends header and payload apart
   * gets its payload through uncopied.
   */
  private due = 0;
  private broken: FrameError | null = null;
  /** DATA split across inputs goes out in pieces (`CodecOptions.dataPieces`). */
  private readonly dataPieces: boolean;
  /** DATA is copied out of the input (`CodecOptions.copyData`). */
  private readonly copyData: boolean;
  /** Where the copies go (`CodecOptions.allocate`); null: `slice()`. */
  private readonly allocate: ((length: number) => Uint8Array) | null;
  /** The DATA frame being handed over in pieces: its stream, flags, payload length and bytes still due. */
  private piece: { streamId: number; flags: number; length: number; left: number } | null = null;

  constructor(options: CodecOptions) {
    this.wireVersion = wireVersion(checkVersion(options.version));
    const limits = limitsOf(options);
    this.inflater = new HeaderInflater(this.wireVersion, limits.maxHeaderBlockSize);
    this.maxControlLength = limits.maxControlFrameLength;
    this.maxDataLength = limits.maxDataFrameLength;
    this.maxHeaderPairs = limits.maxHeaderPairs;
    this.dataPieces = options.dataPieces ?? false;
    this.copyData = options.copyData ?? false;
    this.allocate = options.allocate ?? null;
  }

  /** True when no partial frame is held. */
  get idle(): boolean {
    return this.headFill === 0 && this.payload === null && this.due === 0 && this.piece === null;
  }

  /**
   * Feeds bytes and returns the frames they complete, in order. Throws a
   * `FrameError` whose `statusCode` is a GOAWAY status when the byte stream
   * itself is broken; every later call throws it again.
   */
  push(chunk: Uint8Array): DecodedFrame[] {
    const out: DecodedFrame[] = [];
    this.write(chunk, (frame) => out.push(frame));
    return out;
  }

  /** As `push`, handing each frame to `emit` as soon as it is complete. */
  write(chunk: Uint8Array, emit: (frame: DecodedFrame) => void): void {
    if (this.broken) throw this.broken;
    try {
      this.consume(chunk, emit);
    } catch (err) {
      if (err instanceof FrameError) this.broken = err;
      throw err;
    }
  }

  private consume(chunk: Uint8Array, emit: (frame: DecodedFrame) => void): void {
    let pos = 0;
    const end = chunk.length;
    if (this.piece && end > 0) pos = this.nextPiece(chunk, emit);
    if (this.due > 0 && end > 0) {
      const length = this.due;
      this.due = 0;
      if (end >= length) {
        emit(this.parse(this.head, chunk.subarray(0, length)));
        pos = length;
      } else if (this.dataPieces && (this.head[0]! & 0x80) === 0) {
        this.startPieces(this.head, length);
        pos = this.nextPiece(chunk, emit);
      } else {
        this.payload = new Uint8Array(length);
        this.payloadFill = 0;
      }
    }
    while (pos < end) {
      if (this.payload) {
        const n = Math.min(end - pos, this.payload.length - this.payloadFill);
        this.payload.set(chunk.subarray(pos, pos + n), this.payloadFill);
        this.payloadFill += n;
        pos += n;
        if (this.payloadFill < this.payload.length) return;
        const payload = this.payload;
        this.payload = null;
        emit(this.parse(this.head, payload, true));
        continue;
      }
      let head: Uint8Array;
      if (this.headFill === 0 && end - pos >= HEAD) {
        head = chunk.subarray(pos, pos + HEAD);
        pos += HEAD;
      } else {
        const n = Math.min(end - pos, HEAD - this.headFill);
        this.head.set(chunk.subarray(pos, pos + n), this.headFill);
        this.headFill += n;
        pos += n;
        if (this.headFill < HEAD) return;
        this.headFill = 0;
        head = this.head;
      }
      const length = (head[5]! << 16) | (head[6]! << 8) | head[7]!;
      if (length > ((head[0]! & 0x80) !== 0 ? this.maxControlLength : this.maxDataLength)) {
        throw this.oversized(head, length);
      }
      if (end - pos >= length) {
        emit(this.parse(head, chunk.subarray(pos, pos + length)));
        pos += length;
      } else if (pos < end && this.dataPieces && (head[0]! & 0x80) === 0) {
        // DATA that this input does not hold whole: what is here goes now, uncopied.
        this.startPieces(head, length);
        pos = this.nextPiece(chunk, emit, pos);
      } else {
        if (head !== this.head) this.head.set(head);
        if (pos === end) {
          this.due = length;
        } else {
          this.payload = new Uint8Array(length);
          this.payloadFill = 0;
        }
      }
    }
  }

  private startPieces(head: Uint8Array, length: number): void {
    const streamId = ((head[0]! & 0x7f) << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!;
    this.piece = { streamId, flags: head[4]!, length, left: length };
  }

  /** Hands over the next piece of the DATA frame in pieces from `chunk` at `pos`; returns where it ended. */
  private nextPiece(chunk: Uint8Array, emit: (frame: DecodedFrame) => void, pos = 0): number {
    const p = this.piece!;
    const n = Math.min(p.left, chunk.length - pos);
    const first = p.left === p.length;
    p.left -= n;
    const last = p.left === 0;
    if (last) this.piece = null;
    emit(new DataFrame({
      streamId: p.streamId, flags: p.flags, data: this.dataOf(chunk.subarray(pos, pos + n)), part: { length: p.length, first, last },
    }));
    return pos + n;
  }

  /**
   * A frame longer than it can rightly be, refused before it is buffered: a
   * control frame longer than any acceptable header block compresses to
   * (skipping it would leave the peer's zlib stream out of step), or a DATA
   * frame longer than our largest receive window (and than 1 MiB), which no
   * peer keeping to our windows sends (unless `peerFlowControl` is false).
   * Decoding ends here.
   */
  private oversized(head: Uint8Array, length: number): FrameError {
    const control = (head[0]! & 0x80) !== 0;
    const type = control ? (head[2]! << 8) | head[3]! : DATA;
    const limit = control ? this.maxControlLength : this.maxDataLength;
    return new FrameError(`${control ? 'control' : 'DATA'} frame of ${length} bytes is over the limit of ${limit}`, {
      code: ERR_FRAME_TOO_LARGE, statusCode: GOAWAY_PROTOCOL_ERROR, frameType: type, head: head.slice(),
    });
  }

  /**
   * A DATA payload from the input: the view itself, or with `copyData` a
   * copy of its own. (Copies gathered into shared arenas of 64-128 KiB
   * measured no better, and a kept chunk would hold its arena.)
   */
  private dataOf(view: Uint8Array): Uint8Array {
    if (!this.copyData) return view;
    if (this.allocate === null) return view.slice();
    const copy = this.allocate(view.length);
    copy.set(view);
    return copy;
  }

  /** The frame of `head` and `payload`; `owned`: the payload is the decoder's own copy, not the input. */
  private parse(head: Uint8Array, payload: Uint8Array, owned = false): DecodedFrame {
    const flags = head[4]!;
    if ((head[0]! & 0x80) === 0) {
      const streamId = ((head[0]! & 0x7f) << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!;
      return new DataFrame({ streamId, flags, data: owned ? payload : this.dataOf(payload) });
    }
    const version = ((head[0]! & 0x7f) << 8) | head[1]!;
    const type = (head[2]! << 8) | head[3]!;
    const ctx = new FrameContext(version, type, flags, head, payload);
    if (version !== this.wireVersion) {
      return ctx.invalid(ctx.streamIdIfAny(), new FrameError(
        `SPDY/${version} frame in a SPDY/${this.wireVersion} session`,
        { code: ERR_UNSUPPORTED_VERSION, statusCode: UNSUPPORTED_VERSION, frameType: type },
      ));
    }
    return this.parseControl(ctx);
  }

  private parseControl(ctx: FrameContext): DecodedFrame {
    const v = this.wireVersion;
    const { flags, payload } = ctx;
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const u31 = (pos: number): number => view.getUint32(pos) & 0x7fffffff;
    const len = payload.length;
    switch (ctx.type) {
      case SYN_STREAM: {
        ctx.expect(len >= 10);
        const streamId = u31(0);
        const nv = this.headerBlock(ctx, streamId, payload.subarray(10));
        if (nv instanceof InvalidFrame) return nv;
        return new SynStreamFrame({
          version: v, flags, length: len, streamId, assocStreamId: u31(4),
          pri: v === 2 ? payload[8]! >>> 6 : payload[8]! >>> 5,
          slot: v === 2 ? 0 : payload[9]!, nv,
        });
      }
      case SYN_REPLY:
      case HEADERS: {
        const fixed = v === 2 ? 6 : 4;
        ctx.expect(len >= fixed);
        const streamId = u31(0);
        const nv = this.headerBlock(ctx, streamId, payload.subarray(fixed));
        if (nv instanceof InvalidFrame) return nv;
        const init = { version: v, flags, length: len, streamId, nv };
        return ctx.type === SYN_REPLY ? new SynReplyFrame(init) : new HeadersFrame(init);
      }
      case RST_STREAM:
        ctx.expect(len === 8);
        return new RstStreamFrame({ version: v, flags, length: len, streamId: u31(0), statusCode: view.getUint32(4) });
      case SETTINGS: {
        ctx.expect(len >= 4 && len === 4 + 8 * view.getUint32(0));
        const iv: SettingsEntry[] = [];
        for (let pos = 4; pos < len; pos += 8) {
          const id = v === 2
            ? payload[pos]! | (payload[pos + 1]! << 8) | (payload[pos + 2]! << 16)
            : (payload[pos + 1]! << 16) | view.getUint16(pos + 2);
          const idFlags = v === 2 ? payload[pos + 3]! : payload[pos]!;
          iv.push([id, idFlags, view.getUint32(pos + 4)]);
        }
        return new SettingsFrame({ version: v, flags, length: len, iv });
      }
      case NOOP:
        ctx.expect(len === 0);
        return new NoopFrame({ version: v, flags, length: len });
      case PING:
        ctx.expect(len === 4);
        return new PingFrame({ version: v, flags, length: len, uniqueId: view.getUint32(0) });
      case GOAWAY:
        // SPDY/2 says 4 bytes, but spdy-transport sends SPDY/3's 8 in every version: take both.
        ctx.expect(len === 8 || (v === 2 && len === 4));
        return new GoawayFrame({
          version: v, flags, length: len, lastGoodStreamId: u31(0), statusCode: len === 8 ? view.getUint32(4) : 0,
        });
      case WINDOW_UPDATE:
        ctx.expect(len === 8);
        return new WindowUpdateFrame({
          version: v, flags, length: len, streamId: u31(0), deltaWindowSize: u31(4),
        });
      case CREDENTIAL:
        if (v === 2) break;
        return parseCredential(ctx, view);
    }
    return new UnknownFrame(ctx.version, ctx.type, flags, ctx.head, ctx.payload.slice());
  }

  /** Inflates and unpacks a header block; an unacceptable one becomes an InvalidFrame. */
  private headerBlock(ctx: FrameContext, streamId: number, block: Uint8Array): Nv | InvalidFrame {
    const raw = this.inflater.inflate(block);
    if (raw === null) {
      return ctx.invalid(streamId, new FrameError('header block inflates past maxHeaderBlockSize', {
        code: ERR_FRAME_TOO_LARGE,
        // SPDY/2 has no FRAME_TOO_LARGE status.
        statusCode: this.wireVersion === 2 ? PROTOCOL_ERROR : FRAME_TOO_LARGE,
        frameType: ctx.type,
      }));
    }
    try {
      return unpackHeaderBlock(raw, this.wireVersion, this.maxHeaderPairs);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      return ctx.invalid(streamId, new FrameError(err.message, {
        code: err.code, statusCode: err.statusCode, frameType: ctx.type,
      }));
    }
  }
}

/** The parts of one control frame, with the error constructors its parser needs. */
class FrameContext {
  constructor(
    readonly version: number,
    readonly type: number,
    readonly flags: number,
    private readonly rawHead: Uint8Array,
    readonly payload: Uint8Array,
  ) {}

  /**
   * A copy of the frame's head, for the frames that keep it (invalid and
   * unknown ones): the head may be the decoder's reused buffer, and frames
   * outlive the input. Valid only while the frame is being parsed.
   */
  get head(): Uint8Array {
    return this.rawHead.slice();
  }

  /** Ends decoding with GOAWAY PROTOCOL_ERROR unless `ok`: the frame's length is impossible. */
  expect(ok: boolean): void {
    if (!ok) {
      throw new FrameError(`control frame type ${this.type} with impossible length ${this.payload.length}`, {
        statusCode: GOAWAY_PROTOCOL_ERROR, frameType: this.type, head: this.head, payload: this.payload.slice(),
      });
    }
  }

  invalid(streamId: number, error: FrameError): InvalidFrame {
    return new InvalidFrame(this.version, this.type, this.flags, streamId, this.head, this.payload.slice(), error);
  }

  /** The stream id of frame types that carry one first, else 0. */
  streamIdIfAny(): number {
    const carries = this.type === SYN_STREAM || this.type === SYN_REPLY || this.type === HEADERS ||
      this.type === RST_STREAM || this.type === WINDOW_UPDATE;
    if (!carries || this.payload.length < 4) return 0;
    const p = this.payload;
    return ((p[0]! & 0x7f) << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!;
  }
}

function parseCredential(ctx: FrameContext, view: DataView): CredentialFrame {
  const { payload } = ctx;
  ctx.expect(payload.length >= 6);
  const proofLength = view.getUint32(2);
  ctx.expect(6 + proofLength <= payload.length);
  const certificates: Uint8Array[] = [];
  let pos = 6 + proofLength;
  while (pos < payload.length) {
    ctx.expect(pos + 4 <= payload.length);
    const n = view.getUint32(pos);
    ctx.expect(pos + 4 + n <= payload.length);
    certificates.push(payload.slice(pos + 4, pos + 4 + n));
    pos += 4 + n;
  }
  return new CredentialFrame({
    version: 3, flags: ctx.flags, length: payload.length, slot: view.getUint16(0),
    proof: payload.slice(6, 6 + proofLength), certificates,
  });
}

