/**
 * `kubectl port-forward` as a library: one SPDY session to the pod, and per
 * forwarded connection a pair of streams, `error` and `data`, tied together
 * by their `port` and `requestid` headers.
 */
import { CANCEL } from '../base/constants.js';
import { InvalidArgumentError } from '../base/errors.js';
import type { SpdySession } from '../streams/spdy-session.js';
import type { SpdyStream } from '../streams/spdy-stream.js';
import { openKubeConnection, type KubeConnection } from './connection.js';
import { keepAlive } from './keepalive.js';
import { PORT_FORWARD_PROTOCOL } from './protocols.js';
import type { KubeTarget } from './target.js';
import type { WebSocketTransportOptions } from './websocket-transport.js';

/** One connection to a port of the pod. */
export interface KubePortConnection {
  /** The port on the pod. */
  readonly port: number;
  /** Bytes from the pod's port. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to it; `close()` ends our direction (the pod's socket sees end of input). */
  readonly writable: WritableStream<Uint8Array>;
  /** The text the server sent on the error stream (it could not connect, ...), or null when it sent none. */
  readonly error: Promise<string | null>;
  /** Resets both streams. */
  reset(): void;
}

/** How the session is carried: an HTTP/1.1 Upgrade to SPDY/3.1, or SPDY/3.1 inside WebSocket messages. */
export type KubeTransportKind = 'spdy' | 'websocket';

/** Options of `kubePortForward`. */
export interface KubePortForwardOptions {
  /**
   * `'spdy'` (the default): an HTTP/1.1 Upgrade to SPDY/3.1, as kubectl
   * before 1.31. `'websocket'`: the same SPDY/3.1 session in the binary
   * messages of a WebSocket with subprotocol `SPDY/3.1+portforward.k8s.io`,
   * as kubectl 1.31 and up; it runs in browsers.
   */
  readonly transport?: KubeTransportKind;
  /** Buffer sizes of the WebSocket transport (`transport: 'websocket'` only). */
  readonly webSocket?: WebSocketTransportOptions;
  /**
   * The subprotocol that names the tunnel (`transport: 'websocket'` only).
   * Default `SPDY/3.1+portforward.k8s.io`, the API server's. Browsers (and
   * Deno's, Bun's and Node's own WebSocket) refuse that name, as a `/` may
   * not appear in a subprotocol; a proxy of your own in front of the API
   * server can accept the tunnel under a name they allow.
   */
  readonly webSocketProtocol?: string;
}

/** A port-forward session. */
export interface KubePortForward {
  /** Opens a connection to `port` on the pod. */
  open(port: number): Promise<KubePortConnection>;
  /** Resets every open connection, sends GOAWAY and closes the session. */
  close(): Promise<void>;
  /** Resolves when the session has ended (quietly, whatever the peer did). */
  readonly closed: Promise<void>;
  readonly session: SpdySession;
}

const decoder = new TextDecoder();

async function readText(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

/** Port-forward over an already upgraded connection, whatever carried the upgrade. */
export function portForwardOn(connection: Pick<KubeConnection, 'session'>): KubePortForward {
  const { session } = connection;
  let nextRequestId = 0;
  const open = new Set<SpdyStream>();
  const stopPing = keepAlive(session);
  return {
    session,
    closed: session.closed.catch(() => undefined),
    async open(port: number): Promise<KubePortConnection> {
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new InvalidArgumentError(`not a port: ${port}`);
      }
      const ids: Array<[string, string]> = [['port', String(port)], ['requestid', String(nextRequestId++)]];
      // kubectl's order: the error stream first (we never write on it), then data.
      const errorStream = await session.openStream({ headers: [['streamtype', 'error'], ...ids] });
      errorStream.writable.close().catch(() => undefined);
      const data = await session.openStream({ headers: [['streamtype', 'data'], ...ids] });
      open.add(errorStream).add(data);
      const forget = (): void => {
        open.delete(errorStream);
        open.delete(data);
      };
      data.closed.then(forget, forget);
      await Promise.all([errorStream.headers, data.headers]);
      const error = readText(errorStream.readable).then((t) => (t === '' ? null : t), () => null);
      return {
        port,
        readable: data.readable,
        writable: data.writable,
        error,
        reset(): void {
          errorStream.reset(CANCEL);
          data.reset(CANCEL);
        },
      };
    },
    async close(): Promise<void> {
      stopPing();
      for (const s of open) s.reset(CANCEL);
      await session.close().catch(() => undefined);
    },
  };
}

/** Opens a port-forward session to the target's pod (`pods/portforward`) over SPDY. */
export async function kubePortForwardSpdy(target: KubeTarget): Promise<KubePortForward> {
  const connection = await openKubeConnection(target, 'portforward', [], [PORT_FORWARD_PROTOCOL]);
  return portForwardOn(connection);
}
