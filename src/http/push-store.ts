/**
 * Pushed resources waiting for the application: claimed by URL (a later
 * `fetch()`) or in order of arrival (the `pushes()` iterator), bounded in
 * number so that a server cannot make a client hold unlimited streams.
 */
import type { NvInput } from '../codec/nv.js';
import { BodyTooLargeError } from '../base/errors.js';
import { ByteLengthQueuingStrategy, ReadableStream } from '../base/web-streams.js';
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

  /** The push is kept, not yet claimed. */
  holds(push: PushedResponse): boolean {
    return this.kept.includes(push);
  }

  /** Forgets a kept push (its body outgrew what is kept). */
  remove(push: PushedResponse): void {
    const i = this.kept.indexOf(push);
    if (i >= 0) this.kept.splice(i, 1);
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

/**
 * A pushed body read ahead while its push waits to be claimed, so that its
 * window goes back as the bytes arrive: unclaimed pushes holding their
 * windows stalled every stream once a server had pushed more than the
 * connection window. Up to `limit` bytes are kept; an unclaimed push whose
 * body outgrows that is given up (`overflow`), and a later fetch of it goes
 * to the server. Once claimed, the body is read as fast as its reader reads.
 */
export function readAhead(
  source: ReadableStream<Uint8Array>, limit: number, claimed: () => boolean, overflow: () => void,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let pulled: (() => void) | null = null;
  return new ReadableStream<Uint8Array>({
    start: (controller) => {
      void (async () => {
        for (;;) {
          while (claimed() && controller.desiredSize! <= 0) await new Promise<void>((resolve) => (pulled = resolve));
          const { done, value } = await reader.read();
          if (done) return controller.close();
          controller.enqueue(value);
          if (!claimed() && controller.desiredSize! < 0) {
            controller.error(new BodyTooLargeError(`a pushed body larger than ${limit} bytes is not kept`));
            return overflow();
          }
        }
      })().catch((err: unknown) => controller.error(err));
    },
    pull: () => {
      pulled?.();
      pulled = null;
    },
    cancel: (reason) => reader.cancel(reason),
  }, new ByteLengthQueuingStrategy({ highWaterMark: limit }));
}
