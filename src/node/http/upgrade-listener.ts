/**
 * SPDY behind a Node `http.Server`: its `'upgrade'` event hands over the
 * socket of a request with `Upgrade: SPDY/3.1`; this answers 101 and runs a
 * server session on that socket.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, type ProtocolVersion } from '../../base/constants.js';
import type { SpdyConfig } from '../../base/config.js';
import { PrefaceReader } from '../../handshake/preface.js';
import {
  refusalResponse, switchingProtocolsHead, upgradeRequiredResponse, upgradeTokenVersion, type UpgradeDecision,
} from '../../handshake/upgrade.js';
import { SpdySession } from '../../streams/spdy-session.js';
import { socketToWeb } from '../socket-stream.js';

/** Options of `acceptNodeUpgrade`. */
export interface NodeUpgradeOptions {
  /** Versions accepted, most preferred first. Default all three, 3.1 first. */
  versions?: readonly ProtocolVersion[];
  config?: SpdyConfig;
  /**
   * Asked about each request that asks for a SPDY version we accept: return
   * headers to add to the 101 (Kubernetes: the chosen
   * `X-Stream-Protocol-Version`), or a refusal to answer instead (Kubernetes:
   * 403 with `X-Accepted-Stream-Protocol-Versions`). Default: switch, with no
   * headers added.
   */
  decide?: (req: IncomingMessage, version: ProtocolVersion) => UpgradeDecision;
}

/**
 * For `server.on('upgrade', (req, socket, head) => ...)`: if `req` asks for
 * a SPDY version we accept, answers `101 Switching Protocols` and returns a
 * server `SpdySession` on the socket (`head`, bytes already read past the
 * request, goes to the session first). Otherwise answers `426 Upgrade
 * Required`, ends the socket and returns null. `options.decide` may add
 * headers to the 101 or refuse the request with its own answer (then null).
 */
export function acceptNodeUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Uint8Array,
  options: NodeUpgradeOptions = {},
): SpdySession | null {
  const accepted = options.versions ?? [PROTO_SPDY3_1, PROTO_SPDY3, PROTO_SPDY2];
  const asked = String(req.headers.upgrade ?? '')
    .split(',')
    .map(upgradeTokenVersion)
    .find((v): v is ProtocolVersion => v !== 0 && accepted.includes(v));
  socket.on('error', () => undefined);
  if (!asked) {
    socket.end(upgradeRequiredResponse(accepted[0] ?? PROTO_SPDY3_1));
    return null;
  }
  const decision = options.decide?.(req, asked) ?? {};
  if ('refuse' in decision) {
    socket.end(refusalResponse(decision.refuse));
    return null;
  }
  socket.write(switchingProtocolsHead(asked, decision.headers));
  const transport = new PrefaceReader(socketToWeb(socket), head).release();
  return new SpdySession(transport, { side: 'server', version: asked, config: options.config });
}
