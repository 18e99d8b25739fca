/**
 * Response bodies in `gzip` or `deflate` content coding, decoded as fetch
 * does, with the runtime's `DecompressionStream`. spdylay's spdycat asks
 * for both and so do we.
 */
import { ReadableStream, ownTransform } from '../base/web-streams.js';
import { ZlibError } from '../base/errors.js';

/** The runtime's decompressor, typed as the byte transform it is. */
function decompressor(format: 'gzip' | 'deflate' | 'deflate-raw'): TransformStream<Uint8Array, Uint8Array> {
  return ownTransform(new DecompressionStream(format) as unknown as TransformStream<Uint8Array, Uint8Array>);
}

/** What our client puts in `accept-encoding` when the application does not. */
export const ACCEPTED_CODINGS = 'gzip, deflate';

const codingName = (coding: string | null): string | undefined => coding?.trim().toLowerCase();

/** True when `decodeContentCoding` would change a body in `coding`. */
export function isDecodedCoding(coding: string | null): boolean {
  const name = codingName(coding);
  return name === 'gzip' || name === 'x-gzip' || name === 'deflate';
}

/**
 * `body` with its content coding undone: `gzip` (or `x-gzip`) and `deflate`
 * (zlib-wrapped or, as some servers send it, raw). Other codings, and no
 * coding, leave the body as it is.
 */
export function decodeContentCoding(
  body: ReadableStream<Uint8Array>, coding: string | null,
): ReadableStream<Uint8Array> {
  const name = codingName(coding);
  if (name === 'gzip' || name === 'x-gzip') return failingAsZlibError(body, name, (b) => b.pipeThrough(decompressor('gzip')));
  if (name === 'deflate') return failingAsZlibError(body, name, decodeDeflate);
  return body;
}

/**
 * `decode(body)`, where a body the decompressor cannot read (corrupt, cut
 * short) fails with a `ZlibError` rather than the runtime's own error,
 * while a failure of the body itself (a reset stream, an abort) passes
 * through as it was.
 */
function failingAsZlibError(
  body: ReadableStream<Uint8Array>, coding: string, decode: (body: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>,
): ReadableStream<Uint8Array> {
  const source = body.getReader();
  let bodyFailure: { reason: unknown } | null = null;
  const watched = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await source.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        bodyFailure = { reason: err };
        controller.error(err);
      }
    },
    cancel: (reason) => source.cancel(reason),
  }, { highWaterMark: 0 });
  const decoded = decode(watched).getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await decoded.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        const own = bodyFailure !== null && (bodyFailure as { reason: unknown }).reason === err;
        controller.error(own ? err : new ZlibError(`the response body is not valid ${coding}`, { cause: err }));
      }
    },
    cancel: (reason) => decoded.cancel(reason),
  }, { highWaterMark: 0 });
}

/** A zlib header: compression method 8 and a check value that makes the pair a multiple of 31. */
function isZlibHeader(b0: number, b1: number): boolean {
  return (b0 & 0x0f) === 8 && ((b0 << 8) | b1) % 31 === 0;
}

/**
 * Decodes `deflate`, choosing between the zlib and the raw form from the
 * first two bytes, which may arrive in different chunks. Pull-driven, so a
 * reader that stops reading stops the decompression and the body's source.
 */
function decodeDeflate(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const source = body.getReader();
  let decoded: ReadableStreamDefaultReader<Uint8Array> | null = null;

  const open = async (): Promise<ReadableStreamDefaultReader<Uint8Array> | null> => {
    let head = new Uint8Array(0);
    while (head.length < 2) {
      const { done, value } = await source.read();
      if (done) break;
      const joined = new Uint8Array(head.length + value.length);
      joined.set(head);
      joined.set(value, head.length);
      head = joined;
    }
    if (head.length === 0) return null;
    if (head.length < 2) throw new ZlibError('deflate body too short');
    const inner = decompressor(isZlibHeader(head[0]!, head[1]!) ? 'deflate' : 'deflate-raw');
    const writer = inner.writable.getWriter();
    void (async () => {
      try {
        await writer.write(head);
        for (;;) {
          const { done, value } = await source.read();
          if (done) break;
          await writer.write(value);
        }
        await writer.close();
      } catch (err) {
        await writer.abort(err).catch(() => undefined);
      }
    })();
    return inner.readable.getReader();
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!decoded) {
        const opened = await open();
        if (!opened) return controller.close();
        decoded = opened;
      }
      const { done, value } = await decoded.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel(reason) {
      await Promise.all([source.cancel(reason), decoded?.cancel(reason)]);
    },
  }, { highWaterMark: 0 });
}
