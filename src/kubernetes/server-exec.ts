/**
 * The kubelet's side of `kubectl exec` and `kubectl attach` on an upgraded
 * server session: wait for the channel streams the request announced
 * (answering each at once, as kubectl waits for every reply before opening
 * the next), hand them to the application, and when it is done report the
 * status on the `error` channel and end the connection the kubelet's way.
 */
import { CANCEL, REFUSED_STREAM } from '../base/constants.js';
import type { SpdySession } from '../streams/spdy-session.js';
import type { SpdyStream } from '../streams/spdy-stream.js';
import { formatExitStatus } from './exit-status.js';
import { execGeneration } from './protocols.js';
import { readResizeEvents, type KubeTerminalSize } from './resize-events.js';
import type { KubeServerRequest } from './server-request.js';
import { acceptStreams, endSession, STREAM_TIMEOUT_MS, streamType } from './server-session.js';

/** What an exec or attach handler gets: the client's channels, as the client's `kubeExec` result mirrored. */
export interface KubeExecContext {
  /** The request: pod, container, command, flags. */
  readonly request: KubeServerRequest;
  /** The negotiated protocol, e.g. `v4.channel.k8s.io` (`v5.channel.k8s.io` over WebSocket). */
  readonly protocol: string;
  /** The client's input; it ends when the client closes its stdin. Null without `stdin`. */
  readonly stdin: ReadableStream<Uint8Array> | null;
  /** The process's output. Null without `stdout`. Left open and unlocked by the handler, it is closed when the handler returns. */
  readonly stdout: WritableStream<Uint8Array> | null;
  /** The process's errors. Null without `stderr`, and always with a tty. */
  readonly stderr: WritableStream<Uint8Array> | null;
  /** The terminal's sizes as the client changes them (a tty with v3 or newer); null otherwise. */
  readonly resize: AsyncIterable<KubeTerminalSize> | null;
  /** Aborted when the connection ends before the handler has returned. */
  readonly signal: AbortSignal;
}

/** How a command ended, when more than an exit code is to be said. */
export interface KubeExecResult {
  /** 0 for success; a negative code reports a failure that was not the process's own (v4 `InternalError`). */
  readonly exitCode: number;
  /** The status message; the kubelet's wording by default. */
  readonly message?: string;
}

/**
 * Runs the command of an exec (or attaches, for attach). Resolves with the
 * exit code (nothing is 0), or a `KubeExecResult`; a thrown error is
 * reported as an internal error with its message.
 */
export type KubeExecHandler = (context: KubeExecContext) =>
  Promise<number | KubeExecResult | void> | number | KubeExecResult | void;

/** Options of `serveKubeExec`. */
export interface KubeExecServeOptions {
  /** How long to wait for the client's channel streams, in milliseconds; the kubelet's 30 s by default. */
  readonly streamTimeoutMs?: number;
}

/** The channels a request announces: error always, the others as its flags say. */
export function expectedChannels(request: KubeServerRequest, protocol: string): string[] {
  const types = ['error'];
  if (request.stdin) types.push('stdin');
  if (request.stdout) types.push('stdout');
  if (request.stderr && !request.tty) types.push('stderr');
  if (request.tty && execGeneration(protocol) >= 3) types.push('resize');
  return types;
}

const encoder = new TextEncoder();

/** Closes our side of a stream the handler may have left open; a locked or ended one is the handler's. */
async function closeQuietly(writable: WritableStream<Uint8Array> | null | undefined): Promise<void> {
  if (!writable || writable.locked) return;
  await writable.close().catch(() => undefined);
}

/**
 * Runs `handler` with `context` and says how the command ended, whatever
 * the transport: nothing is 0, a number its exit code, a thrown error an
 * internal error with its message.
 */
export async function runExecHandler(handler: KubeExecHandler, context: KubeExecContext): Promise<KubeExecResult> {
  try {
    const value = await handler(context);
    if (value === undefined) return { exitCode: 0 };
    if (typeof value === 'number') return { exitCode: Number.isInteger(value) ? value : -1 };
    return value;
  } catch (err) {
    return { exitCode: -1, message: `error executing command in container: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * Serves one exec or attach on `session`, a server session after the
 * upgrade. Resolves when the connection has ended; a peer that drops the
 * socket once it has the status is a normal end.
 */
export async function serveKubeExec(
  session: SpdySession,
  request: KubeServerRequest,
  protocol: string,
  handler: KubeExecHandler,
  options: KubeExecServeOptions = {},
): Promise<void> {
  const wanted = expectedChannels(request, protocol);
  const got = new Map<string, SpdyStream>();
  const all: SpdyStream[] = [];
  let complete!: () => void;
  const ready = new Promise<void>((resolve) => (complete = resolve));
  const accepting = acceptStreams(session, (stream) => {
    const type = streamType(stream);
    // A channel not announced, or announced twice: the kubelet refuses the exchange.
    if (got.size === wanted.length || !wanted.includes(type) || got.has(type)) {
      stream.reset(REFUSED_STREAM);
      return;
    }
    got.set(type, stream);
    all.push(stream);
    if (got.size === wanted.length) complete();
  });
  const aborter = new AbortController();
  const ended = accepting.then(() => aborter.abort(), () => aborter.abort());
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), options.streamTimeoutMs ?? STREAM_TIMEOUT_MS);
  });
  const arrived = await Promise.race([ready.then(() => false), timedOut, ended.then(() => true)]);
  clearTimeout(timer);
  if (arrived) {
    // Too late or gone: the kubelet gives up the connection without running anything.
    for (const s of all) s.reset(CANCEL);
    await endSession(session, accepting);
    return;
  }
  const error = got.get('error')!;
  const stdout = got.get('stdout') ?? null;
  const stderr = got.get('stderr') ?? null;
  const resizeStream = got.get('resize') ?? null;
  const result = await runExecHandler(handler, {
    request,
    protocol,
    stdin: got.get('stdin')?.readable ?? null,
    stdout: stdout?.writable ?? null,
    stderr: stderr?.writable ?? null,
    resize: resizeStream ? readResizeEvents(resizeStream.readable) : null,
    signal: aborter.signal,
  });
  if (!aborter.signal.aborted) {
    // Output first, then the status, each FIN on the wire before the resets that end the connection.
    await Promise.all([closeQuietly(stdout?.writable), closeQuietly(stderr?.writable)]);
    const status = formatExitStatus(result.exitCode, execGeneration(protocol), result.message);
    const writer = error.writable.getWriter();
    try {
      if (status !== '') await writer.write(encoder.encode(status));
      await writer.close();
    } catch {
      // The client went away meanwhile: nothing left to tell it.
    }
  }
  for (const s of all) s.reset(CANCEL);
  await endSession(session, accepting);
}
