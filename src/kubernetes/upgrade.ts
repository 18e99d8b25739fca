/**
 * The client's HTTP/1.1 exchange that opens a Kubernetes streaming
 * connection: a request with `Upgrade: SPDY/3.1` and the offered
 * `X-Stream-Protocol-Version`s, answered by `101 Switching Protocols` (the
 * connection then carries SPDY, bytes after the head included) or by a
 * refusal whose body is a `metav1.Status`. The exchange itself is the
 * handshake module's `requestUpgrade`; this gives it Kubernetes' shape and
 * its errors.
 */
import { PROTO_SPDY3_1 } from '../base/constants.js';
import { ConnectionClosedError, HandshakeError } from '../base/errors.js';
import { headerTokens, type HttpHead } from '../handshake/http1.js';
import { requestUpgrade, UpgradeRefusedError } from '../handshake/upgrade.js';
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

const decoder = new TextDecoder();

/** The handshake module's head in Kubernetes' shape: the status and reason apart. */
function responseHead(head: HttpHead): ResponseHead {
  const m = /^HTTP\/1\.\d (\d{3}) ?(.*)$/.exec(head.startLine);
  return { status: Number(m?.[1] ?? 0), reason: m?.[2] ?? '', headers: head.headers };
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

/** The request's headers after `Host`, `Connection` and `Upgrade`, as kubectl sends them. */
function requestHeaders(req: KubeUpgradeRequest): Array<readonly [string, string]> {
  const headers: Array<readonly [string, string]> = [
    ...req.protocols.map((p) => [PROTOCOL_HEADER, p] as const),
    ...(req.headers ?? []),
    ['Content-Length', '0'],
  ];
  // The head is written as given: a line break would smuggle in lines of its own.
  for (const text of [req.host, req.path, ...headers.flat()]) {
    if (/[\r\n]/.test(text)) throw new KubeError('a request header holds a line break');
  }
  return headers;
}

/** Gives up `transport` after a failed exchange, as far as it is not already given up. */
function release(transport: Transport, err: unknown): void {
  transport.writable.abort(err).catch(() => undefined);
  if (!transport.readable.locked) transport.readable.cancel(err).catch(() => undefined);
}

/**
 * Sends the upgrade request on `transport` and reads the answer. Resolves
 * with the SPDY-carrying connection after a 101 (with the transport's
 * gathered `writev` if it had one); rejects with `KubeError` otherwise (the
 * transport is then given up).
 */
export async function requestKubeUpgrade(transport: Transport, req: KubeUpgradeRequest): Promise<KubeUpgraded> {
  const headers = requestHeaders(req);
  try {
    const upgraded = await requestUpgrade(transport, {
      host: req.host,
      path: req.path,
      method: req.method,
      version: PROTO_SPDY3_1,
      headers,
      maxHeadSize: MAX_HEAD,
      maxRefusalBody: MAX_BODY,
    });
    const head = responseHead(upgraded.head);
    const protocol = headerTokens(head, PROTOCOL_HEADER.toLowerCase())[0] ?? '';
    return { transport: upgraded.transport, protocol, head };
  } catch (err) {
    release(transport, err);
    throw kubeErrorOf(err);
  }
}

/** A failed exchange as the `KubeError` the caller gets; failures of the transport itself pass as they are. */
function kubeErrorOf(err: unknown): unknown {
  if (err instanceof UpgradeRefusedError) {
    if (err.head === null) return new KubeError('the server did not answer the upgrade in HTTP/1.1', { cause: err });
    const head = responseHead(err.head);
    if (head.status === 101) {
      return new KubeError('the server switched protocols, but not to SPDY/3.1', { status: 101, cause: err });
    }
    return refusal(head, err.body ?? new Uint8Array(0));
  }
  if (err instanceof ConnectionClosedError) {
    return new KubeError('the server closed the connection before answering the upgrade', { cause: err });
  }
  if (err instanceof HandshakeError) return new KubeError('the server did not answer the upgrade in HTTP/1.1', { cause: err });
  return err;
}
