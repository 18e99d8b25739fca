/**
 * The HTTP/1.1 way into SPDY: the client asks `Connection: Upgrade`,
 * `Upgrade: SPDY/3.1`; the server answers `101 Switching Protocols` and both
 * speak SPDY on the same connection from the next byte on. Bytes that follow
 * the 101 in the same read belong to SPDY and are kept.
 */
import { concatBytes } from '../base/bytes.js';
import { ConnectionClosedError, HandshakeError, InvalidArgumentError } from '../base/errors.js';
import { ERR_NOT_HTTP, ERR_UPGRADE_REFUSED, PROTO_SPDY3_1, type ProtocolVersion } from '../base/constants.js';
import { resolveConfig } from '../base/config.js';
import { npnGetVersion } from '../codec/npn.js';
import type { Transport } from '../streams/transport.js';
import { formatHead, headerTokens, headLength, parseHead, type HttpHead } from './http1.js';
import { PrefaceReader } from './preface.js';

/** Bytes an HTTP/1.1 head may take before the handshake is given up. */


/** The `Upgrade` token of a SPDY version: `SPDY/3.1`. */
export function upgradeToken(version: ProtocolVersion): string {
  return version === PROTO_SPDY3_1 ? 'SPDY/3.1' : `SPDY/${version}`;
}

/** The SPDY version an `Upgrade` token names (case-insensitive), or 0. */
export function upgradeTokenVersion(token: string): ProtocolVersion | 0 {
  return npnGetVersion(token.trim().toLowerCase());
}

/** The server did not switch protocols. */
export class UpgradeRefusedError extends HandshakeError {
  constructor(
    /** The HTTP status of the refusal (0 if the answer was not HTTP). */
    readonly status: number,
    /** The server's answer, when it was HTTP/1.1. */
    readonly head: HttpHead | null,
    /**
     * The answer's body (chunked encoding undone), up to
     * `maxRefusalBody` bytes, when the request asked for it; null otherwise.
     */
    readonly body: Uint8Array | null = null,
  ) {
    super(
      status ? `the server refused to upgrade to SPDY: HTTP ${status}` : 'the server did not answer the upgrade in HTTP/1.1',
      { code: ERR_UPGRADE_REFUSED },
    );
  }
}

/** Options of `requestUpgrade`. */
export interface UpgradeRequestOptions {
  /** The `Host` header. */
  host: string;
  /** Default `/`. */
  path?: string;
  /** Default `GET` (Kubernetes uses `POST` for exec). */
  method?: string;
  /** Default PROTO_SPDY3_1. */
  version?: ProtocolVersion;
  /** More request headers (`X-Stream-Protocol-Version`, `Authorization`, ...). */
  headers?: ReadonlyArray<readonly [string, string]>;
  /** The longest answer head read before giving up. Default `config.maxUpgradeHeadSize`'s, 16384. */
  maxHeadSize?: number;
  /**
   * Bytes of a refusal's body to read into `UpgradeRefusedError.body`
   * (Kubernetes sends a `metav1.Status` there). Default 0: the body is not
   * read and `body` is null.
   */
  maxRefusalBody?: number;
}

/** The default of `maxUpgradeHeadSize`, for callers with no config of their own. */
const DEFAULT_MAX_HEAD = resolveConfig({}).maxUpgradeHeadSize;

/** A transport whose HTTP/1.1 `Upgrade: SPDY/3.1` was answered `101`, and the version agreed. */
export interface UpgradeResult {
  /** The connection, now carrying SPDY. */
  readonly transport: Transport;
  /** The version the two ends agreed on. */
  readonly version: ProtocolVersion;
  /** The head of the 101 answer (client) or of the request (server). */
  readonly head: HttpHead;
}

async function writeAll(transport: Transport, bytes: Uint8Array): Promise<void> {
  const writer = transport.writable.getWriter();
  try {
    await writer.write(bytes);
  } finally {
    writer.releaseLock();
  }
}

function readHead(reader: PrefaceReader, maxHeadSize: number): Promise<HttpHead> {
  return reader.readUntil((bytes, ended) => {
    const n = headLength(bytes);
    if (n < 0) {
      if (ended) throw new ConnectionClosedError('connection closed before the end of the HTTP/1.1 head');
      return undefined;
    }
    const head = parseHead(bytes.subarray(0, n));
    reader.consume(n);
    return head;
  }, maxHeadSize);
}

