/**
 * The HTTP client over one SPDY session: `fetch()` with WHATWG `Request`
 * and `Response`, and the resources the server pushes.
 */
import { ReadableStream, isReadableStream } from '../base/web-streams.js';
import { CANCEL, INTERNAL_ERROR, PROTO_SPDY2, PROTOCOL_ERROR, REFUSED_STREAM } from '../base/constants.js';
import type { SpdySession } from '../streams/spdy-session.js';
import type { SpdyStream } from '../streams/spdy-stream.js';
import type { Nv } from '../codec/nv.js';
import { ACCEPTED_CODINGS } from './content-coding.js';
import { requestNv } from './headers.js';
import { InvalidResponseError, responseFromNv, type ReplyBody } from './response.js';
import { PushStore, pushedUrl, readAhead, type PushedResponse } from './push-store.js';

/** `RequestInit`, whose `priority` may also be a SPDY stream priority. */
export interface SpdyRequestInit extends Omit<RequestInit, 'priority'> {
  /**
   * A SPDY priority, 0 the most urgent (SPDY/2 has 0-3, SPDY/3 0-7), or
   * fetch's `'high'` (0), `'auto'` (3, spdycat's default) or `'low'` (the
   * version's lowest). Default `'auto'`.
   */
  priority?: number | FetchPriority;
}

/**
 * fetch's `RequestPriority`, spelt out: that name is in TypeScript's DOM
 * library only, and the public types must compile without it.
 */
export type FetchPriority = 'high' | 'low' | 'auto';

export interface SpdyClientOptions {
  /** The origin relative URLs are resolved against (`https://example.com:443`). */
  origin: string | URL;
  /**
   * Pushed resources kept for a later `fetch()` or `pushes()` (default 32);
   * pushes beyond are refused with RST_STREAM REFUSED_STREAM. 0 refuses all.
   */
  maxPushes?: number;
  /**
   * Make each response's body stream only when something asks for it
   * (default false): `text()`, `json()`, `arrayBuffer()` and `bytes()` then
   * gather the DATA whole without one, which on Node 20 halves what a small
   * response costs the client. Such a response's body is in its public
   * members only: a consumer that reads the runtime's internal body instead
   * (`Deno.serve` or `Bun.serve` given it as their answer, a `Cache`, a
   * service worker's `respondWith`) would find it empty. Node has no such
   * consumer, and `connect()` turns this on there.
   */
  lazyBodies?: boolean;
}

