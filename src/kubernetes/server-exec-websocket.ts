/**
 * `kubectl exec` and `attach` over WebSocket, the server's side of
 * `v5.channel.k8s.io` (kubectl 1.30 and up try it before SPDY): every
 * binary message is one channel's bytes behind a byte naming the channel
 * (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize), and `[255, channel]`
 * says the client has closed that channel (its stdin). The same handlers
 * as over SPDY get the same context. Runtime-neutral: it takes the
 * socket's byte transport, whose chunks are whole messages.
 */
import { ReadableStream, WritableStream } from '../base/web-streams.js';
import type { Transport } from '../streams/transport.js';
import { formatExitStatus } from './exit-status.js';
import { execGeneration } from './protocols.js';
import { readResizeEvents } from './resize-events.js';
import { runExecHandler, type KubeExecHandler } from './server-exec.js';
import type { KubeServerRequest } from './server-request.js';
import { EXEC_WEBSOCKET_PROTOCOL } from './websocket-protocols.js';

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
/** `[CLOSE, channel]`: the sender has closed that channel. */
const CLOSE = 255;

/** Bytes queued on an input channel before reading the socket waits for the handler. */
const INPUT_HIGH_WATER = 1024 * 1024;

const encoder = new TextEncoder();
const byteLength = (chunk: Uint8Array): number => chunk.byteLength;

/** An input channel: a readable the demultiplexer feeds, with a wait for room. */
interface Input {
  readonly readable: ReadableStream<Uint8Array>;
  push(bytes: Uint8Array): Promise<void>;
  end(): void;
  fail(err: unknown): void;
  /** Takes no more bytes, and lets a waiting `push` go (the handler is done with the channel). */
  stop(): void;
}

function input(): Input {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let done = false;
  let room: (() => void) | null = null;
  const readable = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    pull() {
      room?.();
      room = null;
    },
    cancel() {
      done = true;
      room?.();
      room = null;
    },
  }, { highWaterMark: INPUT_HIGH_WATER, size: byteLength });
  return {
    readable,
    async push(bytes) {
      if (done || bytes.length === 0) return;
      controller.enqueue(bytes);
      if ((controller.desiredSize ?? 0) <= 0) await new Promise<void>((resolve) => (room = resolve));
    },
    end() {
      if (done) return;
      done = true;
      controller.close();
    },
    fail(err) {
      if (done) return;
      done = true;
      controller.error(err);
    },
    stop() {
      if (done) return;
      done = true;
      room?.();
      room = null;
      try {
        controller.close();
      } catch {
        // Already cancelled by its reader.
      }
    },
  };
}

/**
 * Serves one exec or attach over a WebSocket already accepted with
 * `v5.channel.k8s.io`; `transport` is the socket's (`webSocketTransport`,
 * one chunk per message). The handler runs at once (the channels are
 * there from the start); its output goes in messages, and when it is done
 * the status (a `metav1.Status`) goes on the error channel and the socket
 * is closed, which ends kubectl's reading. Resolves when that is done.
 */
export async function serveKubeExecWebSocket(
  transport: Transport, request: KubeServerRequest, handler: KubeExecHandler,
): Promise<void> {
  const protocol = EXEC_WEBSOCKET_PROTOCOL;
  const writer = transport.writable.getWriter();
  const aborter = new AbortController();
  let closed = false;
  const send = async (channel: number, bytes: Uint8Array): Promise<void> => {
    if (closed) throw new TypeError('the connection is closed');
    const message = new Uint8Array(bytes.length + 1);
    message[0] = channel;
    message.set(bytes, 1);
    await writer.write(message);
  };
  const output = (channel: number): WritableStream<Uint8Array> => new WritableStream<Uint8Array>({
    write: (chunk) => (chunk.length > 0 ? send(channel, chunk) : undefined),
  });

  const stdin = request.stdin ? input() : null;
  const resize = request.tty ? input() : null;
  const reading = (async () => {
    const reader = transport.readable.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (value.length === 0) continue;
        const channel = value[0]!;
        if (channel === CLOSE) {
          if (value[1] === STDIN) stdin?.end();
          if (value[1] === RESIZE) resize?.end();
          continue;
        }
        const target = channel === STDIN ? stdin : channel === RESIZE ? resize : null;
        await target?.push(value.subarray(1));
      }
      stdin?.end();
      resize?.end();
    } catch (err) {
      stdin?.fail(err);
      resize?.fail(err);
    } finally {
      reader.releaseLock();
      aborter.abort();
    }
  })();

  const stdout = request.stdout ? output(STDOUT) : null;
  const stderr = request.stderr && !request.tty ? output(STDERR) : null;
  // The kubelet's sign that the streams are up: an empty message on the lowest channel the client reads.
  await send(stdout ? STDOUT : stderr ? STDERR : ERROR, new Uint8Array(0)).catch(() => undefined);

  const result = await runExecHandler(handler, {
    request,
    protocol,
    stdin: stdin?.readable ?? null,
    stdout,
    stderr,
    resize: resize ? readResizeEvents(resize.readable) : null,
    signal: aborter.signal,
  });
  if (!aborter.signal.aborted) {
    // Output the handler left open has all been sent (messages go in order); then the status, then the end.
    const status = formatExitStatus(result.exitCode, execGeneration(protocol), result.message);
    await send(ERROR, encoder.encode(status)).catch(() => undefined);
  }
  closed = true;
  // Input the handler left unread would hold the reading loop, and with it the end.
  stdin?.stop();
  resize?.stop();
  await writer.close().catch(() => undefined);
  await reading;
}

