/**
 * A body given whole with its header frame (`respond`, `openStream` or
 * `push` with `body`): bytes or text sent at once, or a readable copied
 * chunk by chunk into the stream's sending half. No `WritableStream` is
 * made, and the FIN rides on the last DATA frame: the next chunk is asked
 * for while one goes out, so an end that comes at once (as it does for a
 * body made from bytes, like most `Response` bodies) is known before that
 * chunk's last frame is framed, and no empty DATA frame follows it.
 */
import { INTERNAL_ERROR } from '../base/constants.js';
import { InvalidArgumentError } from '../base/errors.js';
import { isReadableStream } from '../base/web-streams.js';
import type { StreamController } from './spdy-stream.js';

/** A body given whole: bytes, text (sent as UTF-8) or a stream of bytes of any implementation. */
export type StreamBody = Uint8Array | string | ReadableStream<Uint8Array>;

/** What `sendWithBody` started: the header frame's promise, and the body's. */
export interface BodySend<T> {
  /** `start`'s promise (the reply sent, the stream open). */
  readonly started: Promise<T>;
  /**
   * Resolves once the body's bytes are written and its FIN sent; rejects if
   * the body or the stream fails. Never unhandled.
   */
  readonly sent: Promise<void>;
}

const encoder = new TextEncoder();
const ignore = (): void => undefined;

/** The refusal of a header frame asked to carry FIN and a body at once. */
export function bodyWithEndStream(): InvalidArgumentError {
  return new InvalidArgumentError('a body and endStream do not go together');
}

/**
 * Starts a header frame as `options` ask: `start(endStream)` with no body;
 * with one, as `sendWithBody` does, resolving as `start` does while the body
 * goes on in the background.
 */
export function startWithBody<T>(
  c: StreamController, options: { readonly endStream?: boolean; readonly body?: StreamBody },
  start: (endStream: boolean) => Promise<T>,
): Promise<T> {
  if (options.body === undefined) return start(options.endStream ?? false);
  if (options.endStream) return Promise.reject(bodyWithEndStream());
  return sendWithBody(c, options.body, start).started;
}

/**
 * Gives `body` to `c`'s sending half, then starts the header frame with
 * `start(endStream)` (with FIN when the body is empty). A body stream that
 * fails resets the stream with INTERNAL_ERROR; a stream that fails first
 * cancels the body. A body that is none of the three, or a half already
 * written through `writable`, is refused before anything starts.
 */
export function sendWithBody<T>(
  c: StreamController, body: StreamBody, start: (endStream: boolean) => Promise<T>,
): BodySend<T> {
  const bytes = typeof body === 'string' ? encoder.encode(body) : body instanceof Uint8Array ? body : null;
  if (bytes?.length === 0) return { started: start(true), sent: Promise.resolve() };
  if (bytes === null && !isReadableStream(body)) {
    return refused(new InvalidArgumentError('a body is a Uint8Array, a string or a ReadableStream'));
  }
  const reader = bytes === null ? (body as ReadableStream<Uint8Array>).getReader() : null;
  try {
    c.outbound.claim(reader);
  } catch (err) {
    reader?.releaseLock();
    return refused(err);
  }
  const started = start(false);
  let sent: Promise<void>;
  if (bytes !== null) {
    // Both are queued before the Session reads the body: one run of DATA, FIN on the last frame.
    const written = c.outbound.send(bytes);
    const fin = c.outbound.end();
    sent = Promise.all([written, fin]).then(ignore);
  } else {
    sent = copy(c, reader!).catch((err: unknown) => {
      reader!.cancel(err).catch(ignore);
      // A stream we open has no id until its SYN_STREAM is out: the reset waits for that.
      started.then(() => c.reset(INTERNAL_ERROR), ignore);
      throw err;
    });
  }
  sent.catch(ignore);
  return { started, sent };
}

function refused<T>(err: unknown): BodySend<T> {
  const sent = Promise.reject(err);
  sent.catch(ignore);
  return { started: Promise.reject(err), sent };
}

/** Copies what `reader` yields into `c`'s sending half, then ends it. */
async function copy(c: StreamController, reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  const half = c.outbound;
  let result = await reader.read();
  while (!result.done) {
    const sent = half.send(result.value);
    // Awaited below, after the next read: a failure meanwhile is not unhandled.
    sent?.catch(ignore);
    result = await reader.read();
    if (result.done) {
      // Both settle with the same reason if the stream fails: the one awaited first throws it.
      const fin = half.end();
      fin.catch(ignore);
      await sent;
      return fin;
    }
    await sent;
  }
  return half.end();
}
