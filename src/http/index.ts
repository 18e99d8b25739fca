/** HTTP over SPDY sessions, with no runtime dependency: client, server, push, content coding. */
export { SpdyClient, SpdyFetchError, type FetchPriority, type SpdyClientOptions, type SpdyRequestInit } from './client.js';
export type { PushedResponse } from './push-store.js';
export {
  serveSession, sendResponse, requestFromNv, errorResponse, type Built,
  type RequestContext, type RequestHandler, type SessionServeOptions,
} from './server.js';
export { responseFromNv, InvalidResponseError, type ReplyBody } from './response.js';
export { requestNv, responseNv, headersFromNv, parseStatus, HOP_BY_HOP } from './headers.js';
export { statusText } from './status-text.js';
export {
  BaseSPDYStreamHandler, runStreamHandler, URLFETCH_HEADERS, type StreamHandlerClass,
} from './stream-handler.js';
export {
  traceTransport, formatTracedFrame, type FrameListener, type TraceDirection, type TraceOptions,
} from './frame-trace.js';
export { decodeContentCoding, ACCEPTED_CODINGS } from './content-coding.js';
