/** SPDY sessions and streams on the Web Streams API, over any byte transport. */
export type { Transport } from './transport.js';
export { createMemoryTransportPair, type MemoryTransport, type MemoryTransportOptions } from './memory-transport.js';
export { SpdySession, type SpdySessionOptions, type OpenStreamOptions } from './spdy-session.js';
export {
  SpdyStream, type StreamOrigin, type RespondOptions, type ReadWholeOptions, type PushOptions, type SendHeadersOptions,
} from './spdy-stream.js';
export type { StreamBody } from './given-body.js';
