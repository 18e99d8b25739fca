/** The sans-IO session: spdylay's Session, DataProvider and callbacks. */
export { Session } from './session.js';
export { DataProvider, type AnyDataProvider, type ReadCtrl, type ReadCallback } from './data-provider.js';
export type { SessionCallbacks, SessionOptions } from './callbacks.js';
export type { StreamState, StreamInfo, DeferReason } from './stream.js';
