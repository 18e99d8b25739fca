/** Protocol negotiation tokens (NPN and ALPN use the same strings). */
import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, type ProtocolVersion } from '../base/constants.js';

const TOKENS: ReadonlyArray<readonly [string, ProtocolVersion]> = [
  ['spdy/3.1', PROTO_SPDY3_1],
  ['spdy/3', PROTO_SPDY3],
  ['spdy/2', PROTO_SPDY2],
];

/** The tokens we speak, most preferred first; usable as Node's `ALPNProtocols`. */
export function getNpnProtocols(): string[] {
  return TOKENS.map(([token]) => token);
}

/** The version a token stands for, or 0 for anything else. */
export function npnGetVersion(proto: string | null | undefined): ProtocolVersion | 0 {
  for (const [token, version] of TOKENS) if (token === proto) return version;
  return 0;
}

/** The token of a version. */
export function npnToken(version: ProtocolVersion): string {
  return TOKENS.find(([, v]) => v === version)![0];
}

/**
 * Chooses from the protocols a server offers: the highest SPDY version both
 * speak (its version is returned), else `http/1.1` (0), else nothing (-1).
 */
export function selectNextProtocol(offered: readonly string[]): { protocol: string | null; version: number } {
  for (const [token, version] of TOKENS) {
    if (offered.includes(token)) return { protocol: token, version };
  }
  if (offered.includes('http/1.1')) return { protocol: 'http/1.1', version: 0 };
  return { protocol: null, version: -1 };
}
