/**
 * The Kubernetes server side behind a Node HTTP server: a listener for its
 * `'upgrade'` event that answers `kubectl exec`, `attach` and
 * `port-forward` as the kubelet does (protocol negotiation, 101 or 403,
 * then the SPDY/3.1 session for the application's handlers), and
 * port-forward over WebSocket as the API server does for kubectl 1.31 and
 * up (the same session in the socket's binary messages), and exec and
 * attach over WebSocket in `v5.channel.k8s.io`.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { PROTO_SPDY3_1 } from '../../base/constants.js';
import { refusalResponse, type UpgradeRefusal } from '../../handshake/upgrade.js';
import {
  KUBE_SERVER_SESSION_CONFIG, kubeHandlerFor, serveKubeOn, serveKubeSession, type KubeServeOptions, type KubeServerHandlers,
} from '../../kubernetes/server.js';
import {
  kubeStatusRefusal, negotiateKubeRequest, negotiateKubeWebSocket, parseKubeRequest, type KubeServerRequest,
} from '../../kubernetes/server-request.js';
import { serveKubeExecWebSocket } from '../../kubernetes/server-exec-websocket.js';
import { webSocketTransport } from '../../kubernetes/websocket-transport.js';
import { acceptNodeUpgrade } from '../http/upgrade-listener.js';
import { acceptWebSocket, canAcceptWebSocket } from './websocket-server.js';

export { kubeStatusRefusal };

/**
 * Decides whether a request may go on: true (or nothing) lets it, false
 * answers 403, an `UpgradeRefusal` answers with that instead.
 */
export type KubeAuthorize = (req: IncomingMessage, request: KubeServerRequest) =>
  boolean | void | UpgradeRefusal | Promise<boolean | void | UpgradeRefusal>;

/** Options of `kubeUpgradeHandler`: the handlers, and how to serve them. */
export interface KubeUpgradeHandlerOptions extends KubeServerHandlers, KubeServeOptions {
  /** Checked before the upgrade (credentials, say); default: every request may go on. */
  readonly authorize?: KubeAuthorize;
  /** Protocols accepted for exec and attach, in preference order; default all four. */
  readonly execProtocols?: readonly string[];
  /** Told of a failure that ended a served session before its handlers were done with it. */
  readonly onError?: (error: unknown, request: KubeServerRequest) => void;
  /**
   * Whether WebSocket upgrades are served too: port-forward's tunnel and
   * exec and attach in `v5.channel.k8s.io` (it needs the `ws` package).
   * Default true; false, or `ws` missing, refuses them with a 400, and
   * kubectl asks again over SPDY.
   */
  readonly webSocket?: boolean;
}

function headersOf(req: IncomingMessage): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) out.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
  return out;
}

function refuse(socket: Duplex, refusal: UpgradeRefusal): void {
  socket.on('error', () => undefined);
  socket.end(refusalResponse(refusal));
}

/** Port-forward, exec or attach over WebSocket, or the refusal kubectl falls back to SPDY from. */
async function serveWebSocket(
  req: IncomingMessage, socket: Duplex, head: Uint8Array, request: KubeServerRequest, options: KubeUpgradeHandlerOptions,
): Promise<void> {
  const negotiated = negotiateKubeWebSocket(request);
  if ('refuse' in negotiated) {
    refuse(socket, negotiated.refuse);
    return;
  }
  if (options.webSocket === false || !(await canAcceptWebSocket())) {
    refuse(socket, kubeStatusRefusal(400, 'BadRequest',
      'WebSocket upgrades are not served here (the server has no ws package, or turned them off); ask with Upgrade: SPDY/3.1'));
    return;
  }
  const ws = await acceptWebSocket(req, socket, head, negotiated.subprotocol);
  if (!ws) return;
  const handler = request.subresource === 'exec' ? options.exec : request.subresource === 'attach' ? options.attach : undefined;
  try {
    if (handler) await serveKubeExecWebSocket(webSocketTransport(ws), request, handler);
    else await serveKubeSession(webSocketTransport(ws), request, negotiated.protocol, options, options);
  } catch (err) {
    options.onError?.(err, request);
  }
}

/**
 * A listener for `httpServer.on('upgrade', ...)` that serves the pods'
 * `exec`, `attach` and `portforward` with the given handlers. Paths that
 * are none of these, and sub-resources without a handler, get a 404
 * `metav1.Status`; an offer with no protocol in common a 403 with
 * `X-Accepted-Stream-Protocol-Versions`. A port-forward that asks for a
 * WebSocket with the subprotocol `SPDY/3.1+portforward.k8s.io` (kubectl
 * 1.31 and up) is served over it, and so are exec and attach offering
 * `v5.channel.k8s.io` (kubectl 1.30 and up), authorized the same way;
 * other WebSocket offers get a 400, from which kubectl falls back to SPDY.
 */
export function kubeUpgradeHandler(options: KubeUpgradeHandlerOptions): (req: IncomingMessage, socket: Duplex, head: Uint8Array) => void {
  return (req, socket, head) => {
    void (async () => {
      const request = parseKubeRequest({ url: req.url ?? '/', headers: headersOf(req) });
      if (!request || !kubeHandlerFor(options, request)) {
        refuse(socket, kubeStatusRefusal(404, 'NotFound', 'the server could not find the requested resource'));
        return;
      }
      let verdict: boolean | void | UpgradeRefusal;
      try {
        verdict = await options.authorize?.(req, request);
      } catch (err) {
        options.onError?.(err, request);
        verdict = kubeStatusRefusal(500, 'InternalError', 'authorization failed');
      }
      if (verdict === false) verdict = kubeStatusRefusal(403, 'Forbidden', 'forbidden');
      if (typeof verdict === 'object') {
        refuse(socket, verdict);
        return;
      }
      if (request.transport === 'websocket') {
        await serveWebSocket(req, socket, head, request, options);
        return;
      }
      const negotiated = negotiateKubeRequest(request, request.subresource === 'portforward' ? undefined : options.execProtocols);
      const session = acceptNodeUpgrade(req, socket, head, {
        versions: [PROTO_SPDY3_1],
        config: { ...KUBE_SERVER_SESSION_CONFIG, ...options.config },
        decide: () => ('refuse' in negotiated ? negotiated : { headers: negotiated.headers }),
      });
      if (!session || 'refuse' in negotiated) return;
      try {
        await serveKubeOn(session, request, negotiated.protocol, options, options);
      } catch (err) {
        options.onError?.(err, request);
      }
    })();
  };
}