/** The request failed at the SPDY level (stream reset, session gone). */
export class SpdyFetchError extends TypeError {
  override name = 'SpdyFetchError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

interface AbortableBody {
  readonly readable: ReadableStream<Uint8Array>;
  abort(reason: unknown): void;
}

/** `source` behind a readable that can be errored with a reason of our choice. */
function abortableBody(source: ReadableStream<Uint8Array>): AbortableBody {
  const reader = source.getReader();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let ended = false;
  const readable = new ReadableStream<Uint8Array>(
    {
      start: (c) => void (controller = c),
      async pull(c) {
        const { done, value } = await reader.read();
        if (ended) return;
        if (done) {
          ended = true;
          c.close();
        } else {
          c.enqueue(value);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return {
    readable,
    abort(reason) {
      if (ended) return;
      ended = true;
      controller.error(reason);
      reader.cancel(reason).catch(() => undefined);
    },
  };
}

/**
 * `fetch(url)` with nothing else but a priority: a GET with no headers,
 * body or signal, which needs no `Request` object made and checked.
 */
function plainGet(input: string | URL | Request, init: SpdyRequestInit): boolean {
  if (typeof input !== 'string' && !(input instanceof URL)) return false;
  for (const key in init) if (key !== 'priority' && init[key as keyof SpdyRequestInit] !== undefined) return false;
  return true;
}

/** Where a response keeps the token whose collection tells that the response is gone. */
const DROP_TOKEN = Symbol('spdy-streams.dropToken');

/** How often a request the server refused (REFUSED_STREAM) is sent again. */
const MAX_REFUSED_RETRIES = 3;

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * An HTTP client bound to one SPDY session (made by `connect()`).
 *
 * Pushed resources: every resource the server pushes is kept (up to
 * `maxPushes`) until it is claimed, and it is claimed in one of two ways:
 * a later `fetch()` of the same absolute URL with method GET and no body
 * answers with the pushed response instead of sending a request; or
 * `pushes()` yields it. Unclaimed pushes are cancelled when the client closes.
 */
export class SpdyClient {
  /** The origin this client talks to, as `https://host:port`. */
  readonly origin: string;
  private readonly base: URL;
  private readonly store: PushStore;
  private readonly lazyBodies: boolean;
  private closing = false;
  /** Responses whose collection cancels their stream, if still open and unread (none where the runtime has no registry). */
  private readonly dropped = typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<number>((id) => this.session.cancelIfUntouched(id))
    : null;

  constructor(readonly session: SpdySession, options: SpdyClientOptions) {
    this.base = new URL(String(options.origin));
    this.origin = this.base.origin;
    this.store = new PushStore(options.maxPushes ?? session.config.maxPushes);
    this.lazyBodies = options.lazyBodies ?? false;
    void this.acceptPushes();
  }

  /** Resolves when the session has ended. */
  get closed(): Promise<void> {
    return this.session.closed;
  }

  /**
   * Sends a request on a new stream and resolves with the response once
   * its headers arrive; the body streams from `response.body`. Relative URLs
   * resolve against the client's origin. An `init.signal` abort resets the
   * stream with CANCEL (before or after the response).
   */
  async fetch(input: string | URL | Request, init: SpdyRequestInit = {}): Promise<Response> {
    const request = plainGet(input, init) ? null : this.request(input, init);
    const signal = request?.signal ?? null;
    if (signal?.aborted) throw abortReason(signal);
    const url = request ? new URL(request.url) : new URL(String(input), this.base);
    const method = request?.method ?? 'GET';
    const requestBody = request?.body ?? null;

    if (method === 'GET' && requestBody === null) {
      const pushed = this.store.claim(url.href);
      if (pushed) return pushed.response;
    }

    const nv = requestNv(url, method, request?.headers ?? null);
    if (!request?.headers.has('accept-encoding')) nv.push(['accept-encoding', ACCEPTED_CODINGS]);
    const priority = this.priorityOf(init.priority);

    let stream: SpdyStream | null = null;
    let abortedWith: { reason: unknown } | null = null;
    let body$: AbortableBody | null = null;
    const onAbort = (): void => {
      abortedWith = { reason: abortReason(signal!) };
      // Readers of the body see the abort reason rather than a SPDY reset.
      body$?.abort(abortedWith.reason);
      stream?.reset(CANCEL);
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    let replyNv: Nv | null = null;
    try {
      // REFUSED_STREAM means the server did nothing with the request: a
      // request without a body is sent again. It happens when a client opens
      // more streams than the server allows before the server's SETTINGS arrive.
      for (let attempt = 0; replyNv === null; attempt++) {
        // A body that fails resets the stream (INTERNAL_ERROR); the reply's wait below then fails.
        stream = await this.session.openStream(
          requestBody ? { headers: nv, priority, body: requestBody } : { headers: nv, priority, endStream: true },
        );
        if (abortedWith) stream.reset(CANCEL);
        try {
          replyNv = await stream.headers;
        } catch (err) {
          const refused = (err as { statusCode?: number } | null)?.statusCode === REFUSED_STREAM;
          if (!refused || requestBody !== null || abortedWith || attempt >= MAX_REFUSED_RETRIES) throw err;
        }
      }
    } catch (err) {
      signal?.removeEventListener('abort', onAbort);
      if (abortedWith) throw (abortedWith as { reason: unknown }).reason;
      throw new SpdyFetchError(`request for ${url.href} failed: ${(err as Error).message}`, { cause: err });
    }
    const answered: SpdyStream = stream!;
    if (signal) {
      const forget = (): void => signal.removeEventListener('abort', onAbort);
      answered.closed.then(forget, forget);
    }
    if (abortedWith) throw (abortedWith as { reason: unknown }).reason;

    // An abortable body is a stream from the start; a lazy one is made only if it is asked for.
    let body: ReplyBody | ReadableStream<Uint8Array> | null = null;
    if (method !== 'HEAD') {
      if (init.signal) body = (body$ = abortableBody(answered.readable)).readable;
      else body = this.replyBody(answered);
    }
    let response: Response;
    try {
      response = responseFromNv(replyNv, body, url.href);
    } catch (err) {
      answered.reset(err instanceof InvalidResponseError ? PROTOCOL_ERROR : INTERNAL_ERROR);
      throw err;
    }
    if (body !== null) this.cancelWhenDropped(response, answered.id);
    return response;
  }

  /** The `Request` that `fetch(input, init)` describes, relative URLs resolved against the origin. */
  private request(input: string | URL | Request, init: SpdyRequestInit): Request {
    const url = input instanceof Request ? input : new URL(String(input), this.base).href;
    return new Request(url, { ...init, ...(isReadableStream(init.body) ? { duplex: 'half' } : {}) } as RequestInit);
  }

  /**
   * A response dropped with its body unread lets its stream go once it is
   * collected, as fetch's own responses are cancelled: an open stream
   * nobody reads holds its part of the connection window, and enough of
   * them stall the connection. What the registry watches is a token only
   * the response holds, and what it keeps is the stream's id. Registering
   * the response itself with its stream as the held value doubled the
   * client's CPU on small requests: a registry keeps what it holds until
   * the target is collected, which V8 leaves to its full collections, so
   * every stream outlived the young generation.
   */
  private cancelWhenDropped(response: Response, id: number): void {
    if (this.dropped === null) return;
    const token = {};
    (response as Response & { [DROP_TOKEN]?: object })[DROP_TOKEN] = token;
    this.dropped.register(token, id);
  }

  /** What a response's body is made from: the stream itself when bodies are lazy, else its readable. */
  private replyBody(stream: SpdyStream): ReplyBody | ReadableStream<Uint8Array> {
    return this.lazyBodies ? stream : stream.readable;
  }

  private priorityOf(priority: SpdyRequestInit['priority']): number {
    if (typeof priority === 'number') return priority;
    if (priority === 'high') return 0;
    if (priority === 'low') return this.session.version === PROTO_SPDY2 ? 3 : 7;
    return 3;
  }

  /**
   * The pushed resources, as they arrive (those already kept first). Each
   * one yielded is claimed: a later `fetch()` no longer finds it. Ends when
   * the session ends.
   */
  pushes(): AsyncIterableIterator<PushedResponse> {
    return this.store.iterate();
  }

  /** Round-trip time of a PING, in milliseconds. */
  ping(): Promise<number> {
    return this.session.ping();
  }

  /** Sends GOAWAY, lets open streams finish, and closes the connection. */
  async close(): Promise<void> {
    this.closing = true;
    this.store.close();
    await this.session.close();
  }

  private async acceptPushes(): Promise<void> {
    const reader = this.session.incoming.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        void this.receivePush(value);
      }
    } catch {
      // The session failed; its streams fail with it.
    } finally {
      this.store.close();
    }
  }

  private async receivePush(stream: SpdyStream): Promise<void> {
    if (this.closing || stream.associatedStreamId === 0) {
      stream.reset(REFUSED_STREAM);
      return;
    }
    let nv: Nv;
    try {
      nv = await stream.headers;
    } catch {
      return;
    }
    const url = pushedUrl(nv, this.base);
    if (!url) {
      stream.reset(PROTOCOL_ERROR);
      return;
    }
    let push: PushedResponse | null = null;
    const body = readAhead(
      stream.readable, this.session.config.initialWindowSize,
      () => push !== null && !this.store.holds(push),
      () => {
        if (push) this.store.remove(push);
        stream.reset(CANCEL);
      },
    );
    let response: Response;
    try {
      response = responseFromNv(nv.some(([n]) => n === ':status') ? nv : [[':status', '200 OK'], ...nv], body, url);
    } catch {
      stream.reset(PROTOCOL_ERROR);
      return;
    }
    push = {
      url,
      streamId: stream.id,
      associatedStreamId: stream.associatedStreamId,
      response,
      cancel: () => stream.reset(CANCEL),
    };
    if (!this.store.offer(push)) stream.reset(REFUSED_STREAM);
  }
}
