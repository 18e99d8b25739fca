// Servers and clients on the loopback interface for the HTTP tests, over TLS
// (with the package's development-only localhost certificate) or cleartext.
import type { ProtocolVersion } from '../../src/base/constants.js';
import type { SpdyConfig } from '../../src/base/config.js';
import type { RequestHandler } from '../../src/http/server.js';
import { connect, type ConnectedClient, type ConnectOptions } from '../../src/node/http/connect.js';
import { DEV_ONLY_LOCALHOST_CERT, DEV_ONLY_LOCALHOST_KEY } from '../../src/node/http/dev-only-localhost-cert.js';
import { serve, type ServeOptions, type SpdyServer } from '../../src/node/http/serve.js';

export const CERT = DEV_ONLY_LOCALHOST_CERT;
export const KEY = DEV_ONLY_LOCALHOST_KEY;

export interface Loopback {
  readonly server: SpdyServer;
  readonly client: ConnectedClient;
  readonly origin: string;
  close(): Promise<void>;
}

export interface LoopbackOptions {
  plain?: boolean;
  version?: ProtocolVersion;
  config?: SpdyConfig;
  server?: Partial<ServeOptions>;
  client?: ConnectOptions;
}

/** Starts `serve(handler)` and connects a client to it. */
export async function loopback(handler: RequestHandler, options: LoopbackOptions = {}): Promise<Loopback> {
  const plain = options.plain ?? false;
  const server = serve(
    { port: 0, hostname: '127.0.0.1', cert: CERT, key: KEY, plain, version: options.version, config: options.config, ...options.server },
    handler,
  );
  await server.ready;
  const origin = `${plain ? 'http' : 'https'}://localhost:${server.port}`;
  const client = await connect(origin, { ca: CERT, version: options.version, config: options.config, ...options.client });
  return {
    server,
    client,
    origin,
    async close() {
      await client.close().catch(() => undefined);
      await server.close();
    },
  };
}

/** A body of `total` bytes in chunks of `chunk` bytes, byte i being i % 251. */
export function patternStream(total: number, chunk: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const n = Math.min(chunk, total - sent);
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i++) bytes[i] = (sent + i) % 251;
      sent += n;
      controller.enqueue(bytes);
    },
  });
}

/** True when `bytes` is the pattern of `patternStream`. */
export function isPattern(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== i % 251) return false;
  return true;
}

/** What `p` resolves with, or `'stalled'` if that takes 10 s: how a connection held up by a window shows. */
export async function unlessStalled<T>(p: Promise<T>): Promise<T | 'stalled'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<'stalled'>((resolve) => (timer = setTimeout(resolve, 10_000, 'stalled')));
  return Promise.race([p, stalled]).finally(() => clearTimeout(timer));
}
