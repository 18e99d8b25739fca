/**
 * `spdy-streams/node`: SPDY over Node sockets (TCP, TLS, HTTP servers, the
 * command line's building blocks). In Node the package root exports these
 * too, through the `node` export condition; elsewhere the root has none.
 */
export { socketToWeb, type SocketStreamOptions } from './socket-stream.js';
export { socketReads, type SocketReads, type ReadSink, type LentSink } from './socket-reads.js';
export { connectSession, type ConnectSessionOptions } from './connect.js';
export { dial, type DialOptions, type Dialed } from './dial.js';
export { listenSessions, type ListenSessionsOptions, type SessionServer } from './listen.js';
export { listenAcceptor, type Acceptor, type AcceptorOptions } from './acceptor.js';
export * from './http/index.js';
