/**
 * A body handed to `respond()` together with the reply: bytes or text sent
 * whole, or a readable copied chunk by chunk into the stream's sending half.
 * No `WritableStream` is made, and the FIN rides on the last DATA frame: the
 * next chunk is asked for while one goes out, so an end that comes at once
 * (as it does for a body made from bytes, like most `Response` bodies) is
 * known before that chunk's last frame is framed, and no empty DATA frame
 * follows it.
 */
import { INTERNAL_ERROR } from '../base/constants.js';
import { InvalidArgumentError } from '../base/errors.js';
import { isReadableStream } from '../base/web-streams.js';
import type { NvInput } from '../codec/nv.js';
import type { StreamController } from './spdy-stream.js';

/** A body `respond()` takes: bytes, text (sent as UTF-8) or a stream of bytes of any implementation. */
export type ReplyBody = Uint8Array | string | ReadableStream<Uint8Array>;

const encoder = new TextEncoder();
const ignore = (): void => undefined;

/**
 * Sends SYN_REPLY `nv` on `c`, then `body`. Resolves once the body's bytes
 * are written and its FIN sent. A body stream that fails resets the stream
 * with INTERNAL_ERROR; a stream that fails first cancels the body.
 */
export function respondWithBody(c: StreamController, nv: NvInput, body: ReplyBody): Promise<void> {
  const bytes = typeof body === 'string' ? encoder.encode(body) : body instanceof Uint8Array ? body : null;
  if (bytes?.length === 0) return c.host.respond(c, nv, true);
  if (bytes === null && !isReadableStream(body)) {
    return Promise.reject(new InvalidArgumentError('a reply body is a Uint8Array, a string or a ReadableStream'));
  }
  const refused = c.host.refusal(c);
  if (refused) return Promise.reject(refused);
  const reader = bytes === null ? (body as ReadableStream<Uint8Array>).getReader() : null;
  try {
    c.outbound.claim(reader);
  } catch (err) {
    reader?.releaseLock();
    return Promise.reject(err);
  }
  const replied = c.host.respond(c, nv, false);
  if (bytes !== null) {
    // Both are queued before the Session reads the body: one run of DATA, FIN on the last frame.
    return Promise.all([replied, c.outbound.send(bytes), c.outbound.end()]).then(ignore);
  }
  replied.catch(ignore);
  return copy(c, reader!).then(() => replied, (err: unknown) => {
    c.reset(INTERNAL_ERROR);
    reader!.cancel(err).catch(ignore);
    throw err;
  });
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
      const fin = half.end();
      await sent;
      return fin;
    }
    await sent;
  }
  return half.end();
}
