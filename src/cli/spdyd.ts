/**
 * `spdyd`: serves a directory over SPDY, with the options of spdylay's tool
 * of that name that make sense here.
 */
import { readFileSync } from 'node:fs';
import { getNpnProtocols, npnToken } from '../codec/npn.js';
import { formatTracedFrame } from '../http/frame-trace.js';
import { serve, type ConnectionInfo } from '../node/http/serve.js';
import { formatOptions, parseArgs, UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import { localhostCertificate } from '../node/http/dev-cert.js';
import type { CliIo } from './spdycat.js';
import { staticFiles } from './static-files.js';
import { VERSION_OPTIONS, versionFromFlags } from './version-flags.js';
import { VERSION_OPTION, versionLine } from './package-version.js';

const OPTIONS: readonly OptionSpec[] = [
  { key: 'htdocs', names: ['-d', '--htdocs'], takes: 'value', help: 'the document root (default: the current directory)' },
  { key: 'verbose', names: ['-v', '--verbose'], help: 'print the frames sent and received' },
  ...VERSION_OPTIONS,
  { key: 'no-tls', names: ['--no-tls'], help: 'cleartext SPDY (the client\'s first frame picks SPDY/2 or 3)' },
  { key: 'cert', names: ['--cert'], takes: 'value', help: 'certificate FILE (PEM); default: a self-signed one for localhost' },
  { key: 'key', names: ['--key'], takes: 'value', help: 'private key FILE (PEM)' },
  { key: 'address', names: ['-a', '--address'], takes: 'value', help: 'the address to listen on (default: all)' },
  VERSION_OPTION,
  { key: 'help', names: ['-h', '--help'], help: 'show this help' },
];

const USAGE = `Usage: spdyd [OPTION]... PORT [CERT KEY]
Serves the files of a directory over SPDY: TLS with ALPN (spdy/3.1, spdy/3,
spdy/2), or cleartext SPDY with --no-tls, where HTTP/1.1 clients may also
come in with "Upgrade: SPDY/3.1". PORT 0 picks a free port. Without a
certificate, a self-signed one for localhost is used (development only).

Options:
${formatOptions(OPTIONS)}
`;

/** A running spdyd, for tests and embedding. */
export interface RunningSpdyd {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts spdyd with `argv`; resolves once it listens (or with an exit status on a usage error). */
export async function start(argv: readonly string[], io: CliIo = process): Promise<RunningSpdyd | number> {
  let args: ParsedArgs;
  let port: number;
  try {
    args = parseArgs(argv, OPTIONS);
    if (args.flags.has('help')) {
      io.stdout.write(USAGE);
      return 0;
    }
    if (args.flags.has('version')) {
      io.stdout.write(versionLine('spdyd'));
      return 0;
    }
    const [portText, certFile, keyFile, ...extra] = args.positionals;
    if (portText === undefined) throw new UsageError('no PORT given');
    if (extra.length > 0 || (certFile !== undefined) !== (keyFile !== undefined)) throw new UsageError('expected PORT [CERT KEY]');
    port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`bad PORT ${portText}`);
    if (certFile) args = { ...args, values: new Map([...args.values, ['cert', certFile], ['key', keyFile!]]) };
    if (args.values.has('cert') !== args.values.has('key')) throw new UsageError('--cert and --key go together');
  } catch (err) {
    io.stderr.write(`spdyd: ${(err as Error).message}\nTry 'spdyd --help'.\n`);
    return 2;
  }
  const plain = args.flags.has('no-tls');
  const version = versionFromFlags(args);
  const verbose = args.flags.has('verbose');
  const docroot = args.values.get('htdocs') ?? process.cwd();
  let cert: string | Buffer | undefined;
  let key: string | Buffer | undefined;
  if (!plain) {
    if (args.values.has('cert')) {
      cert = readFileSync(args.values.get('cert')!);
      key = readFileSync(args.values.get('key')!);
    } else {
      const dev = localhostCertificate();
      cert = dev.cert;
      key = dev.key;
      io.stderr.write(`spdyd: no certificate given: using a self-signed one for localhost (${dev.source}; development only)\n`);
    }
  }

  const started = performance.now();
  const ids = new Map<ConnectionInfo, number>();
  let lastId = 0;
  const server = serve(
    {
      port,
      hostname: args.values.get('address'),
      plain,
      version,
      cert,
      key,
      onConnection: (info) => {
        ids.set(info, ++lastId);
        if (verbose) io.stdout.write(`[id=${lastId}] connection from ${info.remoteAddress}: ${npnToken(info.version)} (${info.via})\n`);
      },
      onFrame: verbose
        ? (direction, frame, info) => {
            const text = formatTracedFrame(direction, frame, performance.now() - started);
            io.stdout.write(`[id=${ids.get(info) ?? 0}] ${text}\n`);
          }
        : undefined,
      onError: (err) => io.stderr.write(`spdyd: handler error: ${(err as Error).stack ?? String(err)}\n`),
    },
    staticFiles(docroot),
  );
  await server.ready;
  const protocols = plain ? `cleartext ${npnToken(version ?? 4)}` : `TLS, ALPN ${version ? npnToken(version) : getNpnProtocols().join(' ')}`;
  io.stderr.write(`spdyd: listening on port ${server.port} (${protocols}), serving ${docroot}\n`);
  return { port: server.port, close: () => server.close() };
}

/** Runs spdyd until SIGINT or SIGTERM; resolves with the exit status. */
export async function main(argv: readonly string[], io: CliIo = process): Promise<number> {
  let running: RunningSpdyd | number;
  try {
    running = await start(argv, io);
  } catch (err) {
    io.stderr.write(`spdyd: ${(err as Error).message}\n`);
    return 1;
  }
  if (typeof running === 'number') return running;
  const server = running;
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  // Graceful: GOAWAY, let open streams finish; a second signal kills as usual.
  await server.close();
  return 0;
}
