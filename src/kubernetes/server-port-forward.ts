/**
 * The kubelet's side of `kubectl port-forward`: each forwarded connection
 * arrives as two streams, `error` and `data`, tied by their `requestid`
 * header and naming the pod's `port`; once both are there the application
 * gets the connection. The session lasts until the client ends it.
 */
import { CANCEL, REFUSED_STREAM } from '../base/constants.js';
import type { SpdySession } from '../streams/spdy-session.js';
import type { SpdyStream } from '../streams/spdy-stream.js';
import type { KubeServerRequest } from './server-request.js';
import { acceptStreams, endSession, headerOf, STREAM_TIMEOUT_MS, streamType } from './server-session.js';

/** One forwarded connection, as the server's application gets it. */
export interface KubeForwardedConnection {
  /** The pod's port the client asked for. */
  readonly port: number;
  /** The client's `requestid` for this connection. */
  readonly requestId: string;
  /** Bytes from the client; ends when the client's side of the connection does. */
  readonly readable: ReadableStream<Uint8Array>;
  /**
   * Bytes to the client; `close()` ends our side. Left open and unlocked by
   * the handler, it is closed when the handler returns. kubectl resets the
   * connection once our side has ended, whatever it was still sending.
   */
  readonly writable: WritableStream<Uint8Array>;
  /** Tells the client why the connection failed (kubectl prints it) on the error stream, and closes that stream. */
  error(message: string): Promise<void>;
  /** Aborted when the session ends before the handler has returned. */
  readonly signal: AbortSignal;
}

/**
 * Serves one forwarded connection (typically: connect to `port` and pipe
 * both ways). A thrown error is sent to the client on the error stream.
 */
export type KubePortForwardHandler = (connection: KubeForwardedConnection, request: KubeServerRequest) => Promise<void> | void;

/** Options of `serveKubePortForward`. */
export interface KubePortForwardServeOptions {
  /** How long the first stream of a pair waits for the other, in milliseconds; the kubelet's 30 s by default. */
  readonly streamTimeoutMs?: number;
}

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
  port: number;
  timer: ReturnType<typeof setTimeout>;
}

const encoder = new TextEncoder();

async function runConnection(
  data: SpdyStream, errorStream: SpdyStream, port: number, requestId: string,
  request: KubeServerRequest, handler: KubePortForwardHandler, signal: AbortSignal,
): Promise<void> {
  const errorWriter = errorStream.writable.getWriter();
  let errorSent: Promise<void> | null = null;
  const error = (message: string): Promise<void> => {
    errorSent ??= (async () => {
      if (message !== '') await errorWriter.write(encoder.encode(message));
      await errorWriter.close();
    })();
    return errorSent;
  };
  try {
    await handler({ port, requestId, readable: data.readable, writable: data.writable, error, signal }, request);
  } catch (err) {
    await error(`error forwarding port ${port} to pod ${request.pod}: ${err instanceof Error ? err.message : String(err)}`).catch(() => undefined);
  }
  // Unread data would hold the whole session (no flow control pauses the transport): drop it.
  if (!data.readable.locked) data.readable.cancel().catch(() => undefined);
  if (!data.writable.locked) await data.writable.close().catch(() => undefined);
  await error('').catch(() => undefined);
}

/**
 * Serves port-forward on `session`, a server session after the upgrade:
 * `handler` runs once per forwarded connection. Resolves when the session
 * has ended (whatever ended it).
 */
export async function serveKubePortForward(
  session: SpdySession,
  request: KubeServerRequest,
  handler: KubePortForwardHandler,
  options: KubePortForwardServeOptions = {},
): Promise<void> {
  const pairs = new Map<string, Pair>();
  const running = new Set<Promise<void>>();
  const aborter = new AbortController();
  const timeout = options.streamTimeoutMs ?? STREAM_TIMEOUT_MS;
  const accepting = acceptStreams(session, (stream, headers) => {
    const type = streamType(stream);
    const requestId = headerOf(headers, 'requestid');
    const port = Number(headerOf(headers, 'port'));
    if ((type !== 'data' && type !== 'error') || requestId === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
      stream.reset(REFUSED_STREAM);
      return;
    }
    let pair = pairs.get(requestId);
    if (!pair) {
      pair = {
        port,
        timer: setTimeout(() => {
          pairs.delete(requestId);
          pair!.data?.reset(CANCEL);
          pair!.error?.reset(CANCEL);
        }, timeout),
      };
      pairs.set(requestId, pair);
    }
    if (pair[type] || pair.port !== port) {
      stream.reset(REFUSED_STREAM);
      return;
    }
    pair[type] = stream;
    if (pair.data && pair.error) {
      clearTimeout(pair.timer);
      pairs.delete(requestId);
      const run = runConnection(pair.data, pair.error, port, requestId, request, handler, aborter.signal);
      running.add(run);
      void run.finally(() => running.delete(run));
    }
  });
  await accepting;
  aborter.abort();
  for (const pair of pairs.values()) clearTimeout(pair.timer);
  await Promise.allSettled([...running]);
  await endSession(session, accepting);
}
