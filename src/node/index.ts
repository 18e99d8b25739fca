/**
 * `spdy-streams/node`: SPDY sessions over Node sockets. The package root
 * imports nothing from Node; this entry point does.
 */
export { socketToWeb, type SocketStreamOptions } from './socket-stream.js';
export { connectSession, type ConnectSessionOptions } from './connect.js';
export { listenSessions, type ListenSessionsOptions, type SessionServer } from './listen.js';
export * from './http/index.js';