/** Client side: asks the server on `transport` to switch to SPDY. Throws `UpgradeRefusedError` if it does not. */
export async function requestUpgrade(transport: Transport, options: UpgradeRequestOptions): Promise<UpgradeResult> {
  const version = options.version ?? PROTO_SPDY3_1;
  const token = upgradeToken(version);
  await writeAll(
    transport,
    formatHead(`${options.method ?? 'GET'} ${options.path ?? '/'} HTTP/1.1`, [
      ['Host', options.host],
      ['Connection', 'Upgrade'],
      ['Upgrade', token],
      ...(options.headers ?? []),
    ]),
  );
  const reader = new PrefaceReader(transport);
  let head: HttpHead;
  try {
    head = await readHead(reader, options.maxHeadSize ?? DEFAULT_MAX_HEAD);
  } catch (err) {
    await reader.abandon(err);
    throw err instanceof HandshakeError && err.code === ERR_NOT_HTTP ? new UpgradeRefusedError(0, null) : err;
  }
  const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(head.startLine)?.[1] ?? 0);
  const agreed = headerTokens(head, 'upgrade').map(upgradeTokenVersion).find((v) => v !== 0);
  if (status !== 101 || !agreed) {
    const maxBody = options.maxRefusalBody ?? 0;
    const body = maxBody > 0 && status !== 101 ? await readRefusalBody(reader, head, status, maxBody) : null;
    await reader.abandon();
    throw new UpgradeRefusedError(status, head, body);
  }
  return { transport: reader.release(), version: agreed, head };
}

/**
 * A refusal's body after its head, up to `max` bytes: as long as
 * `Content-Length` says, chunked encoding undone, or up to the end of the
 * connection when the answer says neither. Whatever came before the
 * connection failed or ended counts.
 */
async function readRefusalBody(reader: PrefaceReader, head: HttpHead, status: number, max: number): Promise<Uint8Array> {
  if (status === 204 || status === 304) return new Uint8Array(0);
  const chunked = headerTokens(head, 'transfer-encoding').some((t) => t.toLowerCase() === 'chunked');
  const length = chunked ? NaN : Number(headerTokens(head, 'content-length')[0] ?? NaN);
  const decide = (bytes: Uint8Array, ended: boolean): Uint8Array | undefined => {
    if (chunked) {
      const { body, complete } = dechunk(bytes);
      return complete || ended || body.length >= max || bytes.length >= max * 2 ? body.subarray(0, max) : undefined;
    }
    const want = Number.isFinite(length) ? Math.min(length, max) : max;
    return bytes.length >= want || ended ? bytes.subarray(0, want) : undefined;
  };
  try {
    // Chunk framing may take room of its own beside the body's bytes.
    return await reader.readUntil(decide, max * 2 + 64);
  } catch {
    return decide(reader.buffered, true) ?? new Uint8Array(0);
  }
}

/** The bytes of a chunked body as far as it goes, and whether its last chunk came. */
function dechunk(bytes: Uint8Array): { body: Uint8Array; complete: boolean } {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (;;) {
    const eol = indexOfCrlf(bytes, at);
    if (eol < 0) break;
    let sizeText = '';
    for (let i = at; i < eol; i++) sizeText += String.fromCharCode(bytes[i]!);
    const size = parseInt(sizeText.split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size) || size < 0) break;
    if (size === 0) return { body: concatBytes(parts), complete: true };
    const start = eol + 2;
    const available = Math.min(size, bytes.length - start);
    parts.push(bytes.subarray(start, start + available));
    if (available < size) break;
    at = start + size + 2;
  }
  return { body: concatBytes(parts), complete: false };
}

function indexOfCrlf(bytes: Uint8Array, from: number): number {
  for (let i = from; i + 1 < bytes.length; i++) if (bytes[i] === 13 && bytes[i + 1] === 10) return i;
  return -1;
}

