/**
 * A token bucket: how often a peer may do something that costs us work and
 * costs it nothing. Time comes only from the clock it is given, so the
 * sans-IO session reads no clock of its own and tests can move time by hand.
 */

/** Milliseconds from any fixed origin, as `Date.now` or `performance.now` give. */
export type Clock = () => number;

export class TokenBucket {
  private tokens: number;
  private last: number | null = null;

  /**
   * Allows `perSecond` events a second on average, and `burst` at once
   * (as many as a second's worth unless told otherwise).
   */
  constructor(
    private readonly perSecond: number,
    private readonly now: Clock,
    private readonly burst: number = perSecond,
  ) {
    this.tokens = burst;
  }

  /** Counts one event; false when it goes over the rate. */
  take(): boolean {
    const t = this.now();
    if (this.last !== null && t > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.perSecond) / 1000);
    }
    // A clock that steps back gives nothing and takes nothing: time resumes from the later reading.
    if (this.last === null || t > this.last) this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
