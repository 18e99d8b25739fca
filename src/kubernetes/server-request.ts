/**
 * What a Kubernetes streaming request asks of a server, read from its path,
 * query and headers as the kubelet reads them, and the kubelet's answer to
 * the protocol offer: the protocol to name in the 101, or the 403 that
 * lists what it would have spoken. Runtime-neutral: the caller hands over
 * the request line's target and the headers, whatever server parsed them.
 */
import { InvalidArgumentError } from '../base/errors.js';
import type { UpgradeRefusal } from '../handshake/upgrade.js';
import { ACCEPTED_PROTOCOLS_HEADER, EXEC_PROTOCOLS, PORT_FORWARD_PROTOCOL, PROTOCOL_HEADER, negotiateProtocol } from './protocols.js';
import type { KubeSubresource } from './target.js';
import { BEARER_TOKEN_PROTOCOL_PREFIX, EXEC_WEBSOCKET_PROTOCOL, PORT_FORWARD_WEBSOCKET_PROTOCOL } from './websocket-protocols.js';

/** A streaming request as the server sees it. */
export interface KubeServerRequest {
  /** `exec`, `attach` or `portforward`. */
  readonly subresource: KubeSubresource;
  readonly namespace: string;
  readonly pod: string;
  /** The `container` parameter; '' when the client named none. */
  readonly container: string;
  /** Exec's program and arguments (`command` parameters, in order); empty otherwise. */
  readonly command: readonly string[];
  /** Whether the client sends input (a `stdin` stream). */
  readonly stdin: boolean;
  /** Whether the client wants the output (a `stdout` stream). */
  readonly stdout: boolean;
  /** Whether the client wants errors apart (a `stderr` stream); always false with a tty. */
  readonly stderr: boolean;
  /** Whether the client asked for a terminal. */
  readonly tty: boolean;
  /**
   * How the client asked to switch: `Upgrade: SPDY/3.1` (`'spdy'`), or
   * `Upgrade: websocket` (`'websocket'`, kubectl 1.31 and up try it first).
   */
  readonly transport: 'spdy' | 'websocket';
  /**
   * The protocols the client offered, in its order: its
   * `X-Stream-Protocol-Version`s, or over WebSocket its
   * `Sec-WebSocket-Protocol`s (a bearer token offered as one is left out).
   */
  readonly protocols: readonly string[];
}

/** The request line's target and headers of a request, as any HTTP server parsed them. */
export interface KubeHttpRequest {
  /** Path and query, e.g. `/api/v1/namespaces/default/pods/web-0/exec?command=sh&stdin=true`. */
  readonly url: string;
  /** Header names in any case; repeated headers as repeated entries. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

/** Go's `strconv.ParseBool` truths, which is how the kubelet reads the flags. */
const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);

const SUBRESOURCES: readonly KubeSubresource[] = ['exec', 'attach', 'portforward'];

/**
 * Reads a streaming request; null when its path is no pod's `exec`,
 * `attach` or `portforward` (a prefix before `/api/v1` is allowed, as a
 * proxy may add one).
 */
export function parseKubeRequest(request: KubeHttpRequest): KubeServerRequest | null {
  let url: URL;
  try {
    url = new URL(request.url, 'http://localhost');
  } catch {
    return null;
  }
  const m = /\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
  if (!m) return null;
  const subresource = m[3] as KubeSubresource;
  if (!SUBRESOURCES.includes(subresource)) return null;
  let namespace: string;
  let pod: string;
  try {
    namespace = decodeURIComponent(m[1]!);
    pod = decodeURIComponent(m[2]!);
  } catch {
    return null;
  }
  const q = url.searchParams;
  const flag = (name: string): boolean => TRUE.has(q.get(name) ?? '');
  const tty = flag('tty');
  const webSocket = headerList(request, 'upgrade').some((token) => token.toLowerCase() === 'websocket');
  const offered = webSocket
    ? headerList(request, 'sec-websocket-protocol').filter((p) => !p.startsWith(BEARER_TOKEN_PROTOCOL_PREFIX))
    : headerList(request, PROTOCOL_HEADER.toLowerCase());
  return {
    subresource,
    namespace,
    pod,
    container: q.get('container') ?? '',
    command: subresource === 'exec' ? q.getAll('command') : [],
    stdin: flag('stdin'),
    stdout: flag('stdout'),
    stderr: flag('stderr') && !tty,
    tty,
    transport: webSocket ? 'websocket' : 'spdy',
    protocols: offered,
  };
}

