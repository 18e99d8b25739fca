/**
 * The client's HTTP/1.1 exchange that opens a Kubernetes streaming
 * connection: a request with `Upgrade: SPDY/3.1` and the offered
 * `X-Stream-Protocol-Version`s, answered by `101 Switching Protocols` (the
 * connection then carries SPDY, bytes after the head included) or by a
 * refusal whose body is a `metav1.Status`. Kept here, small and
 * Kubernetes-shaped, so that it runs over any transport.
 */
import { concatBytes } from '../base/bytes.js';
import { ReadableStream } from '../base/web-streams.js';
import { headLength, headerTokens, parseHead, type HttpHead } from '../handshake/http1.js';
import type { Transport } from '../streams/transport.js';
import { ACCEPTED_PROTOCOLS_HEADER, PROTOCOL_HEADER } from './protocols.js';
import { KubeError, type KubeStatus } from './errors.js';

/** Bytes the answer's head may take before it is given up on. */
const MAX_HEAD = 16384;
/** Bytes of a refusal's body kept for the error. */
const MAX_BODY = 65536;

/** What the client asks for. */
export interface KubeUpgradeRequest {
  readonly method: 'POST' | 'GET';
  /** `Host` header value. */
  readonly host: string;
  /** Path and query. */
  readonly path: string;
  readonly protocols: readonly string[];
  /** More headers (`Authorization`). */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
}

/** A parsed HTTP/1.1 response head. */
export interface ResponseHead {
  readonly status: number;
  readonly reason: string;
  /** Names in lower case, in order, repeated names kept. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

/** The upgraded connection. */
export interface KubeUpgraded {
  /** The connection, now carrying SPDY; bytes that came with the 101 are read first. */
  readonly transport: Transport;
  /** The protocol the server chose (its `X-Stream-Protocol-Version`); '' when it named none. */
  readonly protocol: string;
  readonly head: ResponseHead;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The request head, as kubectl writes it. */
export function upgradeRequestHead(req: KubeUpgradeRequest): string {
  const lines = [
    `${req.method} ${req.path} HTTP/1.1`,
    `Host: ${req.host}`,
    'Connection: Upgrade',
    'Upgrade: SPDY/3.1',
    ...req.protocols.map((p) => `${PROTOCOL_HEADER}: ${p}`),
    ...(req.headers ?? []).map(([n, v]) => `${n}: ${v}`),
    'Content-Length: 0',
  ];
  for (const line of lines) {
    if (/[\r\n]/.test(line)) throw new KubeError('a request header holds a line break');
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** The status line and headers of an HTTP/1.1 answer; anything else is a `KubeError`. */
function parseResponseHead(bytes: Uint8Array): ResponseHead {
  let parsed: HttpHead;
  try {
    parsed = parseHead(bytes);
  } catch (err) {
    throw new KubeError('the server did not answer the upgrade in HTTP/1.1', { cause: err });
  }
  const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(parsed.startLine);
  if (!m) throw new KubeError(`the server did not answer in HTTP/1.1: ${JSON.stringify(parsed.startLine.slice(0, 80))}`);
  return { status: Number(m[1]), reason: m[2] ?? '', headers: parsed.headers };
}

/** A readable that yields `first` and then the rest of `reader`. */
function prefixed(first: Uint8Array, reader: ReadableStreamDefaultReader<Uint8Array>): ReadableStream<Uint8Array> {
  let pending: Uint8Array | null = first.length > 0 ? first : null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pending) {
        controller.enqueue(pending);
        pending = null;
        return;
      }
      const { value, done } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** Decodes a chunked body as far as it goes (a refusal's body is small). */
function unchunk(bytes: Uint8Array): Uint8Array {
  const text = decoder.decode(bytes);
  let out = '';
  let at = 0;
  for (;;) {
    const eol = text.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(text.slice(at, eol), 16);
    if (!(size > 0)) break;
    out += text.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
  return encoder.encode(out);
}

async function readBody(
  reader: ReadableStreamDefaultReader<Uint8Array>, head: ResponseHead, first: Uint8Array,
): Promise<Uint8Array> {
  const length = Number(headerTokens(head, 'content-length')[0] ?? NaN);
  const chunked = headerTokens(head, 'transfer-encoding').some((v) => v.toLowerCase() === 'chunked');
  let body = first;
  const complete = (): boolean => (Number.isFinite(length) ? body.length >= length
    : chunked ? decoder.decode(body.subarray(-7)).endsWith('0\r\n\r\n') : false);
  while (!complete() && body.length < MAX_BODY) {
    const { value, done } = await reader.read();
    if (done) break;
    body = concatBytes([body, value]);
  }
  if (Number.isFinite(length)) body = body.subarray(0, length);
  return chunked ? unchunk(body) : body;
}

/** The refusal as a `KubeError`: the `metav1.Status` body read, a 403's accepted protocols named. */
export function refusal(head: ResponseHead, body: Uint8Array): KubeError {
  const text = decoder.decode(body).trim();
  let parsed: KubeStatus | string | null = text === '' ? null : text;
  try {
    const json: unknown = JSON.parse(text);
    if (json && typeof json === 'object') parsed = json as KubeStatus;
  } catch {
    // Not JSON (the kubelet's 403 is plain text): keep the text.
  }
  const accepted = headerTokens(head, ACCEPTED_PROTOCOLS_HEADER.toLowerCase());
  const said = typeof parsed === 'string' ? parsed : parsed?.message ?? '';
  let message = `the server refused the upgrade: HTTP ${head.status}${said ? ` ${said}` : ''}`;
  if (head.status === 403 && accepted.length > 0) {
    message += ` (${ACCEPTED_PROTOCOLS_HEADER}: ${accepted.join(', ')})`;
  }
  return new KubeError(message, { status: head.status, body: parsed, acceptedProtocols: accepted });
}

/**
 * Sends the upgrade request on `transport` and reads the answer. Resolves
 * with the SPDY-carrying connection after a 101; rejects with `KubeError`
 * otherwise (the transport is then cancelled).
 */
export async function requestKubeUpgrade(transport: Transport, req: KubeUpgradeRequest): Promise<KubeUpgraded> {
  const writer = transport.writable.getWriter();
  const reader = transport.readable.getReader();
  try {
    await writer.write(encoder.encode(upgradeRequestHead(req)));
    writer.releaseLock();
    let buffered: Uint8Array = new Uint8Array(0);
    let end = -1;
    while ((end = headLength(buffered)) < 0) {
      if (buffered.length > MAX_HEAD) throw new KubeError('the answer to the upgrade has an oversized head');
      const { value, done } = await reader.read();
      if (done) throw new KubeError('the server closed the connection before answering the upgrade');
      buffered = concatBytes([buffered, value]);
    }
    const head = parseResponseHead(buffered.subarray(0, end));
    const rest = buffered.subarray(end);
    if (head.status !== 101) throw refusal(head, await readBody(reader, head, rest));
    const protocol = headerTokens(head, PROTOCOL_HEADER.toLowerCase())[0] ?? '';
    return {
      transport: { readable: prefixed(rest, reader), writable: transport.writable },
      protocol,
      head,
    };
  } catch (err) {
    reader.cancel(err).catch(() => undefined);
    transport.writable.abort(err).catch(() => undefined);
    throw err;
  }
}
