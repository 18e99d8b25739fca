/**
 * `spdycat`: fetches URLs over SPDY and writes the bodies out, with the
 * options of spdylay's tool of that name that make sense here.
 */
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { basename } from 'node:path';
import { formatTimestamp } from '../codec/trace.js';
import type { SpdyConfig } from '../base/config.js';
import { formatTracedFrame } from '../http/frame-trace.js';
import { connect, type ConnectOptions } from '../node/http/connect.js';
import { formatOptions, intValue, parseArgs, UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import { ProgressMeter } from './progress.js';
import { VERSION_OPTIONS, versionFromFlags } from './version-flags.js';
import { VERSION_OPTION, versionLine } from './package-version.js';

const OPTIONS: readonly OptionSpec[] = [
  { key: 'verbose', names: ['-v', '--verbose'], help: 'print the frames sent and received (on standard output)' },
  { key: 'null-out', names: ['-n', '--null-out'], help: 'discard the bodies' },
  { key: 'remote-name', names: ['-O', '--remote-name'], help: 'save each body under the basename of its URL' },
  { key: 'output', names: ['-o', '--output'], takes: 'value', help: 'write the bodies to FILE' },
  { key: 'stat', names: ['-s', '--stat'], help: 'print timing statistics of each request' },
  { key: 'data', names: ['-d', '--data'], takes: 'value', help: 'POST the contents of FILE (- for standard input)' },
  { key: 'header', names: ['-H', '--header'], takes: 'list', help: "add a request header: -H 'name: value'" },
  { key: 'multiply', names: ['-m', '--multiply'], takes: 'value', help: 'request each URL N times' },
  { key: 'window-bits', names: ['-w', '--window-bits'], takes: 'value', help: 'stream receive window of 2^N bytes' },
  { key: 'connection-window-bits', names: ['-W', '--connection-window-bits'], takes: 'value', help: 'SPDY/3.1 connection receive window of 2^N bytes' },
  { key: 'timeout', names: ['-t', '--timeout'], takes: 'value', help: 'give up after N seconds' },
  ...VERSION_OPTIONS,
  { key: 'no-tls', names: ['--no-tls'], help: 'cleartext SPDY, even for https: URLs' },
  { key: 'upgrade', names: ['-u', '--upgrade'], help: 'reach SPDY through an HTTP/1.1 Upgrade request' },
  { key: 'ca', names: ['--ca'], takes: 'value', help: 'trust the certificates in FILE (PEM)' },
  { key: 'insecure', names: ['-k', '--insecure'], help: "do not verify the server's certificate" },
  { key: 'cert', names: ['--cert'], takes: 'value', help: 'client certificate FILE (PEM)' },
  { key: 'key', names: ['--key'], takes: 'value', help: 'client private key FILE (PEM)' },
  VERSION_OPTION,
  { key: 'help', names: ['-h', '--help'], help: 'show this help' },
];

const USAGE = `Usage: spdycat [OPTION]... URL...
Fetches each URL over SPDY (TLS with ALPN for https:, cleartext SPDY for
http: or with --no-tls) and writes the bodies to standard output. URLs of
the same origin share one session. Exits with 1 when a request fails (no
response, or the stream was reset); HTTP error statuses are not failures.

Options:
${formatOptions(OPTIONS)}
`;

/** Where `spdycat` writes. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stdin?: NodeJS.ReadableStream;
}

interface Job {
  readonly url: string;
  readonly index: number;
  status: string;
  bytes: number;
  started: number;
  replied: number;
  completed: number;
  error: unknown;
}

function windowConfig(args: ParsedArgs): SpdyConfig {
  const config: SpdyConfig = {};
  const w = intValue(args, 'window-bits', 0, 30);
  if (w !== undefined) config.initialWindowSize = 2 ** w;
  const cw = intValue(args, 'connection-window-bits', 16, 30);
  if (cw !== undefined) config.sessionWindowSize = 2 ** cw;
  return config;
}

function parseHeaders(lines: readonly string[]): Headers {
  const headers = new Headers({ accept: '*/*', 'user-agent': 'spdycat (spdy-streams)' });
  for (const line of lines) {
    const colon = line.indexOf(':', 1);
    if (colon < 0) throw new UsageError(`-H wants 'name: value', got ${JSON.stringify(line)}`);
    headers.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** Successive URLs of one origin go on one session. */
function groupByOrigin(urls: readonly string[]): string[][] {
  const groups: string[][] = [];
  let last: string | null = null;
  for (const url of urls) {
    const origin = new URL(url).origin;
    if (origin === last) groups[groups.length - 1]!.push(url);
    else groups.push([url]);
    last = origin;
  }
  return groups;
}

/** The file name `-O` saves a URL under: its last path segment, `index.html` for a directory. */
export function remoteName(url: string): string {
  const path = new URL(url).pathname;
  if (path.endsWith('/')) return 'index.html';
  try {
    return basename(decodeURIComponent(path));
  } catch {
    return basename(path);
  }
}

function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on('data', (d: Buffer) => parts.push(d));
    stream.on('end', () => resolve(new Uint8Array(Buffer.concat(parts))));
    stream.on('error', reject);
  });
}

