/** The protocol versions this library speaks, checked where a version comes in. */
import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, type ProtocolVersion } from '../base/constants.js';
import { UnsupportedVersionError } from '../base/errors.js';

/** Returns `version` if it is one this library speaks; throws otherwise. */
export function checkVersion(version: unknown): ProtocolVersion {
  if (version === PROTO_SPDY2 || version === PROTO_SPDY3 || version === PROTO_SPDY3_1) return version;
  throw new UnsupportedVersionError(`unsupported SPDY version ${String(version)}`);
}
