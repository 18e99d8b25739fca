/**
 * `spdy-streams/kubernetes`: exec, attach and port-forward against the
 * Kubernetes API over SPDY/3.1, runtime-neutral. Outside Node the target
 * must carry a `dial` function (port-forward over WebSocket uses the
 * runtime's `WebSocket` instead); in Node the `node` export condition serves
 * `spdy-streams/kubernetes` from the Node entry, which dials TCP/TLS
 * itself, reads kubeconfig files and adds the server side.
 */
export { KubeError, type KubeErrorOptions, type KubeStatus } from './errors.js';
export {
  EXEC_PROTOCOLS, PORT_FORWARD_PROTOCOL, PROTOCOL_HEADER, ACCEPTED_PROTOCOLS_HEADER,
  negotiateProtocol, execGeneration, type ExecProtocol,
} from './protocols.js';
export type {
  KubeTarget, KubeDialer, KubeSubresource, KubeWebSocketFactory, KubeWebSocketOpening,
} from './target.js';
export { requestKubeUpgrade, type KubeUpgradeRequest, type KubeUpgraded, type ResponseHead } from './upgrade.js';
export { KUBE_SESSION_CONFIG, openKubeConnection, type KubeConnection } from './connection.js';
export { parseExitStatus, formatExitStatus, NON_ZERO_EXIT_CODE, type KubeExitStatus } from './exit-status.js';
export { kubeExec, kubeAttach, type KubeExecOptions, type KubeAttachOptions, type KubeExecution } from './exec.js';
export {
  portForwardOn, type KubePortForward, type KubePortConnection, type KubePortForwardOptions, type KubeTransportKind,
} from './port-forward.js';
export { kubePortForward } from './port-forward-entry.js';
export { kubeWebSocketUrl, globalWebSocketFactory } from './port-forward-websocket.js';
export {
  PORT_FORWARD_WEBSOCKET_PROTOCOL, EXEC_WEBSOCKET_PROTOCOL, BEARER_TOKEN_PROTOCOL_PREFIX, bearerTokenProtocol,
} from './websocket-protocols.js';
export { serveKubeExecWebSocket } from './server-exec-websocket.js';
export {
  webSocketTransport, type WebSocketLike, type WebSocketHandler, type WebSocketTransport, type WebSocketTransportOptions,
} from './websocket-transport.js';
export { parseKubeConfig, parseKubeConfig as loadKubeConfig, type KubeConfigTarget, type KubeConfigOptions } from './kubeconfig.js';
export { PING_INTERVAL_MS } from './keepalive.js';
export {
  parseKubeRequest, negotiateKubeRequest, serverProtocols, negotiateKubeWebSocket, kubeStatusRefusal, kubeBearerToken,
  type KubeServerRequest, type KubeHttpRequest, type KubeNegotiation, type KubeWebSocketNegotiation,
} from './server-request.js';
export { readResizeEvents, type KubeTerminalSize } from './resize-events.js';
export {
  serveKubeExec, expectedChannels,
  type KubeExecContext, type KubeExecResult, type KubeExecHandler, type KubeExecServeOptions,
} from './server-exec.js';
export {
  serveKubePortForward, type KubeForwardedConnection, type KubePortForwardHandler, type KubePortForwardServeOptions,
} from './server-port-forward.js';
export { STREAM_TIMEOUT_MS } from './server-session.js';
export {
  serveKubeSession, serveKubeOn, kubeHandlerFor, KUBE_SERVER_SESSION_CONFIG,
  type KubeServerHandlers, type KubeServeOptions,
} from './server.js';
