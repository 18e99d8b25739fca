/**
 * `spdy-streams/kubernetes` in Node: the runtime-neutral part, with
 * `kubeExec`, `kubeAttach`, `kubePortForward` and `loadKubeConfig` that
 * dial and read files themselves, and the server side for Node HTTP servers.
 */
export {
  KubeError, type KubeErrorOptions, type KubeStatus,
  EXEC_PROTOCOLS, PORT_FORWARD_PROTOCOL, PROTOCOL_HEADER, ACCEPTED_PROTOCOLS_HEADER,
  negotiateProtocol, execGeneration, type ExecProtocol,
  type KubeTarget, type KubeDialer, type KubeSubresource, type KubeWebSocketFactory, type KubeWebSocketOpening,
  requestKubeUpgrade, type KubeUpgradeRequest, type KubeUpgraded, type ResponseHead,
  KUBE_SESSION_CONFIG, openKubeConnection, type KubeConnection,
  parseExitStatus, formatExitStatus, NON_ZERO_EXIT_CODE, type KubeExitStatus,
  type KubeExecOptions, type KubeAttachOptions, type KubeExecution,
  portForwardOn, type KubePortForward, type KubePortConnection, type KubePortForwardOptions, type KubeTransportKind,
  parseKubeConfig, type KubeConfigTarget, type KubeConfigOptions,
  PING_INTERVAL_MS,
  parseKubeRequest, negotiateKubeRequest, serverProtocols, negotiateKubeWebSocket, kubeBearerToken,
  type KubeServerRequest, type KubeHttpRequest, type KubeNegotiation, type KubeWebSocketNegotiation,
  readResizeEvents, type KubeTerminalSize,
  serveKubeExec, expectedChannels,
  type KubeExecContext, type KubeExecResult, type KubeExecHandler, type KubeExecServeOptions,
  serveKubePortForward, type KubeForwardedConnection, type KubePortForwardHandler, type KubePortForwardServeOptions,
  STREAM_TIMEOUT_MS,
  serveKubeSession, serveKubeOn, kubeHandlerFor, KUBE_SERVER_SESSION_CONFIG,
  type KubeServerHandlers, type KubeServeOptions,
  kubeWebSocketUrl, globalWebSocketFactory,
  PORT_FORWARD_WEBSOCKET_PROTOCOL, EXEC_WEBSOCKET_PROTOCOL, BEARER_TOKEN_PROTOCOL_PREFIX, bearerTokenProtocol, serveKubeExecWebSocket,
  webSocketTransport, type WebSocketLike, type WebSocketHandler, type WebSocketTransport, type WebSocketTransportOptions,
} from '../../kubernetes/index.js';
export {
  kubeExec, kubeAttach, kubePortForward, loadKubeConfig,
  type KubeListenOptions, type KubeListener, type NodeKubePortForward,
} from './client.js';
export { dialKube } from './dial.js';
export {
  kubeUpgradeHandler, kubeStatusRefusal, type KubeUpgradeHandlerOptions, type KubeAuthorize,
} from './server.js';
export { nodeWebSocketFactory } from './websocket.js';
