/**
 * Our side of one flow-control window (a stream's, or the SPDY/3.1
 * connection's): how much the peer may still send, how much it sent that we
 * have not yet given back with WINDOW_UPDATE, and the one rule that decides
 * when the session gives window back by itself.
 */
import { MAX_WINDOW_SIZE } from '../base/constants.js';

export class RecvWindow {
  /** Bytes the peer may still send before it overruns the window. */
  available: number;
  /** Bytes received and not yet acknowledged by a WINDOW_UPDATE of ours. */
  unacked = 0;
  /**
   * Bytes the application consumed (`Session.consume`) or the session
   * dropped unread, not yet given back: what the session may give back by
   * itself while automatic updates are off.
   */
  released = 0;

  /** `size` is the window the peer starts with. */
  constructor(public size: number) {
    this.available = size;
  }

  /** Counts `n` received bytes; false when they overran the window. */
  receive(n: number): boolean {
    this.available -= n;
    this.unacked = Math.min(this.unacked + n, MAX_WINDOW_SIZE);
    return this.available >= 0;
  }

  /** Marks `n` received bytes as done with: they may be given back. */
  release(n: number): void {
    this.released = Math.min(this.released + n, MAX_WINDOW_SIZE);
  }

  /**
   * The half-window rule, the only place it is written: the delta of the
   * WINDOW_UPDATE the session owes now, or 0. With automatic updates every
   * byte received is owed; without, only those released, and never more
   * than were received. A delta returned is taken off `released`: the caller
   * sends it (and records it with `ack`).
   */
  takeDue(auto: boolean): number {
    const owed = auto ? this.unacked : Math.min(this.released, this.unacked);
    if (owed === 0 || owed < this.size / 2) return 0;
    this.released -= Math.min(owed, this.released);
    return owed;
  }

  /** Records a WINDOW_UPDATE of `delta` that we are sending. */
  ack(delta: number): void {
    this.available = Math.min(this.available + delta, MAX_WINDOW_SIZE);
    this.unacked -= Math.min(delta, this.unacked);
  }

  /** Our advertised window changed from the old size to `size`: the peer shifts its count too. */
  resize(size: number): void {
    this.available += size - this.size;
    this.size = size;
  }
}
