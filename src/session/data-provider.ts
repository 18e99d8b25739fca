/**
 * Where a stream's body comes from: the application's source and the
 * callback that reads it, one DATA frame's worth at a time.
 */
import type { Session } from './session.js';

/** Passed to a read callback; set `flags = READ_EOF` when the body ends. */
export interface ReadCtrl {
  flags: number;
}

/**
 * Reads at most `length` bytes of the body of `streamId`. Returns them (an
 * empty array is an empty DATA frame), or `ERR_DEFERRED` to send nothing
 * until `session.resumeData(streamId)`. Throwing `TemporalCallbackFailureError`
 * resets this stream with INTERNAL_ERROR; throwing `CallbackFailureError`
 * fails the session (`send()` throws it).
 */
export type ReadCallback<S = unknown> = (
  session: Session, streamId: number, length: number, readCtrl: ReadCtrl, source: S,
) => Uint8Array | number;

/** A body to send: a source object and the callback that reads it. */
export class DataProvider<S = unknown> {
  /** The object handed back to `readCb` on each read. */
  readonly source: S;
  readonly readCb: ReadCallback<S>;

  constructor(source: S, readCb: ReadCallback<S>) {
    this.source = source;
    this.readCb = readCb;
  }
}

/** A DataProvider whatever its source type, as the session's methods take it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDataProvider = DataProvider<any>;
