/**
 * Connection start, with no runtime dependency and no HTTP semantics: the
 * cleartext preface and the version it shows, and the HTTP/1.1
 * `Upgrade: SPDY/3.1` handshake both ways. What it yields (a version and a
 * transport positioned at the first SPDY frame) any application on
 * SpdySession takes: HTTP, Kubernetes, or the caller's own.
 */
export type { HttpHead } from './http1.js';
export {
  requestUpgrade, acceptUpgrade, upgradeToken, upgradeTokenVersion, UpgradeRefusedError, refusalResponse,
  type UpgradeDecision, type UpgradeRefusal,
  type UpgradeRequestOptions, type UpgradeResult,
} from './upgrade.js';
export { acceptPreface, classifyPreface, type Accepted, type AcceptOptions, type Preface } from './accept.js';
export { PrefaceReader } from './preface.js';
