/**
 * `connect()`: a SPDY client session to one origin over TCP or TLS, as an
 * HTTP client with `fetch()`.
 */
import { SpdyClient } from '../../http/client.js';
import { traceTransport, type FrameListener } from '../../http/frame-trace.js';
import type { SpdyConfig } from '../../base/config.js';
import type { ProtocolVersion } from '../../base/constants.js';
import { SpdySession } from '../../streams/spdy-session.js';
import { dial, type DialOptions } from '../dial.js';

/** Options of `connect()`, `spdyFetch()` and `urlfetch()`. */
export interface ConnectOptions extends DialOptions {
  /** Limits and switches of the session (API.md section 6). */
  config?: SpdyConfig;
  /** Pushed resources kept until claimed (default 32). */
  maxPushes?: number;
  /** Sees every frame sent and received, as `spdycat -v` shows them. */
  onFrame?: FrameListener;
  /**
   * Response bodies made only when asked for (`SpdyClientOptions.lazyBodies`).
   * Default: on under Node itself, off under Deno and Bun, whose servers
   * read a `Response`'s internal body.
   */
  lazyBodies?: boolean;
  /** Told when the connection is up and the version known, before any frame. */
  onHandshake?: (info: { readonly version: ProtocolVersion; readonly alpnProtocol: string | null }) => void;
}

/** A `SpdyClient` made by `connect()`: also knows its connection. */
export interface ConnectedClient extends SpdyClient {
  /** The ALPN token the server chose, or null (cleartext, upgrade). */
  readonly alpnProtocol: string | null;
}

/**
 * Connects to `origin` (`https://host:port` or `http://host:port` for
 * cleartext SPDY; a path is ignored) and resolves with a client once the
 * connection is up and the version known.
 */
export async function connect(origin: string | URL, options: ConnectOptions = {}): Promise<ConnectedClient> {
  const url = new URL(String(origin));
  const dialed = await dial(url, options);
  options.onHandshake?.({ version: dialed.version, alpnProtocol: dialed.alpnProtocol });
  const transport = options.onFrame
    ? traceTransport(dialed.transport, { version: dialed.version, config: options.config }, options.onFrame)
    : dialed.transport;
  const session = new SpdySession(transport, { side: 'client', version: dialed.version, config: options.config });
  const client = new SpdyClient(session, { origin: url, maxPushes: options.maxPushes, lazyBodies: options.lazyBodies ?? onNodeItself() });
  return Object.assign(client, { alpnProtocol: dialed.alpnProtocol });
}

/** Node, not another runtime that also answers to `node:` modules. */
function onNodeItself(): boolean {
  return !('Deno' in globalThis) && !('Bun' in globalThis) && process.release.name === 'node';
}
