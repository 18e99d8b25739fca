/**
 * The callbacks a Session calls, with the Python binding's signatures:
 * the session first, bytes as `Uint8Array`. Every one is optional, and each
 * runs synchronously inside `send()`, `recv()` or `recvFrame()`.
 */
import type { ControlFrame } from '../codec/frames.js';
import type { InvalidFrame } from '../codec/frame-decoder.js';
import type { SpdyConfig } from '../base/config.js';
import { InvalidArgumentError } from '../base/errors.js';
import type { Session } from './session.js';

/** The callbacks a `Session` calls (the README's callbacks table); all optional but `sendCb` and `recvCb` where used. */
export interface SessionCallbacks {
  /**
   * Sends all or part of `data`; returns how many bytes were taken. 0, null
   * or undefined means "would block": `send()` returns and the rest goes out
   * on the next `send()`. Throw `CallbackFailureError` to fail `send()`.
   */
  sendCb?: (session: Session, data: Uint8Array) => number | null | undefined | void;
  /**
   * Optional: sends one DATA frame given as its 8-byte header and its
   * payload, which is what the read callback returned, not a copy. Returns
   * the frame's whole length (header and payload) once it took both, or 0,
   * null or undefined for "would block" (the same frame comes again on the
   * next `send()`); a frame cannot be taken in part. The payload stays its
   * source's: copy what is kept past the `send()` call. Without this
   * callback, DATA goes to `sendCb` in one piece like every other frame.
   */
  sendDataCb?: (session: Session, head: Uint8Array, payload: Uint8Array) => number | null | undefined | void;
  /**
   * Returns at most `length` bytes received, or an empty array / null when
   * nothing can be read now. Throw `EOFError` at end of input,
   * `CallbackFailureError` for other errors: `recv()` throws them on.
   */
  recvCb?: (session: Session, length: number) => Uint8Array | null | undefined;
  /** A valid control frame was received. */
  onCtrlRecvCb?: (session: Session, frame: ControlFrame) => void;
  /**
   * A control frame was received and refused; RST_STREAM or GOAWAY with
   * `statusCode` is on its way. `frame` is an `InvalidFrame` when its
   * header block could not be read.
   */
  onInvalidCtrlRecvCb?: (session: Session, frame: ControlFrame | InvalidFrame, statusCode: number) => void;
  /** The payload of a DATA frame on an open stream (a view: copy it to keep it). */
  onDataChunkRecvCb?: (session: Session, flags: number, streamId: number, data: Uint8Array) => void;
  /** A DATA frame on an open stream was received whole. */
  onDataRecvCb?: (session: Session, flags: number, streamId: number, length: number) => void;
  /** A control frame is about to be sent; a SYN_STREAM has its stream id here. */
  beforeCtrlSendCb?: (session: Session, frame: ControlFrame) => void;
  /** A control frame was sent. */
  onCtrlSendCb?: (session: Session, frame: ControlFrame) => void;
  /**
   * A queued control frame can no longer be sent; `errorCode` is one of the
   * `ERR_*` codes. For a SYN_STREAM, which has no stream id yet (0), the
   * `streamUserData` given at submit time comes as the fourth argument.
   */
  onCtrlNotSendCb?: (session: Session, frame: ControlFrame, errorCode: number, streamUserData?: unknown) => void;
  /** A DATA frame was sent. */
  onDataSendCb?: (session: Session, flags: number, streamId: number, length: number) => void;
  /** A stream closed; its user data can still be read inside this callback. */
  onStreamCloseCb?: (session: Session, streamId: number, statusCode: number) => void;
  /** Server side: the request on `streamId` is complete (FIN received), once per stream. */
  onRequestRecvCb?: (session: Session, streamId: number) => void;
  /** The bytes of a control frame could not be parsed; GOAWAY follows. */
  onCtrlRecvParseErrorCb?: (
    session: Session, type: number, head: Uint8Array, payload: Uint8Array, errorCode: number,
  ) => void;
  /** A control frame of a type this version does not know. */
  onUnknownCtrlRecvCb?: (session: Session, head: Uint8Array, payload: Uint8Array) => void;
}

/** The third argument of `new Session(side, version, options)`. */
export interface SessionOptions extends SessionCallbacks {
  /** Any object, readable later as `session.userData`. */
  userData?: unknown;
  /** Limits and switches: see `SpdyConfig`. */
  config?: SpdyConfig;
}

const CALLBACK_NAMES: ReadonlyArray<keyof SessionCallbacks> = [
  'sendCb', 'sendDataCb', 'recvCb', 'onCtrlRecvCb', 'onInvalidCtrlRecvCb', 'onDataChunkRecvCb', 'onDataRecvCb',
  'beforeCtrlSendCb', 'onCtrlSendCb', 'onCtrlNotSendCb', 'onDataSendCb', 'onStreamCloseCb',
  'onRequestRecvCb', 'onCtrlRecvParseErrorCb', 'onUnknownCtrlRecvCb',
];

/** Refuses options that are not an object, or a callback that is not a function. */
export function checkCallbacks(options: SessionOptions): void {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options must be an object');
  for (const name of CALLBACK_NAMES) {
    const fn = options[name];
    if (fn !== undefined && fn !== null && typeof fn !== 'function') {
      throw new InvalidArgumentError(`${name} must be a function`);
    }
  }
}
