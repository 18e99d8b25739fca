/**
 * The server side of the Kubernetes streaming endpoints over any transport:
 * a request that was upgraded (its head read and answered 101 by whatever
 * server took it) becomes a SPDY/3.1 server session run as the kubelet
 * runs it, without flow control, for the application's handlers.
 */
import { PROTO_SPDY3_1 } from '../base/constants.js';
import type { SpdyConfig } from '../base/config.js';
import { InvalidArgumentError } from '../base/errors.js';
import { SpdySession } from '../streams/spdy-session.js';
import type { Transport } from '../streams/transport.js';
import { KUBE_SESSION_CONFIG } from './connection.js';
import { serveKubeExec, type KubeExecHandler } from './server-exec.js';
import { serveKubePortForward, type KubePortForwardHandler } from './server-port-forward.js';
import type { KubeServerRequest } from './server-request.js';

/** The application's side of each sub-resource; one left out is answered 404. */
export interface KubeServerHandlers {
  /** `pods/exec`. */
  readonly exec?: KubeExecHandler;
  /** `pods/attach` (the context's `request.command` is empty). */
  readonly attach?: KubeExecHandler;
  /** `pods/portforward`, once per forwarded connection. */
  readonly portForward?: KubePortForwardHandler;
}

/** Options of `serveKubeSession` and of the Node upgrade handler. */
export interface KubeServeOptions {
  /** How long to wait for the client's streams, in milliseconds; the kubelet's 30 s by default. */
  readonly streamTimeoutMs?: number;
  /** Session config on top of `KUBE_SERVER_SESSION_CONFIG`. */
  readonly config?: SpdyConfig;
}

/**
 * The config of a server session for kubectl: no flow control (spdystream
 * does none, and kubectl's stdin is reset otherwise), and no idle timeout
 * (a port-forward sits with no connection for as long as its user likes).
 */
export const KUBE_SERVER_SESSION_CONFIG: SpdyConfig = { ...KUBE_SESSION_CONFIG, idleTimeout: 0 };

/** Whether `handlers` can serve `request` (the 404 otherwise is the caller's to send). */
export function kubeHandlerFor(handlers: KubeServerHandlers, request: KubeServerRequest): boolean {
  switch (request.subresource) {
    case 'exec': return handlers.exec !== undefined;
    case 'attach': return handlers.attach !== undefined;
    case 'portforward': return handlers.portForward !== undefined;
  }
}

/**
 * Serves `request` on `session`, a SPDY/3.1 server session on the upgraded
 * connection, with the negotiated `protocol`. Resolves when the session has
 * ended; rejects with `InvalidArgumentError` when no handler serves it.
 */
export function serveKubeOn(
  session: SpdySession, request: KubeServerRequest, protocol: string, handlers: KubeServerHandlers, options: KubeServeOptions = {},
): Promise<void> {
  const timing = options.streamTimeoutMs !== undefined ? { streamTimeoutMs: options.streamTimeoutMs } : {};
  const handler = request.subresource === 'exec' ? handlers.exec : request.subresource === 'attach' ? handlers.attach : undefined;
  if (handler) return serveKubeExec(session, request, protocol, handler, timing);
  if (request.subresource === 'portforward' && handlers.portForward) {
    return serveKubePortForward(session, request, handlers.portForward, timing);
  }
  session.destroy();
  return Promise.reject(new InvalidArgumentError(`no handler for ${request.subresource}`));
}

/**
 * Starts the server session on `transport` (the upgraded connection, SPDY
 * from its first byte) and serves `request` as `serveKubeOn` does.
 */
export function serveKubeSession(
  transport: Transport, request: KubeServerRequest, protocol: string, handlers: KubeServerHandlers, options: KubeServeOptions = {},
): Promise<void> {
  const session = new SpdySession(transport, {
    side: 'server', version: PROTO_SPDY3_1, config: { ...KUBE_SERVER_SESSION_CONFIG, ...options.config },
  });
  return serveKubeOn(session, request, protocol, handlers, options);
}
