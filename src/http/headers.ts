/**
 * HTTP messages as SPDY header lists. SPDY replaces the request and status
 * lines with `:method :path :version :host :scheme` and `:status :version`,
 * and forbids the HTTP/1.1 connection headers: real peers (Go's spdystream)
 * drop the whole connection when they see one, so they are never sent.
 */
import type { Nv, NvInput } from '../codec/nv.js';
import { statusText } from './status-text.js';

/** Connection-level HTTP/1.1 headers that have no meaning in SPDY. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection', 'host', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade',
]);

/** The headers every SPDY request carries. */
export const REQUIRED_REQUEST_HEADERS = [':method', ':path', ':version', ':host', ':scheme'] as const;

/**
 * Appends `headers` to `nv`, lower-cased, without hop-by-hop headers and with
 * repeated names joined by NUL in one entry (as SPDY wants them).
 */
function appendHeaders(nv: Nv, headers: Headers): Nv {
  const merged = new Map<string, string[]>();
  headers.forEach((value, name) => {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) return;
    const values = merged.get(lower);
    if (values) values.push(value);
    else merged.set(lower, [value]);
  });
  for (const [name, values] of merged) nv.push([name, values.join('\0')]);
  return nv;
}

/** The SYN_STREAM header list of a request for `url` (with `headers`, if any). */
export function requestNv(url: URL, method: string, headers: Headers | null): Nv {
  const nv: Nv = [
    [':method', method],
    [':path', `${url.pathname}${url.search}`],
    [':version', 'HTTP/1.1'],
    [':host', url.host],
    [':scheme', url.protocol.slice(0, -1)],
  ];
  return headers ? appendHeaders(nv, headers) : nv;
}

/** The SYN_REPLY header list of a response: `:status` as `200 OK`. */
export function responseNv(response: { status: number; statusText: string; headers: Headers }): Nv {
  const reason = response.statusText || statusText(response.status);
  return appendHeaders(
    [
      [':status', reason ? `${response.status} ${reason}` : String(response.status)],
      [':version', 'HTTP/1.1'],
    ],
    response.headers,
  );
}

/** The first value of `name` in a header list. */
export function nvGet(nv: NvInput, name: string): string | undefined {
  for (const [n, v] of nv) if (n === name) return v;
  return undefined;
}

/**
 * A `Headers` object of the ordinary (non-colon) entries of `nv`; NUL-joined
 * values become separate values. Names or values that HTTP does not allow
 * make it throw a `TypeError`.
 */
export function headersFromNv(nv: NvInput): Headers {
  return appendNvHeaders(new Headers(), nv);
}

/**
 * Appends the ordinary (non-colon) entries of `nv` to `headers`, a
 * NUL-joined value as one value each, and returns `headers`. Filling the
 * `headers` of a `Request` or `Response` made without any costs less than
 * giving them in its init, which the runtime converts and copies. Throws a
 * `TypeError` for names or values that HTTP does not allow.
 */
export function appendNvHeaders(headers: Headers, nv: NvInput): Headers {
  for (const [name, value] of nv) {
    if (name.charCodeAt(0) === 0x3a) continue;
    if (value.includes('\0')) for (const part of value.split('\0')) headers.append(name, part);
    else headers.append(name, value);
  }
  return headers;
}

/** `:status` parsed: `200 OK` → `{ status: 200, statusText: 'OK' }`; `null` when malformed. */
export function parseStatus(value: string | undefined): { status: number; statusText: string } | null {
  if (value === undefined) return null;
  const match = /^(\d{3})(?: (.*))?$/.exec(value.trim());
  if (!match) return null;
  return { status: Number(match[1]), statusText: match[2] ?? '' };
}

/** Statuses whose responses have no body, which `new Response()` refuses one for. */
export function isNullBodyStatus(status: number): boolean {
  return status === 101 || status === 103 || status === 204 || status === 205 || status === 304;
}
