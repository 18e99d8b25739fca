/**
 * Frame objects to bytes. Each encoder owns the deflate stream of one
 * direction of one session, so frames must go through it in wire order.
 */
import {
  CLIENT, CREDENTIAL, DATA, ERR_FRAME_TOO_LARGE, FRAME_TOO_LARGE, GOAWAY, HEADERS,
  MAX_FRAME_LENGTH, NOOP, PING, RST_STREAM, SETTINGS, SYN_REPLY, SYN_STREAM, WINDOW_UPDATE,
  wireVersion, type ProtocolVersion, type Side, type WireVersion,
} from '../base/constants.js';
import { toFrame, type Frame, type FrameInit, type SettingsEntry } from './frames.js';
import { packHeaderBlock } from './header-block.js';
import type { Nv } from './nv.js';
import { HeaderDeflater } from './zlib.js';
import { codecLimits, resolveConfig, type CodecLimits, type SpdyConfig } from '../base/config.js';
import { FrameError } from '../base/errors.js';
import { checkVersion } from './version.js';

/** Options of the frame encoder and decoder. */
export interface CodecOptions {
  /** `PROTO_SPDY2`, `PROTO_SPDY3` or `PROTO_SPDY3_1`. */
  version: ProtocolVersion;
  /** Which end we are; picks the default header compression level. Default CLIENT. */
  side?: Side;
  /** `maxHeaderBlockSize`, `maxHeaderPairs`, `headerCompressionLevel` and the windows apply here. */
  config?: SpdyConfig;
  /** A session's limits, already resolved from its config: `config` is then not read. */
  limits?: CodecLimits;
  /**
   * Decoders: hand over a DATA frame split across inputs in pieces as its
   * bytes arrive (each a `DataFrame` with `part`), rather than gathering it
   * into a copy first. Default false: every DATA frame whole.
   */
  dataPieces?: boolean;
  /**
   * Decoders: copy each DATA payload out of the input, so that no frame
   * points into an input once `write` has returned: for inputs whose
   * memory is read into again (a transport's lent reads). Default false:
   * DATA is a view of the input.
   */
  copyData?: boolean;
  /**
   * Decoders with `copyData`: makes the array each DATA payload is copied
   * into, new and exactly `length` bytes long. A runtime that can give
   * memory without clearing it first saves clearing what the copy at once
   * writes over. Default: a new, zeroed array.
   */
  allocate?: (length: number) => Uint8Array;
}

/** The limits a codec works with: those given, or those of `config`. */
export function limitsOf(options: CodecOptions): CodecLimits {
  return options.limits ?? codecLimits(resolveConfig(options.config, options.side ?? CLIENT));
}

const HEAD = 8;

/** Encodes frames for one direction of one session. */
export class FrameEncoder {
  /** The version written in control frame headers. */
  readonly wireVersion: WireVersion;
  private readonly deflater: HeaderDeflater;
  /** Where header blocks are packed before compression (1 KiB a session; a bigger block gets its own array). */
  private readonly scratch = new Uint8Array(1024);

  constructor(options: CodecOptions) {
    this.wireVersion = wireVersion(checkVersion(options.version));
    this.deflater = new HeaderDeflater(this.wireVersion, limitsOf(options).headerCompressionLevel);
  }

  /**
   * The bytes of one frame. A control frame's `version` and `length` are set
   * to what was written. Throws a `FrameError` (FRAME_TOO_LARGE) for a payload
   * over 2^24-1 bytes; the compression stream is unaffected by that refusal
   * only for non-header frames, so treat it as the end of the session.
   */
  encode(input: Frame | FrameInit): Uint8Array {
    const frame = toFrame(input);
    const v = this.wireVersion;
    switch (frame.frameType) {
      case DATA: {
        checkDataLength(frame.data.length);
        const out = new Uint8Array(HEAD + frame.data.length);
        writeDataHead(out, frame.streamId, frame.flags, frame.data.length);
        out.set(frame.data, HEAD);
        return out;
      }
      case SYN_STREAM: {
        // Both versions: stream id, assoc id, then 2 bytes of priority (and slot in SPDY/3).
        const out = this.headerFrame(frame.nv, 10);
        putUint32(out, HEAD, frame.streamId & 0x7fffffff);
        putUint32(out, HEAD + 4, frame.assocStreamId & 0x7fffffff);
        if (v === 2) {
          out[HEAD + 8] = (frame.pri & 0x3) << 6;
          out[HEAD + 9] = 0;
        } else {
          out[HEAD + 8] = (frame.pri & 0x7) << 5;
          out[HEAD + 9] = frame.slot & 0xff;
        }
        return this.finishCtrl(frame, out);
      }
      case SYN_REPLY:
      case HEADERS: {
        // SPDY/2 has two unused bytes after the stream id.
        const out = this.headerFrame(frame.nv, v === 2 ? 6 : 4);
        putUint32(out, HEAD, frame.streamId & 0x7fffffff);
        return this.finishCtrl(frame, out);
      }
      case RST_STREAM:
        return this.fixedFrame(frame, 8, (view) => {
          view.setUint32(HEAD, frame.streamId & 0x7fffffff);
          view.setUint32(HEAD + 4, frame.statusCode);
        });
      case SETTINGS:
        return this.fixedFrame(frame, 4 + 8 * frame.iv.length, (view) => {
          view.setUint32(HEAD, frame.iv.length);
          frame.iv.forEach((entry, i) => writeSetting(view, HEAD + 4 + 8 * i, entry, v));
        });
      case NOOP:
        return this.fixedFrame(frame, 0, () => {});
      case PING:
        return this.fixedFrame(frame, 4, (view) => view.setUint32(HEAD, frame.uniqueId >>> 0));
      case GOAWAY:
        return this.fixedFrame(frame, v === 2 ? 4 : 8, (view) => {
          view.setUint32(HEAD, frame.lastGoodStreamId & 0x7fffffff);
          if (v !== 2) view.setUint32(HEAD + 4, frame.statusCode);
        });
      case WINDOW_UPDATE:
        return this.fixedFrame(frame, 8, (view) => {
          view.setUint32(HEAD, frame.streamId & 0x7fffffff);
          view.setUint32(HEAD + 4, frame.deltaWindowSize & 0x7fffffff);
        });
      case CREDENTIAL: {
        const size = 6 + frame.proof.length + frame.certificates.reduce((n, c) => n + 4 + c.length, 0);
        return this.fixedFrame(frame, size, (view, out) => {
          view.setUint16(HEAD, frame.slot);
          view.setUint32(HEAD + 2, frame.proof.length);
          out.set(frame.proof, HEAD + 6);
          let pos = HEAD + 6 + frame.proof.length;
          for (const cert of frame.certificates) {
            view.setUint32(pos, cert.length);
            out.set(cert, pos + 4);
            pos += 4 + cert.length;
          }
        });
      }
    }
  }