function write(out: NodeJS.WritableStream, data: Uint8Array | string): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(data, (err) => (err ? reject(err) : resolve()));
  });
}

/** Runs spdycat with `argv` (no program name); resolves with the exit status. */
export async function main(argv: readonly string[], io: CliIo = process): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv, OPTIONS);
    if (args.flags.has('help')) {
      io.stdout.write(USAGE);
      return 0;
    }
    if (args.flags.has('version')) {
      io.stdout.write(versionLine('spdycat'));
      return 0;
    }
    if (args.positionals.length === 0) throw new UsageError('no URL given');
    for (const url of args.positionals) {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`not an http(s) URL: ${url}`);
    }
  } catch (err) {
    io.stderr.write(`spdycat: ${(err as Error).message}\nTry 'spdycat --help'.\n`);
    return 2;
  }
  try {
    return await run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`spdycat: ${err.message}\n`);
      return 2;
    }
    io.stderr.write(`spdycat: ${(err as Error).message}\n`);
    return 1;
  }
}

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const verbose = args.flags.has('verbose');
  const times = intValue(args, 'multiply', 1, 1_000_000) ?? 1;
  const timeout = intValue(args, 'timeout', 1, 86400);
  const headers = parseHeaders(args.lists.get('header') ?? []);
  const dataFile = args.values.get('data');
  const body = dataFile === undefined ? null
    : dataFile === '-' ? await readAll(io.stdin ?? process.stdin) : new Uint8Array(readFileSync(dataFile));
  const config = windowConfig(args);
  const version = versionFromFlags(args);
  const readPem = (key: string): Buffer | undefined => {
    const file = args.values.get(key);
    return file === undefined ? undefined : readFileSync(file);
  };

  const nullOut = args.flags.has('null-out');
  const outputFile = args.values.get('output');
  const sink: NodeJS.WritableStream | null = nullOut ? null : outputFile ? createWriteStream(outputFile) : io.stdout;
  const perUrl = !nullOut && !outputFile && args.flags.has('remote-name');
  const toTerminal = sink === io.stdout && io.stdout.isTTY === true;
  const meter = io.stderr.isTTY && !verbose && !toTerminal ? new ProgressMeter(io.stderr) : null;

  const urls = args.positionals.flatMap((u) => Array.from({ length: times }, () => u));
  const jobs: Job[] = urls.map((url, index) => ({
    url, index, status: '', bytes: 0, started: 0, replied: 0, completed: 0, error: null,
  }));
  const timer = timeout === undefined ? null : setTimeout(() => {
    io.stderr.write(`spdycat: timed out after ${timeout} s\n`);
    process.exit(1);
  }, timeout * 1000);

  let next = 0;
  try {
    for (const group of groupByOrigin(urls)) {
      const groupJobs = jobs.slice(next, next + group.length);
      next += group.length;
      const start = performance.now();
      const elapsed = (): number => performance.now() - start;
      const options: ConnectOptions = {
        config,
        version,
        plain: args.flags.has('no-tls') ? true : undefined,
        ca: readPem('ca'),
        cert: readPem('cert'),
        key: readPem('key'),
        rejectUnauthorized: !args.flags.has('insecure'),
        upgrade: args.flags.has('upgrade'),
      };
      if (verbose) {
        // spdylay's lines: the handshake line alone, then (TLS) the protocol, indented as frame details are.
        options.onHandshake = ({ alpnProtocol }) => {
          io.stdout.write(`${formatTimestamp(elapsed())} Handshake complete\n`);
          if (alpnProtocol) io.stdout.write(`          ALPN selected the protocol: ${alpnProtocol}\n`);
        };
        options.onFrame = (direction, frame) => io.stdout.write(`${formatTracedFrame(direction, frame, elapsed())}\n`);
      }
      let client;
      try {
        client = await connect(group[0]!, options);
      } catch (err) {
        for (const job of groupJobs) job.error = err;
        io.stderr.write(`spdycat: ${new URL(group[0]!).origin}: ${(err as Error).message}\n`);
        continue;
      }
      await Promise.all(groupJobs.map((job) => fetchOne(client, job, { body, headers, sink, perUrl, meter, elapsed, io })));
      await client.close().catch(() => undefined);
    }
  } finally {
    if (timer) clearTimeout(timer);
    meter?.clear();
    if (sink && sink !== io.stdout) await new Promise<void>((resolve) => (sink as WriteStream).end(() => resolve()));
  }
  if (args.flags.has('stat')) printStats(jobs, io);
  return jobs.some((j) => j.error !== null) ? 1 : 0;
}