/** The version a request head asks to upgrade to, of those in `accepted`; 0 if none. */
export function requestedVersion(head: HttpHead, accepted: readonly ProtocolVersion[]): ProtocolVersion | 0 {
  for (const token of headerTokens(head, 'upgrade')) {
    const v = upgradeTokenVersion(token);
    if (v !== 0 && accepted.includes(v)) return v;
  }
  return 0;
}

/** The 101 answer that switches to `version`, with the application's `extra` headers. */
export function switchingProtocolsHead(version: ProtocolVersion, extra: ReadonlyArray<readonly [string, string]> = []): Uint8Array {
  return formatHead('HTTP/1.1 101 Switching Protocols', [
    ['Connection', 'Upgrade'],
    ['Upgrade', upgradeToken(version)],
    ...checkedHeaders(extra),
  ]);
}

/** A refusal of the Upgrade, as the application words it: status, headers and a text body. */
export function refusalResponse(refusal: UpgradeRefusal): Uint8Array {
  const body = new TextEncoder().encode(refusal.body ?? '');
  const head = formatHead(`HTTP/1.1 ${refusal.status} ${statusReason(refusal.status)}`, [
    ...checkedHeaders(refusal.headers ?? []),
    ['Connection', 'close'],
    ['Content-Length', String(body.length)],
  ]);
  return concatBytes([head, body]);
}

/** How an application answers an Upgrade request it was asked about. */
export type UpgradeDecision =
  /** Switch, adding these headers to the 101 (Kubernetes: `X-Stream-Protocol-Version`). */
  | { readonly headers?: ReadonlyArray<readonly [string, string]> }
  /** Do not switch: answer with this instead and close. */
  | { readonly refuse: UpgradeRefusal };

/** An answer that refuses an Upgrade (Kubernetes: 403 with `X-Accepted-Stream-Protocol-Versions`). */
export interface UpgradeRefusal {
  /** An HTTP status from 400 to 599. */
  readonly status: number;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: string;
}

/** Header lines the application adds: no line breaks may smuggle in more. */
function checkedHeaders(headers: ReadonlyArray<readonly [string, string]>): ReadonlyArray<readonly [string, string]> {
  for (const [name, value] of headers) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n]/.test(value)) {
      throw new InvalidArgumentError(`not a valid HTTP header: ${JSON.stringify(name)}`);
    }
  }
  return headers;
}

const statusReason = (status: number): string => {
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new InvalidArgumentError(`a refusal's status is from 400 to 599, not ${String(status)}`);
  }
  return status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : status === 400 ? 'Bad Request' : 'Refused';
};

/** The answer to an HTTP/1.1 request that does not ask for SPDY. */
export function upgradeRequiredResponse(version: ProtocolVersion): Uint8Array {
  const body = `This server speaks SPDY only; ask for it with "Upgrade: ${upgradeToken(version)}".\n`;
  const head = formatHead('HTTP/1.1 426 Upgrade Required', [
    ['Upgrade', upgradeToken(version)],
    ['Connection', 'close'],
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['Content-Length', String(body.length)],
  ]);
  const bytes = new TextEncoder().encode(body);
  const out = new Uint8Array(head.length + bytes.length);
  out.set(head);
  out.set(bytes, head.length);
  return out;
}

/**
 * Server side, with the request not yet read: reads the HTTP/1.1 head from
 * `reader`; if it asks for a SPDY version of `accepted` (most preferred first
 * in the client's list), answers 101 and returns the SPDY transport. Otherwise
 * answers 426 and closes the connection, and returns `null`.
 */
export async function acceptUpgrade(
  reader: PrefaceReader,
  transport: Transport,
  accepted: readonly ProtocolVersion[],
  maxHeadSize = DEFAULT_MAX_HEAD,
): Promise<UpgradeResult | null> {
  let head: HttpHead;
  try {
    head = await readHead(reader, maxHeadSize);
  } catch (err) {
    await reader.abandon(err);
    return null;
  }
  const version = requestedVersion(head, accepted);
  if (version === 0) {
    await writeAll(transport, upgradeRequiredResponse(accepted[0] ?? PROTO_SPDY3_1)).catch(() => undefined);
    await reader.abandon();
    return null;
  }
  await writeAll(transport, switchingProtocolsHead(version));
  return { transport: reader.release(), version, head };
}
