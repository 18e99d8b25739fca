/**
 * Our side of one flow-control window (a stream's, or the SPDY/3.1
 * connection's): how much the peer may still send, and how much it sent
 * that we have not yet given back with WINDOW_UPDATE.
 */
import { MAX_WINDOW_SIZE } from '../base/constants.js';

export class RecvWindow {
  /** Bytes the peer may still send before it overruns the window. */
  available: number;
  /** Bytes received and not yet acknowledged by a WINDOW_UPDATE of ours. */
  unacked = 0;
  /** Bytes received but dropped unread, to be given back by the session itself. */
  dropped = 0;

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

  /** The delta of the WINDOW_UPDATE that half a window of unacknowledged bytes calls for, or 0. */
  dueUpdate(): number {
    return this.unacked >= this.size / 2 ? this.unacked : 0;
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
