/**
 * The Python binding's callback-style client: one handler object per URL,
 * told about the reply's headers, each piece of data, and the close.
 */
import { INTERNAL_ERROR, OK } from '../base/constants.js';
import type { Nv } from '../codec/nv.js';
import type { SpdySession } from '../streams/spdy-session.js';
import { requestNv } from './headers.js';

/**
 * Handles the retrieval of one URL, which is one SPDY stream. Subclass it
 * and override the `on*` methods; `urlfetch()` makes one per URL.
 */
export class BaseSPDYStreamHandler {
  /** The stream id, set once the request has been sent (null before). */
  streamId: number | null = null;

  constructor(
    /** The URL this handler fetches. */
    readonly url: string,
    /** The driver calling this handler (opaque, as in the Python binding). */
    readonly fetcher: unknown = null,
  ) {}

  /** Called with each header block received (the reply's, then any HEADERS). Default: nothing. */
  onHeader(_nv: Nv): void {}

  /** Called with each piece of the body as it arrives. Default: nothing. */
  onData(_data: Uint8Array): void {}

  /** Called once when the stream closes; `statusCode` is OK (0) or the RST_STREAM status. Default: nothing. */
  onClose(_statusCode: number): void {}
}

/** A `BaseSPDYStreamHandler` subclass, constructed as urlfetch does. */
export type StreamHandlerClass<H extends BaseSPDYStreamHandler = BaseSPDYStreamHandler> =
  new (url: string, fetcher: unknown) => H;

/**
 * The request headers urlfetch sends besides the URL's (as spdycat does).
 * A plain record, not a `Headers`: making one as the module loads would
 * load the runtime's fetch implementation for every user of the package.
 */
export const URLFETCH_HEADERS: Readonly<Record<string, string>> = Object.freeze({ accept: '*/*', 'user-agent': 'spdy-streams urlfetch' });

/** The status a failed stream closed with. */
function closeStatus(err: unknown): number {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' && code > 0 ? code : INTERNAL_ERROR;
}

/**
 * Fetches `handler.url` with GET on `session`, driving the handler's
 * callbacks. Resolves when the stream has closed, after `onClose`. An
 * exception thrown by a callback resets the stream with INTERNAL_ERROR.
 */
export async function runStreamHandler(session: SpdySession, handler: BaseSPDYStreamHandler, headers: Headers | Readonly<Record<string, string>> = URLFETCH_HEADERS): Promise<void> {
  let stream;
  try {
    stream = await session.openStream({
      headers: requestNv(new URL(handler.url), 'GET', new Headers(headers)),
      priority: 3,
      endStream: true,
    });
  } catch (err) {
    handler.onClose(closeStatus(err));
    return;
  }
  handler.streamId = stream.id;
  const closed = stream.closed.then(() => OK, closeStatus);
  try {
    handler.onHeader(await stream.headers);
    const reader = stream.readable.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      handler.onData(value);
    }
    const trailers = await stream.trailers;
    if (trailers.length > 0) handler.onHeader(trailers);
  } catch (err) {
    if ((err as { statusCode?: unknown } | null)?.statusCode === undefined) stream.reset(INTERNAL_ERROR);
  }
  handler.onClose(await closed);
}
