/**
 * The client's HTTP/1.1 exchange that opens a Kubernetes streaming
 * connection: a request with `Upgrade: SPDY/3.1` and the offered
 * `X-Stream-Protocol-Version`s, answered by `101 Switching Protocols` (the
 * connection then carries SPDY, bytes after the head included) or by a
 * refusal whose body is a `metav1.Status`. Kept here, small and
 * Kubernetes-shaped, so that it runs over any transport.
 */
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

/** Values of header `name` (lower case), comma lists split. */
export function headerValues(head: ResponseHead, name: string): string[] {
  return head.headers
    .filter(([n]) => n === name)
    .flatMap(([, v]) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function indexOfHeadEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function parseResponseHead(text: string): ResponseHead {
  const [statusLine = '', ...lines] = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine);
  if (!m) throw new KubeError(`the server did not answer in HTTP/1.1: ${JSON.stringify(statusLine.slice(0, 80))}`);
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { status: Number(m[1]), reason: m[2] ?? '', headers };
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
  const length = Number(headerValues(head, 'content-length')[0] ?? NaN);
  const chunked = headerValues(head, 'transfer-encoding').some((v) => v.toLowerCase() === 'chunked');
  let body = first;
  const complete = (): boolean => (Number.isFinite(length) ? body.length >= length
    : chunked ? decoder.decode(body.subarray(-7)).endsWith('0\r\n\r\n') : false);
  while (!complete() && body.length < MAX_BODY) {
    const { value, done } = await reader.read();
    if (done) break;
    body = concat(body, value);
  }
  if (Number.isFinite(length)) body = body.subarray(0, length);
  return chunked ? unchunk(body) : body;
}

/** The refusal as a `KubeError`: the `metav1.Status` body read, a 403's accepted protocols named. */
function refusal(head: ResponseHead, body: Uint8Array): KubeError {
  const text = decoder.decode(body).trim();
  let parsed: KubeStatus | string | null = text === '' ? null : text;
  try {
    const json: unknown = JSON.parse(text);
    if (json && typeof json === 'object') parsed = json as KubeStatus;
  } catch {
    // Not JSON (the kubelet's 403 is plain text): keep the text.
  }
  const accepted = headerValues(head, ACCEPTED_PROTOCOLS_HEADER.toLowerCase());
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
    while ((end = indexOfHeadEnd(buffered)) < 0) {
      if (buffered.length > MAX_HEAD) throw new KubeError('the answer to the upgrade has an oversized head');
      const { value, done } = await reader.read();
      if (done) throw new KubeError('the server closed the connection before answering the upgrade');
      buffered = concat(buffered, value);
    }
    const head = parseResponseHead(decoder.decode(buffered.subarray(0, end)));
    const rest = buffered.subarray(end + 4);
    if (head.status !== 101) throw refusal(head, await readBody(reader, head, rest));
    const protocol = headerValues(head, PROTOCOL_HEADER.toLowerCase())[0] ?? '';
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