  /** A frame buffer with `fixed` payload bytes left free, then the compressed block. */
  private headerFrame(nv: Nv, fixed: number): Uint8Array {
    return this.deflater.deflate(packHeaderBlock(nv, this.wireVersion, this.scratch), HEAD + fixed);
  }

  private fixedFrame(
    frame: Exclude<Frame, { frameType: typeof DATA }>, length: number,
    fill: (view: DataView, out: Uint8Array) => void,
  ): Uint8Array {
    const out = new Uint8Array(HEAD + length);
    fill(viewOf(out), out);
    return this.finishCtrl(frame, out);
  }

  private finishCtrl(frame: Exclude<Frame, { frameType: typeof DATA }>, out: Uint8Array): Uint8Array {
    const length = out.length - HEAD;
    if (length > MAX_FRAME_LENGTH) {
      throw new FrameError(`frame payload of ${length} bytes is over 2^24-1`, {
        code: ERR_FRAME_TOO_LARGE, statusCode: FRAME_TOO_LARGE, frameType: frame.frameType,
      });
    }
    out[0] = 0x80;
    out[1] = this.wireVersion;
    out[2] = 0;
    out[3] = frame.frameType;
    out[4] = frame.flags;
    out[5] = length >>> 16;
    out[6] = (length >>> 8) & 0xff;
    out[7] = length & 0xff;
    frame.version = this.wireVersion;
    frame.length = length;
    return out;
  }
}

/** Writes a DATA frame header into the first 8 bytes of `out`. */
export function writeDataHead(out: Uint8Array, streamId: number, flags: number, length: number): void {
  checkDataLength(length);
  out[0] = (streamId >>> 24) & 0x7f;
  out[1] = (streamId >>> 16) & 0xff;
  out[2] = (streamId >>> 8) & 0xff;
  out[3] = streamId & 0xff;
  out[4] = flags;
  out[5] = length >>> 16;
  out[6] = (length >>> 8) & 0xff;
  out[7] = length & 0xff;
}

function checkDataLength(length: number): void {
  if (length > MAX_FRAME_LENGTH) {
    throw new FrameError(`DATA payload of ${length} bytes is over 2^24-1`, {
      code: ERR_FRAME_TOO_LARGE, statusCode: FRAME_TOO_LARGE, frameType: DATA,
    });
  }
}

function writeSetting(view: DataView, pos: number, [id, flags, value]: SettingsEntry, v: WireVersion): void {
  if (v === 2) {
    // SPDY/2 puts the 24-bit id first, little-endian (a bug of that draft kept by every peer).
    view.setUint8(pos, id & 0xff);
    view.setUint8(pos + 1, (id >>> 8) & 0xff);
    view.setUint8(pos + 2, (id >>> 16) & 0xff);
    view.setUint8(pos + 3, flags);
  } else {
    view.setUint8(pos, flags);
    view.setUint8(pos + 1, (id >>> 16) & 0xff);
    view.setUint16(pos + 2, id & 0xffff);
  }
  view.setUint32(pos + 4, value >>> 0);
}

/**
 * A big-endian 32-bit value at `pos`: the frames sent with every request
 * and reply write their ids this way, as a `DataView` per frame costs more
 * than the writes.
 */
function putUint32(out: Uint8Array, pos: number, value: number): void {
  out[pos] = value >>> 24;
  out[pos + 1] = (value >>> 16) & 0xff;
  out[pos + 2] = (value >>> 8) & 0xff;
  out[pos + 3] = value & 0xff;
}

function viewOf(out: Uint8Array): DataView {
  return new DataView(out.buffer, out.byteOffset, out.byteLength);
}
