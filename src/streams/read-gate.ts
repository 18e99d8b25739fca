/**
 * The read gate: for a peer whose sending no window bounds (SPDY/2, or
 * `peerFlowControl: false`), the transport is read no further while the
 * streams hold more unread bytes than a window's worth. With flow control
 * the gate never closes: the windows bound the peer instead.
 */
import { deferred, type Deferred } from './deferred.js';

export class ReadGate {
  /** Bytes received on all streams that the application has not read yet. */
  private bytes = 0;
  private closedUntil: Deferred<void> | null = null;

  /** `enabled`: the peer is bounded by no window. `limit`: the unread bytes past which reading pauses. */
  constructor(private readonly enabled: boolean, private readonly limit: number) {}

  get buffered(): number {
    return this.bytes;
  }

  /** `delta` more (or, negative, fewer) unread bytes. */
  add(delta: number): void {
    this.bytes += delta;
    if (delta < 0) this.openIfRoom();
  }

  /** A promise to hold the next transport chunk back with while too much is unread; undefined to go on. */
  wait(): Promise<void> | undefined {
    if (!this.enabled || this.bytes <= this.limit) return undefined;
    this.closedUntil ??= deferred();
    return this.closedUntil.promise;
  }

  /** Lets reading go on if the unread bytes are back under the limit. */
  openIfRoom(): void {
    if (this.bytes <= this.limit) this.open();
  }

  /** Lets reading go on, whatever is unread (the session ended). */
  open(): void {
    this.closedUntil?.resolve();
    this.closedUntil = null;
  }
}
