/**
 * Just enough HTTP/1.1 for the `Upgrade: SPDY/3.1` handshake (what
 * Kubernetes exec and port-forward use): message heads, no bodies.
 */
import { ERR_MALFORMED_HEAD, ERR_NOT_HTTP } from '../base/constants.js';
import { HandshakeError } from '../base/errors.js';

/** A parsed HTTP/1.1 message head. Header names are lower-cased. */
export interface HttpHead {
  /** `GET /path HTTP/1.1` or `HTTP/1.1 101 Switching Protocols`. */
  readonly startLine: string;
  readonly headers: ReadonlyArray<readonly [name: string, value: string]>;
}

const CRLFCRLF = [13, 10, 13, 10] as const;

/** The length of the head at the start of `bytes` (through the blank line), or -1 if incomplete. */
export function headLength(bytes: Uint8Array): number {
  outer: for (let i = 0; i + 4 <= bytes.length; i++) {
    for (let j = 0; j < 4; j++) if (bytes[i + j] !== CRLFCRLF[j]) continue outer;
    return i + 4;
  }
  return -1;
}

/** Parses a complete head; throws on anything that is not HTTP/1.x. */
export function parseHead(bytes: Uint8Array): HttpHead {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  const lines = text.split('\r\n');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const startLine = lines.shift();
  if (!startLine || !/HTTP\/1\.\d/.test(startLine)) throw new HandshakeError('not an HTTP/1.x message', { code: ERR_NOT_HTTP });
  const headers: Array<readonly [string, string]> = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HandshakeError(`malformed header line: ${JSON.stringify(line)}`, { code: ERR_MALFORMED_HEAD });
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { startLine, headers };
}

/** All values of `name` in `head`, comma-separated lists split. */
export function headerTokens(head: Pick<HttpHead, 'headers'>, name: string): string[] {
  return head.headers
    .filter(([n]) => n === name)
    .flatMap(([, v]) => v.split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

/** Serialises a head, ending with the blank line. */
export function formatHead(startLine: string, headers: ReadonlyArray<readonly [string, string]>): Uint8Array {
  const text = [startLine, ...headers.map(([n, v]) => `${n}: ${v}`), '', ''].join('\r\n');
  return new TextEncoder().encode(text);
}
