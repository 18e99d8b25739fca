/**
 * One timeout of a SpdySession on the host's timer functions (the sans-IO
 * core has none): armed, re-armed from now, or cleared. A duration of 0
 * means the timeout is off and arming does nothing.
 */
import type { HostTimers } from '../base/config.js';

export class Deadline {
  private handle: unknown = null;

  constructor(
    private readonly timers: HostTimers,
    private readonly ms: number,
    private readonly onExpire: () => void,
  ) {}

  get armed(): boolean {
    return this.handle !== null;
  }

  /** Starts the timeout from now, replacing a running one. */
  arm(): void {
    if (this.ms === 0) return;
    this.clear();
    this.handle = this.timers.setTimeout(() => {
      this.handle = null;
      this.onExpire();
    }, this.ms);
  }

  clear(): void {
    if (this.handle === null) return;
    this.timers.clearTimeout(this.handle);
    this.handle = null;
  }
}
