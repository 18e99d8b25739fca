/**
 * Serving HTTP over SPDY sessions: each incoming stream becomes a WHATWG
 * `Request`, the handler's `Response` goes back as SYN_REPLY and DATA, and
 * `ctx.push()` pushes more resources with the request.
 */
import { InvalidArgumentError } from '../base/errors.js';
import { INTERNAL_ERROR, type ProtocolVersion } from '../base/constants.js';
import type { Nv } from '../codec/nv.js';
import type { SpdySession } from '../streams/spdy-session.js';
import type { SpdyStream } from '../streams/spdy-stream.js';
import { appendNvHeaders, nvGet, REQUIRED_REQUEST_HEADERS, responseNv } from './headers.js';
import { statusText } from './status-text.js';

/** What a handler gets besides the request. */
export interface RequestContext {
  /** The stream of this request. */
  readonly streamId: number;
  /** The session's SPDY version. */
  readonly version: ProtocolVersion;
  /** The peer's address, when the transport has one (`host:port`). */
  readonly remoteAddress: string | undefined;
  /** The request's SYN_STREAM header list as received (`:version` and all). */
  readonly nv: Nv;
  /**
   * Pushes `response` as the resource at `path` (resolved against the
   * request URL) with this request. Call it before the handler's response
   * is returned (the push goes out before that response's end). Resolves
   * once the push stream is open; its body is sent in the background.
   */
  push(path: string, response: Response): Promise<void>;
}

/** Answers one request. */
export type RequestHandler = (request: Request, ctx: RequestContext) => Response | Promise<Response>;

/** Options of `serveSession`. */
export interface SessionServeOptions {
  /** The scheme of requests that carry no `:scheme` (`https` over TLS). */
  scheme: 'http' | 'https';
  version: ProtocolVersion;
  remoteAddress?: string;
  /** Called with errors thrown by the handler (they are answered with 500). */
  onError?: (error: unknown, request: Request | null) => void;
}

