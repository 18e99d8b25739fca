/** HTTP over SPDY sessions, with no runtime dependency: client, server, Upgrade handshake. */
export { SpdyClient, SpdyFetchError, type FetchPriority, type SpdyClientOptions, type SpdyRequestInit } from './client.js';
export type { PushedResponse } from './push-store.js';
export {
  serveSession, sendResponse, requestFromNv, errorResponse, type Built,
  type RequestContext, type RequestHandler, type SessionServeOptions,
} from './server.js';
export { responseFromNv, InvalidResponseError } from './response.js';
export { requestNv, responseNv, headersFromNv, parseStatus, HOP_BY_HOP } from './headers.js';
export { statusText } from './status-text.js';
export type { HttpHead } from './http1.js';
export {
  BaseSPDYStreamHandler, runStreamHandler, URLFETCH_HEADERS, type StreamHandlerClass,
} from './stream-handler.js';
export {
  requestUpgrade, acceptUpgrade, upgradeToken, upgradeTokenVersion, UpgradeRefusedError,
  type UpgradeRequestOptions, type UpgradeResult,
} from './upgrade.js';
export { acceptPreface, classifyPreface, type Accepted, type AcceptOptions, type Preface } from './accept.js';
export { PrefaceReader } from './preface.js';
export {
  traceTransport, formatTracedFrame, type FrameListener, type TraceDirection, type TraceOptions,
} from './frame-trace.js';
export { decodeContentCoding, ACCEPTED_CODINGS } from './content-coding.js';
