/**
 * A value that arrives by callback, as a promise made only when someone
 * asks for it: most streams end without anyone awaiting their `opened`,
 * `trailers` or `closed`, and a promise with its two settle functions is a
 * good part of what an idle stream costs.
 */

const ignore = (): void => {};

const PENDING = 0;
const RESOLVED = 1;
const REJECTED = 2;

/**
 * A promise settled from outside. It is marked handled: a rejection nobody
 * awaits (a stream's `closed` after a reset, say) is not reported as unhandled.
 */
export class Deferred<T> {
  private state: typeof PENDING | typeof RESOLVED | typeof REJECTED = PENDING;
  private outcome: unknown;
  private made: Promise<T> | null = null;
  private settle: { resolve(value: T): void; reject(reason: unknown): void } | null = null;

  get settled(): boolean {
    return this.state !== PENDING;
  }

  get promise(): Promise<T> {
    if (this.made) return this.made;
    if (this.state === RESOLVED) {
      this.made = Promise.resolve(this.outcome as T);
    } else if (this.state === REJECTED) {
      this.made = Promise.reject(this.outcome);
    } else {
      this.made = new Promise<T>((resolve, reject) => {
        this.settle = { resolve, reject };
      });
    }
    this.made.catch(ignore);
    return this.made;
  }

  resolve(value: T): void {
    if (this.state !== PENDING) return;
    this.state = RESOLVED;
    this.outcome = value;
    this.settle?.resolve(value);
    this.settle = null;
  }

  reject(reason: unknown): void {
    if (this.state !== PENDING) return;
    this.state = REJECTED;
    this.outcome = reason;
    this.settle?.reject(reason);
    this.settle = null;
  }
}

/** A new pending `Deferred`. */
export function deferred<T>(): Deferred<T> {
  return new Deferred<T>();
}