/** A plain-text response for the errors the server itself produces. */
export function errorResponse(status: number, detail?: string): Response {
  const reason = statusText(status);
  return new Response(`${status} ${reason}${detail ? `: ${detail}` : ''}\n`, {
    status,
    statusText: reason,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
}

/**
 * The class of a `Request` whose `signal` is the server's own: a `Request`
 * given a signal in its init would follow it through a signal of its own,
 * which costs more than the rest of the `Request`, and setting the
 * property on each instance costs more than a getter on a class. `clone()` and
 * `fetch(request)` see the `Request`'s internal signal, which never aborts;
 * `new Request(url, request)` reads this one.
 */
function makeServerRequest() {
  return class ServerRequest extends Request {
    #signal: AbortSignal | (() => AbortSignal);

    constructor(url: string, init: RequestInit, signal: AbortSignal | (() => AbortSignal)) {
      super(url, init);
      this.#signal = signal;
    }

    override get signal(): AbortSignal {
      // Most handlers never look: a signal given as a function is made (and kept) on first read.
      if (typeof this.#signal === 'function') this.#signal = this.#signal();
      return this.#signal;
    }
  };
}

// Made on first use, as the client's lazy-body Response is (see response.ts): extending
// `Request` as the module loads would load the runtime's fetch implementation for every user.
let serverRequest: ReturnType<typeof makeServerRequest> | null = null;

/** What `requestFromNv` makes of a header list: a `Request`, or why there is none. */
export type Built = { readonly request: Request } | { readonly error: string };

/**
 * The `Request` of a SYN_STREAM header list, or why there is none. Its
 * `signal` is `signal` (or what the function gives, asked on first read);
 * `clone()` and `fetch(request)` use the Request's internal one, which does
 * not abort.
 */
export function requestFromNv(
  nv: Nv,
  body: ReadableStream<Uint8Array> | null,
  defaultScheme: string,
  signal: AbortSignal | (() => AbortSignal),
): Built {
  for (const name of REQUIRED_REQUEST_HEADERS) {
    if (name !== ':scheme' && name !== ':version' && !nvGet(nv, name)) return { error: `missing ${name}` };
  }
  const method = nvGet(nv, ':method')!;
  const scheme = nvGet(nv, ':scheme') ?? defaultScheme;
  const path = nvGet(nv, ':path')!;
  const origin = `${scheme}://${nvGet(nv, ':host')}`;
  // The common case is left to the Request to parse, once; SPDY/2 clients
  // may put a whole URL in `url`, which `new URL` keeps as it is.
  const url = path.startsWith('/') && !path.startsWith('//') ? origin + path : resolved(path, origin);
  if (url === null) return { error: MALFORMED_URL };
  const hasBody = !isBodiless(method);
  if (!hasBody) body?.cancel().catch(() => undefined);
  try {
    const init: RequestInit & { duplex?: 'half' } = { method };
    if (hasBody && body) {
      init.body = body;
      init.duplex = 'half';
    }
    const request = new (serverRequest ??= makeServerRequest())(url, init, signal);
    appendNvHeaders(request.headers, nv);
    return { request };
  } catch (err) {
    return { error: resolved(url, origin) === null ? MALFORMED_URL : (err as Error).message };
  }
}

const MALFORMED_URL = 'malformed :host or :path';

/** `path` resolved against `origin`, or null if that is no URL. */
function resolved(path: string, origin: string): string | null {
  try {
    return new URL(path, origin).href;
  } catch {
    return null;
  }
}

/** GET and HEAD requests carry no body. */
const isBodiless = (method: string | undefined): boolean => method === 'GET' || method === 'HEAD';

/** Sends `response` on `stream` (SYN_REPLY, then its body); resolves when the body is sent. */
export function sendResponse(stream: SpdyStream, response: Response, headOnly = false): Promise<void> {
  try {
    const body = headOnly ? null : response.body;
    if (headOnly) response.body?.cancel().catch(() => undefined);
    const nv = responseNv(response);
    return body ? stream.respond(nv, { body }) : stream.respond(nv, { endStream: true });
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Serves the requests of one session with `handler` until the session
 * ends. Resolves when every request of the session has been answered.
 */
export async function serveSession(session: SpdySession, handler: RequestHandler, options: SessionServeOptions): Promise<void> {
  const open = new OpenRequests();
  const reader = session.incoming.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      void answerStream(session, value, handler, options, open);
    }
  } catch {
    // The session failed: its streams fail with it, their handlers end.
  }
  await open.allDone();
}

/** The requests of a session still being answered, counted without a promise each. */
class OpenRequests {
  private count = 0;
  private done: (() => void) | null = null;

  start(): void {
    this.count++;
  }

  end(): void {
    if (--this.count === 0) this.done?.();
  }

  allDone(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => void (this.done = resolve));
  }
}

/**
 * The reset of a request's stream, watched only once something needs it:
 * the handler reading `request.signal`, or answering asynchronously (a
 * reset stream needs no answer, so the wait for one stops). Most handlers
 * do neither, and their requests make no signal and no extra promises.
 */
class ResetWatch {
  private aborter: AbortController | null = null;
  private gone$: Promise<null> | null = null;
  private resetWith: { readonly reason: unknown } | null = null;

  constructor(private readonly stream: SpdyStream) {}

  /** The request's `signal`: aborted with the stream's failure. */
  signal(): AbortSignal {
    this.gone();
    if (this.resetWith) return AbortSignal.abort(this.resetWith.reason);
    this.aborter = new AbortController();
    return this.aborter.signal;
  }

  /** Resolves with null once the stream has failed; never for a stream that ends well. */
  gone(): Promise<null> {
    return (this.gone$ ??= this.stream.closed.then(() => new Promise<null>(() => undefined), (err: unknown) => {
      this.resetWith = { reason: err };
      this.aborter?.abort(err);
      return null;
    }));
  }
}

/** Answers one request; `open` counts it until it is answered. */
async function answerStream(
  session: SpdySession, stream: SpdyStream, handler: RequestHandler, options: SessionServeOptions, open: OpenRequests,
): Promise<void> {
  open.start();
  try {
    let nv: Nv;
    try {
      nv = await stream.headers;
    } catch {
      return;
    }
    const watch = new ResetWatch(stream);
    // A request whose peer side is over has no body: its readable need not be made.
    const body = stream.peerEnded && isBodiless(nvGet(nv, ':method')) ? null : stream.readable;
    const built = requestFromNv(nv, body, options.scheme, () => watch.signal());
    if ('error' in built) {
      // SPDY/3 section 3.2.1: a request without its required headers gets 400.
      await sendResponse(stream, errorResponse(400, built.error)).catch(() => undefined);
      return;
    }
    const { request } = built;
    let pushes: Array<Promise<void>> | null = null;
    const ctx: RequestContext = {
      streamId: stream.id,
      version: options.version,
      remoteAddress: options.remoteAddress,
      nv,
      push: (path, response) => {
        const task = pushResource(stream, new URL(path, request.url), response);
        (pushes ??= []).push(task.catch(() => undefined));
        return task;
      },
    };
    let response: Response;
    try {
      const answer = handler(request, ctx);
      if (answer instanceof Response) {
        response = answer;
      } else {
        const first = await Promise.race([answer, watch.gone()]);
        if (first === null) {
          Promise.resolve(answer).then((late) => late?.body?.cancel().catch(() => undefined), () => undefined);
          return;
        }
        if (!(first instanceof Response)) throw new InvalidArgumentError('the handler did not return a Response');
        response = first;
      }
    } catch (err) {
      options.onError?.(err, request);
      response = errorResponse(500);
    }
    try {
      await sendResponse(stream, response, request.method === 'HEAD');
    } catch {
      // The client went away (the stream is reset already, and this does nothing) or the body failed.
      stream.reset(INTERNAL_ERROR);
      response.body?.cancel().catch(() => undefined);
    }
    if (pushes) await Promise.all(pushes);
    // Answered in full while the request's body is still coming and nobody
    // reads it (a 401 or a 413 to an upload): the client is told to stop
    // (CANCEL), as an HTTP/2 server resets such a stream and Node's HTTP
    // server drains the body. Left open, the stream would keep its share of
    // the connection window for good, and a few such uploads would stall
    // every stream of the session.
    session.cancelIfUntouched(stream.id);
  } finally {
    open.end();
  }
}

/** Pushes `response` as `url` under `parent`. */
async function pushResource(parent: SpdyStream, url: URL, response: Response): Promise<void> {
  const head = responseNv(response);
  const nv: Nv = [
    [':scheme', url.protocol.slice(0, -1)],
    [':host', url.host],
    [':path', `${url.pathname}${url.search}`],
    ...head,
  ];
  const body = response.body;
  // The body follows in the background; one that fails resets the pushed stream.
  await parent.push(nv, body ? { body } : { endStream: true });
}
