/**
 * A SPDY reply as a WHATWG `Response`: `:status` becomes `status` and
 * `statusText`, the other headers `headers`, the stream's readable the body
 * (its gzip or deflate content coding undone).
 */
import type { NvInput } from '../codec/nv.js';
import { decodeContentCoding } from './content-coding.js';
import { headersFromNv, isNullBodyStatus, nvGet, parseStatus } from './headers.js';

/** A reply header block that cannot be an HTTP response. */
export class InvalidResponseError extends TypeError {
  override name = 'InvalidResponseError';
}

/**
 * Builds the `Response` of a reply. `url` becomes `response.url`. Throws
 * `InvalidResponseError` when `:status` is missing or not a final status,
 * or a header is not valid HTTP.
 */
export function responseFromNv(nv: NvInput, body: ReadableStream<Uint8Array> | null, url: string): Response {
  const parsed = parseStatus(nvGet(nv, ':status'));
  if (!parsed || parsed.status < 200 || parsed.status > 599) {
    throw new InvalidResponseError(`invalid :status ${JSON.stringify(nvGet(nv, ':status') ?? null)}`);
  }
  let headers: Headers;
  try {
    headers = headersFromNv(nv);
  } catch (err) {
    throw new InvalidResponseError(`invalid response header: ${(err as Error).message}`);
  }
  const nullBody = isNullBodyStatus(parsed.status);
  if (nullBody && body) body.cancel().catch(() => undefined);
  // As fetch does: the body comes decoded, the headers stay as sent.
  const decoded = body && !nullBody ? decodeContentCoding(body, headers.get('content-encoding')) : null;
  const response = new Response(decoded, {
    status: parsed.status,
    statusText: parsed.statusText,
    headers,
  });
  // A constructed Response has an empty url; fetch()'s has the request's.
  Object.defineProperty(response, 'url', { value: url, enumerable: true });
  return response;
}