interface FetchContext {
  readonly body: Uint8Array<ArrayBuffer> | null;
  readonly headers: Headers;
  readonly sink: NodeJS.WritableStream | null;
  readonly perUrl: boolean;
  readonly meter: ProgressMeter | null;
  readonly elapsed: () => number;
  readonly io: CliIo;
}

async function fetchOne(client: Awaited<ReturnType<typeof connect>>, job: Job, ctx: FetchContext): Promise<void> {
  job.started = ctx.elapsed();
  const file = ctx.perUrl ? createWriteStream(remoteName(job.url)) : null;
  const out = file ?? ctx.sink;
  try {
    const response = await client.fetch(job.url, {
      method: ctx.body ? 'POST' : 'GET',
      headers: ctx.headers,
      body: ctx.body,
    });
    job.replied = ctx.elapsed();
    job.status = `${response.status} ${response.statusText}`.trim();
    const length = Number(response.headers.get('content-length') ?? NaN);
    ctx.meter?.start(job.index, job.url, Number.isFinite(length) ? length : undefined);
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        job.bytes += value.length;
        ctx.meter?.add(job.index, value.length);
        if (out) await write(out, value);
      }
    }
    job.completed = ctx.elapsed();
  } catch (err) {
    job.error = err;
    ctx.io.stderr.write(`spdycat: ${job.url}: ${(err as Error).message}\n`);
  } finally {
    ctx.meter?.finish(job.index);
    if (file) await new Promise<void>((resolve) => file.end(() => resolve()));
  }
}

function printStats(jobs: readonly Job[], io: CliIo): void {
  const lines = ['***** Statistics *****'];
  for (const job of jobs) {
    lines.push(`#${job.index + 1}: ${job.url}`);
    if (job.error) {
      lines.push(`    Failed: ${(job.error as Error).message}`);
      continue;
    }
    lines.push(
      `    Status: ${job.status}`,
      `    Bytes: ${job.bytes}`,
      '    Delta (ms) from the handshake (from SYN_STREAM):',
      `        SYN_REPLY: ${Math.round(job.replied)}(${Math.round(job.replied - job.started)})`,
      `        Completed: ${Math.round(job.completed)}(${Math.round(job.completed - job.started)})`,
    );
  }
  io.stdout.write(`${lines.join('\n')}\n`);
}