/** Every value of the header `lowerName`, comma-separated lists split. */
function headerList(request: KubeHttpRequest, lowerName: string): string[] {
  return request.headers
    .filter(([name]) => name.toLowerCase() === lowerName)
    .flatMap(([, value]) => value.split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/**
 * The bearer token a request carries, for an `authorize` hook: its
 * `Authorization: Bearer` header, or else the subprotocol
 * `base64url.bearer.authorization.k8s.io.<token>` of a WebSocket request
 * (how a browser sends it, and the API server takes it). Null when it has
 * neither. Takes the parsed request's headers, or a Node `IncomingMessage`
 * (its `rawHeaders`).
 */
export function kubeBearerToken(request: Pick<KubeHttpRequest, 'headers'> | { readonly rawHeaders: readonly string[] }): string | null {
  const pairs: Array<readonly [string, string]> = [];
  if ('rawHeaders' in request) {
    for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) pairs.push([request.rawHeaders[i]!, request.rawHeaders[i + 1]!]);
  } else {
    pairs.push(...request.headers);
  }
  const lists = { headers: pairs, url: '/' };
  for (const [name, value] of pairs) {
    if (name.toLowerCase() !== 'authorization') continue;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
    if (m) return m[1]!;
  }
  const offered = headerList(lists, 'sec-websocket-protocol').find((p) => p.startsWith(BEARER_TOKEN_PROTOCOL_PREFIX));
  if (offered === undefined) return null;
  const encoded = offered.slice(BEARER_TOKEN_PROTOCOL_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return null;
  try {
    const binary = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** A `metav1.Status` refusal, as the API server words them. */
export function kubeStatusRefusal(status: number, reason: string, message: string): UpgradeRefusal {
  return {
    status,
    headers: [['Content-Type', 'application/json']],
    body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code: status }),
  };
}

/** The protocols a server speaks for a sub-resource, in the kubelet's order. */
export function serverProtocols(subresource: KubeSubresource): readonly string[] {
  return subresource === 'portforward' ? [PORT_FORWARD_PROTOCOL] : EXEC_PROTOCOLS;
}

/** How a server answers a streaming request's offer. */
export type KubeNegotiation =
  /** Switch; name `protocol` in the 101's `X-Stream-Protocol-Version` (none when it is ''). */
  | { readonly protocol: string; readonly headers: ReadonlyArray<readonly [string, string]> }
  /** Refuse with this 403. */
  | { readonly refuse: UpgradeRefusal };

/**
 * The kubelet's answer: the first offered protocol the server speaks (of
 * `accepted`, default all it knows for the sub-resource), or a 403 with
 * `X-Accepted-Stream-Protocol-Versions`. A client that offers nothing
 * gets the oldest protocol and no header, as from a kubelet that predates
 * negotiation; port-forward then still gets `portforward.k8s.io`.
 */
export function negotiateKubeRequest(request: KubeServerRequest, accepted?: readonly string[]): KubeNegotiation {
  const ours = accepted ?? serverProtocols(request.subresource);
  if (ours.length === 0) throw new InvalidArgumentError('a server must accept at least one protocol');
  if (request.protocols.length === 0) {
    const fallback = request.subresource === 'portforward' ? ours[0]! : negotiateProtocol([], ours);
    if (fallback !== null) return { protocol: fallback, headers: [] };
  }
  const chosen = negotiateProtocol(request.protocols, ours);
  if (chosen !== null) return { protocol: chosen, headers: [[PROTOCOL_HEADER, chosen]] };
  return {
    refuse: {
      status: 403,
      headers: ours.map((p) => [ACCEPTED_PROTOCOLS_HEADER, p] as const),
      body: `unable to upgrade: unable to negotiate protocol: client supports [${request.protocols.join(' ')}], server accepts [${ours.join(' ')}]`,
    },
  };
}

/** How a server answers a request that asks for a WebSocket. */
export type KubeWebSocketNegotiation =
  /**
   * Accept, naming `subprotocol` in the 101's `Sec-WebSocket-Protocol`, and
   * serve `protocol` in the SPDY/3.1 session the messages carry.
   */
  | { readonly protocol: string; readonly subprotocol: string }
  /** Refuse with this; kubectl then asks again with `Upgrade: SPDY/3.1`. */
  | { readonly refuse: UpgradeRefusal };

/**
 * The answer to a WebSocket request (`request.transport` is
 * `'websocket'`): port-forward that offers `SPDY/3.1+portforward.k8s.io`
 * is accepted, tunnelling the same SPDY/3.1 session as over an
 * `Upgrade: SPDY/3.1`; exec and attach that offer `v5.channel.k8s.io`
 * (kubectl 1.30 and up) are accepted with that protocol. Anything else is
 * a 400 `metav1.Status`, which kubectl takes as the cue to fall back to
 * SPDY.
 */
export function negotiateKubeWebSocket(request: KubeServerRequest): KubeWebSocketNegotiation {
  if (request.subresource === 'portforward') {
    if (request.protocols.includes(PORT_FORWARD_WEBSOCKET_PROTOCOL)) {
      return { protocol: PORT_FORWARD_PROTOCOL, subprotocol: PORT_FORWARD_WEBSOCKET_PROTOCOL };
    }
    return { refuse: kubeStatusRefusal(400, 'BadRequest',
      `port-forward over WebSocket needs the subprotocol ${PORT_FORWARD_WEBSOCKET_PROTOCOL}; ask with Upgrade: SPDY/3.1 otherwise`) };
  }
  if (request.protocols.includes(EXEC_WEBSOCKET_PROTOCOL)) {
    return { protocol: EXEC_WEBSOCKET_PROTOCOL, subprotocol: EXEC_WEBSOCKET_PROTOCOL };
  }
  return { refuse: kubeStatusRefusal(400, 'BadRequest',
    `${request.subresource} over WebSocket needs the subprotocol ${EXEC_WEBSOCKET_PROTOCOL}; ask with Upgrade: SPDY/3.1 otherwise`) };
}
