/**
 * `kubectl exec` and `kubectl attach` as a library: the remote command's
 * channels (`error`, `stdin`, `stdout`, `stderr`, `resize`), one SPDY stream
 * each, opened in kubectl's order, each waiting for its SYN_REPLY.
 */
import { CANCEL } from '../base/constants.js';
import { InvalidArgumentError } from '../base/errors.js';
import type { SpdySession } from '../streams/spdy-session.js';
import type { SpdyStream } from '../streams/spdy-stream.js';
import { openKubeConnection } from './connection.js';
import { KubeError } from './errors.js';
import { parseExitStatus, type KubeExitStatus } from './exit-status.js';
import { keepAlive } from './keepalive.js';
import { EXEC_PROTOCOLS, execGeneration } from './protocols.js';
import type { KubeTarget } from './target.js';

/** Options of `kubeAttach` (and of `kubeExec`, with `command`). */
export interface KubeAttachOptions {
  /** Send our input (default false). */
  readonly stdin?: boolean;
  /** Default true. */
  readonly stdout?: boolean;
  /** Default true; always false with a tty (the terminal merges it into stdout). */
  readonly stderr?: boolean;
  /** Allocate a terminal (default false). */
  readonly tty?: boolean;
  /** Protocols offered, most wanted first; default all four, v4 first. */
  readonly protocols?: readonly string[];
}

/** Options of `kubeExec`. */
export interface KubeExecOptions extends KubeAttachOptions {
  /** The program and its arguments. */
  readonly command: readonly string[];
}

/** A running remote command. */
export interface KubeExecution {
  /** The negotiated protocol, e.g. `v4.channel.k8s.io`. */
  readonly protocol: string;
  /** The process's input; `close()` is end of input for it. Null without `stdin`. */
  readonly stdin: WritableStream<Uint8Array> | null;
  readonly stdout: ReadableStream<Uint8Array> | null;
  /** Null with a tty. */
  readonly stderr: ReadableStream<Uint8Array> | null;
  /** Resolves when the command has ended; rejects if the connection broke first. */
  readonly status: Promise<KubeExitStatus>;
  /** Tells the terminal its new size (tty with v3 or newer). */
  resize(cols: number, rows: number): Promise<void>;
  /** Resets the streams still open, sends GOAWAY and closes the connection. */
  close(): Promise<void>;
  /** The SPDY session underneath. */
  readonly session: SpdySession;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function readText(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

/** Opens one channel stream and waits for the server's SYN_REPLY. */
async function openChannel(session: SpdySession, type: string): Promise<SpdyStream> {
  const stream = await session.openStream({ headers: [['streamtype', type]] });
  await stream.headers;
  return stream;
}

/** Closes our write side of a channel we never write to (the peer's FIN then closes the stream whole). */
function shutWrite(stream: SpdyStream): void {
  stream.writable.close().catch(() => undefined);
}

async function run(target: KubeTarget, kind: 'exec' | 'attach', options: KubeAttachOptions, command: readonly string[]): Promise<KubeExecution> {
  const tty = options.tty ?? false;
  const want = {
    stdin: options.stdin ?? false,
    stdout: options.stdout ?? true,
    stderr: (options.stderr ?? true) && !tty,
  };
  if (!want.stdin && !want.stdout && !want.stderr) {
    throw new InvalidArgumentError('at least one of stdin, stdout and stderr must be requested');
  }
  const query: Array<[string, string]> = command.map((c) => ['command', c]);
  // kubectl sends every flag; the server reads a missing one as false.
  query.push(['stdin', String(want.stdin)], ['stdout', String(want.stdout)], ['stderr', String(want.stderr)], ['tty', String(tty)]);
  const { session, protocol: chosen } = await openKubeConnection(target, kind, query, options.protocols ?? EXEC_PROTOCOLS);
  // A server that names no protocol speaks the first one, as kubectl assumes.
  const protocol = chosen || 'channel.k8s.io';
  const generation = execGeneration(protocol);
  try {
    const error = await openChannel(session, 'error');
    shutWrite(error);
    const stdin = want.stdin ? await openChannel(session, 'stdin') : null;
    const stdout = want.stdout ? await openChannel(session, 'stdout') : null;
    if (stdout) shutWrite(stdout);
    const stderr = want.stderr ? await openChannel(session, 'stderr') : null;
    if (stderr) shutWrite(stderr);
    const resizeStream = tty && generation >= 3 ? await openChannel(session, 'resize') : null;
    const stopPing = keepAlive(session);
    const status = readText(error.readable).then((text) => parseExitStatus(text, generation), (err: unknown) => {
      throw new KubeError('the connection ended before the command reported its status', { cause: err });
    });
    status.catch(() => undefined);
    const resizeWriter = resizeStream?.writable.getWriter() ?? null;
    const channels = [error, stdin, stdout, stderr, resizeStream].filter((s): s is SpdyStream => s !== null);
    return {
      protocol,
      stdin: stdin?.writable ?? null,
      stdout: stdout?.readable ?? null,
      stderr: stderr?.readable ?? null,
      status,
      session,
      async resize(cols: number, rows: number): Promise<void> {
        if (!resizeWriter) {
          throw new InvalidArgumentError(tty ? `${protocol} cannot resize a terminal (v3 or newer can)` : 'resize needs a tty');
        }
        if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 0 || rows < 0 || cols > 65535 || rows > 65535) {
          throw new InvalidArgumentError('terminal sizes are integers from 0 to 65535');
        }
        await resizeWriter.write(encoder.encode(JSON.stringify({ Width: cols, Height: rows })));
      },
      async close(): Promise<void> {
        stopPing();
        for (const s of channels) s.reset(CANCEL);
        await session.close().catch(() => undefined);
      },
    };
  } catch (err) {
    session.destroy(err);
    throw err;
  }
}

/** Runs `options.command` in the target's pod (`pods/exec`). */
export function kubeExec(target: KubeTarget, options: KubeExecOptions): Promise<KubeExecution> {
  if (!options || !Array.isArray(options.command) || options.command.length === 0) {
    return Promise.reject(new InvalidArgumentError('kubeExec needs a command'));
  }
  return run(target, 'exec', options, options.command);
}

/** Attaches to the running process of the target's container (`pods/attach`). */
export function kubeAttach(target: KubeTarget, options: KubeAttachOptions = {}): Promise<KubeExecution> {
  return run(target, 'attach', options, []);
}
