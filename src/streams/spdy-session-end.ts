/**
 * How a SpdySession ends: cleanly once the Session wants neither to read
 * nor to write, or at once on an error, failing what is still open.
 */
import { GOAWAY_OK } from '../base/constants.js';
import { SpdyError, StreamClosedError } from '../base/errors.js';
import { SpdySessionState } from './spdy-session-state.js';

/** SpdySession's ending, over its state. */
export abstract class SpdySessionEnd extends SpdySessionState {
  /** Not yet finished (`state` narrows wrongly after calls that may finish). */
  protected isOpen(): boolean {
    return this.state !== 'closed';
  }

  /** Why the session ended, when a GOAWAY with an error status did it; null for a clean end. */
  protected goawayError(): SpdyError | null {
    if (this.decodeError) return this.decodeError;
    const failedWith = this.core.goawayState.failedWith;
    if (failedWith !== null && failedWith !== GOAWAY_OK) {
      return new SpdyError(`the session failed: GOAWAY with status ${failedWith}`, { statusCode: failedWith });
    }
    if (this.goawayStatus === null || this.goawayStatus === GOAWAY_OK) return null;
    return new SpdyError(`the peer sent GOAWAY with status ${this.goawayStatus}`, { statusCode: this.goawayStatus });
  }

  /** Ends the session cleanly once the Session wants neither to read nor to write. */
  protected checkDone(): void {
    if (this.state === 'closed' || this.blocked || this.outBytes > 0) return;
    if (this.core.wantRead() || this.core.wantWrite()) return;
    this.finish(this.goawayError());
  }

  /**
   * Ends the session: `error` null for a clean end. The transport is closed
   * after what was written reaches it (GOAWAY included), or aborted when
   * `abortTransport` (the transport failed, or `destroy()`).
   */
  protected finish(error: unknown, abortTransport = false): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const reason = error ?? new StreamClosedError('the session is closed');
    for (const c of this.streams.values()) c.fail(reason);
    this.streams.clear();
    for (const c of this.opening) c.fail(reason);
    this.opening.clear();
    for (const d of this.pingWaiters.splice(0)) d.reject(reason);
    for (const p of this.pingsInFlight.values()) p.done.reject(reason);
    this.pingsInFlight.clear();
    this.readGate?.resolve();
    this.readGate = null;
    try {
      if (error) this.incomingController.error(error);
      else this.incomingController.close();
    } catch {
      // Already closed or cancelled by the application.
    }
    const ending = abortTransport ? this.writer.abort(error) : this.writer.close();
    ending.catch(() => {}).finally(() => {
      this.stopReading.abort(reason);
      if (error) this.closedD.reject(error);
      else this.closedD.resolve();
    });
  }
}
