/**
 * Our PINGs and their round trips: each `ping()` waits for its frame to
 * go out (the Session picks the id), then for the peer's echo of that id.
 */
import { deferred, type Deferred } from './deferred.js';

export class PingTracker {
  /** Submitted PINGs not yet sent, in order. */
  private readonly waiters: Array<Deferred<number>> = [];
  private readonly inFlight = new Map<number, { sentAt: number; done: Deferred<number> }>();

  /** `clientSide`: our PING ids are odd (a client's) rather than even. */
  constructor(private readonly clientSide: boolean) {}

  /** A PING is about to be submitted: its promise settles with the round trip. */
  expect(): Deferred<number> {
    const done = deferred<number>();
    this.waiters.push(done);
    return done;
  }

  /** The submit failed: the last expected PING will not be sent. */
  unexpect(done: Deferred<number>): void {
    const i = this.waiters.lastIndexOf(done);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  /** A PING frame went out. */
  sent(uniqueId: number): void {
    if (!this.isOurs(uniqueId)) return;
    const done = this.waiters.shift();
    if (done) this.inFlight.set(uniqueId, { sentAt: performance.now(), done });
  }

  /** A PING could not be sent. */
  notSent(uniqueId: number, err: unknown): void {
    if (this.isOurs(uniqueId)) this.waiters.shift()?.reject(err);
  }

  /** A PING came in: the echo of ours, or the peer's own (the Session answers those). */
  received(uniqueId: number): void {
    const ping = this.inFlight.get(uniqueId);
    if (!ping || !this.isOurs(uniqueId)) return;
    this.inFlight.delete(uniqueId);
    ping.done.resolve(performance.now() - ping.sentAt);
  }

  failAll(reason: unknown): void {
    for (const d of this.waiters.splice(0)) d.reject(reason);
    for (const p of this.inFlight.values()) p.done.reject(reason);
    this.inFlight.clear();
  }

  private isOurs(uniqueId: number): boolean {
    return (uniqueId & 1) === (this.clientSide ? 1 : 0);
  }
}
