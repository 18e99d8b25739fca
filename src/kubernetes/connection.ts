/**
 * One streaming connection to a pod's sub-resource: dial, upgrade, then a
 * client `SpdySession` that treats the peer as Go's spdystream (no flow
 * control; it never sends WINDOW_UPDATE or SETTINGS and ignores ours).
 */
import { PROTO_SPDY3_1 } from '../base/constants.js';
import type { SpdyConfig } from '../base/config.js';
import { SpdySession } from '../streams/spdy-session.js';
import { requestKubeUpgrade, type KubeUpgraded } from './upgrade.js';
import { authHeaders, dialerOf, subresourcePath, type KubeSubresource, type KubeTarget } from './target.js';

/** Config of every Kubernetes session: spdystream does no flow control. */
export const KUBE_SESSION_CONFIG: SpdyConfig = { peerFlowControl: false };

/** An upgraded connection with its session. */
export interface KubeConnection {
  readonly session: SpdySession;
  /** The protocol the server chose ('' when it named none). */
  readonly protocol: string;
  readonly upgrade: KubeUpgraded;
}

/** Dials `target`, upgrades to SPDY/3.1 for `sub`, and starts the client session. */
export async function openKubeConnection(
  target: KubeTarget,
  sub: KubeSubresource,
  query: ReadonlyArray<readonly [string, string]>,
  protocols: readonly string[],
): Promise<KubeConnection> {
  const server = new URL(target.server);
  const transport = await dialerOf(target)(server, target);
  const upgrade = await requestKubeUpgrade(transport, {
    method: 'POST',
    host: server.host,
    path: subresourcePath(target, sub, query),
    protocols,
    headers: authHeaders(target),
  });
  const session = new SpdySession(upgrade.transport, { side: 'client', version: PROTO_SPDY3_1, config: KUBE_SESSION_CONFIG });
  // The end of the connection is reported by the calls built on it; an
  // unobserved rejection here would only be noise.
  session.closed.catch(() => undefined);
  return { session, protocol: upgrade.protocol, upgrade };
}
