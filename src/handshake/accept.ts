/**
 * How a server learns the version of a connection that did not negotiate
 * one with ALPN: from the version field of the client's first control frame,
 * or, when the client speaks HTTP/1.1, from its `Upgrade` header.
 */
import { ConnectionClosedError, HandshakeError } from '../base/errors.js';
import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SERVER, type ProtocolVersion } from '../base/constants.js';
import { resolveConfig, type SpdyConfig } from '../base/config.js';
import type { Transport } from '../streams/transport.js';
import { PrefaceReader } from './preface.js';
import { acceptUpgrade } from './upgrade.js';

/**
 * What classifying a connection's first bytes needs at the most (a control
 * frame's 8-byte head and the start of its payload): a property of the
 * protocol, not a limit to configure.
 */
const PREFACE_BYTES = 16;

/**
 * The config of a session whose version `classifyPreface` guessed: SPDY/3
 * and 3.1 look alike, so `spdy3Fallback` lets a SPDY/3 client show which it
 * is (unless the application set it itself, or the peer does no flow
 * control and so gives nothing to tell it by).
 */
export function guessedVersionConfig(config: SpdyConfig | undefined): SpdyConfig {
  return { spdy3Fallback: config?.peerFlowControl !== false, ...config };
}

/** What the first bytes of a connection say. */
export type Preface =
  | { readonly kind: 'spdy'; readonly version: ProtocolVersion }
  | { readonly kind: 'http1' };

/**
 * Classifies a connection by its first bytes (`undefined`: need more).
 * A SPDY/3 frame header cannot tell 3 from 3.1: the configured version
 * decides between them.
 */
export function classifyPreface(bytes: Uint8Array, ended: boolean, configured: ProtocolVersion): Preface | undefined {
  const first = bytes[0];
  if (first === undefined) {
    if (ended) throw new ConnectionClosedError('connection closed before its first frame');
    return undefined;
  }
  if ((first & 0x80) === 0) {
    // Request lines start with a method in capitals; anything else is SPDY
    // data the session will judge.
    return first >= 0x41 && first <= 0x5a ? { kind: 'http1' } : { kind: 'spdy', version: configured };
  }
  const second = bytes[1];
  if (second === undefined) return ended ? { kind: 'spdy', version: configured } : undefined;
  const wire = ((first & 0x7f) << 8) | second;
  if (wire === 2) return { kind: 'spdy', version: PROTO_SPDY2 };
  if (wire === 3) return { kind: 'spdy', version: configured === PROTO_SPDY2 ? PROTO_SPDY3_1 : configured };
  // An unknown version: the session answers it as the protocol says.
  return { kind: 'spdy', version: configured };
}

/** Options of `acceptPreface`. */
export interface AcceptOptions {
  /** The version to speak with a SPDY/3 peer. */
  version: ProtocolVersion;
  /** Answer HTTP/1.1 `Upgrade: SPDY/x` requests. Default true. */
  upgrade?: boolean;
  /** The session's config: `maxUpgradeHeadSize` bounds an Upgrade request's head. */
  config?: SpdyConfig;
}

/** A connection ready for a SPDY session. */
export interface Accepted {
  readonly transport: Transport;
  readonly version: ProtocolVersion;
  /** True when the client came in through an HTTP/1.1 Upgrade. */
  readonly upgraded: boolean;
}

/**
 * Reads the start of a connection with no negotiated version and returns it
 * ready for SPDY, or `null` when it is not SPDY (an HTTP/1.1 request without
 * a SPDY upgrade is answered `426 Upgrade Required` and closed).
 */
export async function acceptPreface(transport: Transport, options: AcceptOptions): Promise<Accepted | null> {
  const reader = new PrefaceReader(transport);
  let preface: Preface;
  try {
    preface = await reader.readUntil((bytes, ended) => classifyPreface(bytes, ended, options.version), PREFACE_BYTES);
  } catch (err) {
    await reader.abandon(err);
    return null;
  }
  if (preface.kind === 'spdy') return { transport: reader.release(), version: preface.version, upgraded: false };
  if (options.upgrade === false) {
    await reader.abandon(new HandshakeError('HTTP/1.1 is not accepted here'));
    return null;
  }
  const preferred = [options.version, PROTO_SPDY3_1, PROTO_SPDY3, PROTO_SPDY2].filter(
    (v, i, all) => all.indexOf(v) === i,
  ) as ProtocolVersion[];
  const result = await acceptUpgrade(reader, transport, preferred, resolveConfig(options.config, SERVER).maxUpgradeHeadSize);
  return result && { transport: result.transport, version: result.version, upgraded: true };
}
