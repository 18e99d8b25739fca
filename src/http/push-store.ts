/**
 * Pushed resources waiting for the application: claimed by URL (a later
 * `fetch()`) or in order of arrival (the `pushes()` iterator), bounded in
 * number so that a server cannot make a client hold unlimited streams.
 */
import type { NvInput } from '../codec/nv.js';
import { nvGet } from './headers.js';

/** A resource the server pushed. */
export interface PushedResponse {
  /** Its absolute URL, from the push's `:scheme :host :path`. */
  readonly url: string;
  readonly streamId: number;
  /** The stream of the request it was pushed with. */
  readonly associatedStreamId: number;
  readonly response: Response;
  /** Refuses it: resets its stream with CANCEL. */
  cancel(): void;
}

/** The absolute URL of a push, or `null` when its headers do not name one. */
export function pushedUrl(nv: NvInput, base: URL): string | null {
  const path = nvGet(nv, ':path');
  if (!path) return null;
  // SPDY/2 pushes carry the whole URL in `url` (`:path` here); SPDY/3 splits it.
  const scheme = nvGet(nv, ':scheme') ?? base.protocol.slice(0, -1);
  const host = nvGet(nv, ':host') ?? base.host;
  try {
    return new URL(path, `${scheme}://${host}`).href;
  } catch {
    return null;
  }
}

export class PushStore {
  private readonly kept: PushedResponse[] = [];
  private readonly waiting: Array<(result: IteratorResult<PushedResponse>) => void> = [];
  private closed = false;

  constructor(private readonly limit: number) {}

  /** Takes a push in; `false` if it must be refused (full, or closed). */
  offer(push: PushedResponse): boolean {
    if (this.closed) return false;
    const waiter = this.waiting.shift();
    if (waiter) {
      waiter({ done: false, value: push });
      return true;
    }
    if (this.kept.length >= this.limit) return false;
    this.kept.push(push);
    return true;
  }

  /** Removes and returns the oldest push for `url`. */
  claim(url: string): PushedResponse | undefined {
    const i = this.kept.findIndex((p) => p.url === url);
    return i < 0 ? undefined : this.kept.splice(i, 1)[0];
  }

  /** No more pushes: unclaimed ones are cancelled, iterators end. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const push of this.kept.splice(0)) push.cancel();
    for (const waiter of this.waiting.splice(0)) waiter({ done: true, value: undefined });
  }

  iterate(): AsyncIterableIterator<PushedResponse> {
    const next = (): Promise<IteratorResult<PushedResponse>> => {
      const push = this.kept.shift();
      if (push) return Promise.resolve({ done: false, value: push });
      if (this.closed) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve) => this.waiting.push(resolve));
    };
    const iterator: AsyncIterableIterator<PushedResponse> = {
      next,
      return: () => Promise.resolve({ done: true, value: undefined }),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}
