/** HTTP over SPDY in Node: connect and serve over TCP and TLS, the Python binding's helpers. */
export { connect, type ConnectOptions, type ConnectedClient } from './connect.js';
export { serve, type ServeOptions, type SpdyServer, type ConnectionInfo } from './serve.js';
export { spdyFetch, closeSpdyFetchSessions } from './spdy-fetch.js';
export { urlfetch } from './urlfetch.js';
export { BaseSPDYRequestHandler, RequestBodyFile, ResponseBodyFile } from './request-handler.js';
export {
  ThreadedSPDYServer, type ThreadedSPDYServerOptions, type RequestHandlerClass,
} from './threaded-server.js';
export { acceptNodeUpgrade, type NodeUpgradeOptions } from './upgrade-listener.js';
export { localhostCertificate, type LocalhostCertificate } from './dev-cert.js';
export { DEV_ONLY_LOCALHOST_CERT, DEV_ONLY_LOCALHOST_KEY } from './dev-only-localhost-cert.js';
