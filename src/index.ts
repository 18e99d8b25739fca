/**
 * spdy-streams: SPDY/2, SPDY/3 and SPDY/3.1 for Web Streams.
 * The codec is also published alone as `spdy-streams/codec`.
 */
export * from './codec/index.js';
export * from './session/index.js';
export * from './streams/index.js';
export * from './handshake/index.js';
export * from './http/index.js';
