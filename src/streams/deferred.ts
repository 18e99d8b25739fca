/** A promise with its settle functions, for values that arrive by callback. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly settled: boolean;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

const ignore = (): void => {};

/**
 * A promise settled from outside. It is marked handled: a rejection nobody
 * awaits (a stream's `closed` after a reset, say) is not reported as unhandled.
 */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(ignore);
  const d = {
    promise,
    settled: false,
    resolve(value: T) {
      if (d.settled) return;
      d.settled = true;
      resolve(value);
    },
    reject(reason: unknown) {
      if (d.settled) return;
      d.settled = true;
      reject(reason);
    },
  };
  return d;
}
