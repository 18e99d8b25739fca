/**
 * The error hierarchy: everything the library throws is a `SpdyError`
 * subclass with a stable numeric `code` (an `ERR_*` constant).
 */
import {
  ERR_BODY_TOO_LARGE, ERR_CALLBACK_FAILURE, ERR_EOF, ERR_INVALID_ARGUMENT, ERR_INVALID_FRAME, ERR_STREAM_CLOSED,
  ERR_CONNECTION_CLOSED, ERR_HANDSHAKE, ERR_TEMPORAL_CALLBACK_FAILURE, ERR_TIMEOUT, ERR_UNSUPPORTED_VERSION, ERR_ZLIB,
} from './constants.js';

/** Options every SPDY error accepts. */
export interface SpdyErrorOptions {
  /** One of the `ERR_*` codes. */
  code?: number;
  /** The RST_STREAM or GOAWAY status code this error puts on the wire. */
  statusCode?: number;
  cause?: unknown;
}

/**
 * The root of every error this library throws. `code` is one of the `ERR_*`
 * constants; `statusCode`, where present, is the status sent to the peer.
 */
export class SpdyError extends Error {
  /** One of the `ERR_*` constants. */
  readonly code: number;
  /** RST_STREAM or GOAWAY status code, when the error is one the peer hears of. */
  readonly statusCode: number | undefined;

  constructor(message?: string, options: SpdyErrorOptions = {}) {
    super(message ?? new.target.defaultMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? new.target.defaultCode;
    this.statusCode = options.statusCode;
  }

  /** Code used when none is given; subclasses name their own. */
  static defaultCode = ERR_INVALID_ARGUMENT;
  static defaultMessage = 'SPDY error';
}

/** The peer closed the connection (a recv callback saw end of input). */
export class EOFError extends SpdyError {
  static override defaultCode = ERR_EOF;
  static override defaultMessage = 'end of input';
}

/** A user callback failed; the session cannot go on. */
export class CallbackFailureError extends SpdyError {
  static override defaultCode = ERR_CALLBACK_FAILURE;
  static override defaultMessage = 'callback failed';
}

/** A data provider failed for one stream only: that stream is reset. */
export class TemporalCallbackFailureError extends SpdyError {
  static override defaultCode = ERR_TEMPORAL_CALLBACK_FAILURE;
  static override defaultMessage = 'callback failed for this stream';
}

/** An argument given to the API is not acceptable. */
export class InvalidArgumentError extends SpdyError {
  static override defaultCode = ERR_INVALID_ARGUMENT;
  static override defaultMessage = 'invalid argument';
}

/** zlib could not be set up or failed. */
export class ZlibError extends SpdyError {
  static override defaultCode = ERR_ZLIB;
  static override defaultMessage = 'zlib error';
}

/** The protocol version is not one this library speaks. */
export class UnsupportedVersionError extends SpdyError {
  static override defaultCode = ERR_UNSUPPORTED_VERSION;
  static override defaultMessage = 'unsupported SPDY version';
}

/** The stream is closed or never existed. */
export class StreamClosedError extends SpdyError {
  static override defaultCode = ERR_STREAM_CLOSED;
  static override defaultMessage = 'stream closed';
}

/** Where a frame error came from, for the session's parse-error callbacks. */
export interface FrameErrorOptions extends SpdyErrorOptions {
  /** Control frame type (or DATA = 0). */
  frameType?: number;
  /** The frame's 8-byte header. */
  head?: Uint8Array;
  /** The frame's payload. */
  payload?: Uint8Array;
}

/**
 * A frame the decoder could not accept. `statusCode` is what the session
 * sends: a RST_STREAM status for an `InvalidFrame`'s error, a GOAWAY status
 * for an error that ends decoding.
 */
export class FrameError extends SpdyError {
  readonly frameType: number | undefined;
  readonly head: Uint8Array | undefined;
  readonly payload: Uint8Array | undefined;
  constructor(message?: string, options: FrameErrorOptions = {}) {
    super(message, options);
    this.frameType = options.frameType;
    this.head = options.head;
    this.payload = options.payload;
  }
  static override defaultCode = ERR_INVALID_FRAME;
  static override defaultMessage = 'invalid frame';
}

/**
 * A peer or a transport took longer than a configured timeout
 * (`frameTimeout`, `idleTimeout`, `closeTimeout`).
 */
export class TimeoutError extends SpdyError {
  static override defaultCode = ERR_TIMEOUT;
  static override defaultMessage = 'timed out';
}

/**
 * The connection's start failed: its preface, or the HTTP/1.1 Upgrade
 * before SPDY, could not be read or is not accepted here. `code` says which:
 * `ERR_HANDSHAKE`, `ERR_NOT_HTTP` (not an HTTP/1.x head), `ERR_MALFORMED_HEAD`
 * (a bad header line), or, for the subclass, `ERR_UPGRADE_REFUSED`.
 */
export class HandshakeError extends SpdyError {
  static override defaultCode = ERR_HANDSHAKE;
  static override defaultMessage = 'the connection could not start';
}

/** The connection closed before the exchange it was in (a preface, an HTTP/1.1 head, a write) was over. */
export class ConnectionClosedError extends SpdyError {
  static override defaultCode = ERR_CONNECTION_CLOSED;
  static override defaultMessage = 'the connection closed';
}

/**
 * A body read whole grew past the limit it was read with
 * (`stream.bytes({ limit })`); the stream was reset with CANCEL.
 */
export class BodyTooLargeError extends SpdyError {
  static override defaultCode = ERR_BODY_TOO_LARGE;
  static override defaultMessage = 'the body is larger than its limit';
}
