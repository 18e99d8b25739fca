/**
 * What the send and receive paths of a Session are given: the Session to
 * hand to callbacks, the callbacks, the parts they share and the one
 * operation of the Session they call back into. The Session builds it once,
 * in its constructor.
 */
import type { ResolvedConfig } from '../base/config.js';
import type { Side, WireVersion } from '../base/constants.js';
import type { SessionCallbacks } from './callbacks.js';
import type { ConnectionState } from './connection-state.js';
import type { FlowControl } from './flow-control.js';
import type { PeerLimits } from './limits.js';
import type { Outbox } from './outbox.js';
import type { Session } from './session.js';
import type { SessionSettings } from './settings.js';
import type { StreamTable } from './stream-table.js';

export interface SessionContext {
  /** The first argument of every callback. */
  readonly session: Session;
  readonly cb: SessionCallbacks;
  readonly side: Side;
  readonly wire: WireVersion;
  readonly config: ResolvedConfig;
  readonly conn: ConnectionState;
  readonly settings: SessionSettings;
  readonly streams: StreamTable;
  readonly outbox: Outbox;
  readonly flow: FlowControl;
  readonly limits: PeerLimits;
  /** `Session.failSession`: GOAWAY, and the session ends once it is written. */
  failSession(statusCode: number): void;
}
