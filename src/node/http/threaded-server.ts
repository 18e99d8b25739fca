/**
 * `ThreadedSPDYServer`, the Python binding's ready-made server: it answers
 * each request with a new instance of a `BaseSPDYRequestHandler` subclass.
 *
 * About the name: the Python class runs each connection on its own thread.
 * Node has one thread; here every request of every connection is handled
 * concurrently on the event loop instead. A `do_*` method that returns a
 * promise lets other requests run while it waits; a synchronous one that
 * computes for long holds all of them up, as blocking code does in Node.
 */
import { InvalidArgumentError } from '../../base/errors.js';
import { readFileSync } from 'node:fs';
import { nvGet } from '../../http/headers.js';
import type { BaseSPDYRequestHandler } from './request-handler.js';
import { serve, type ServeOptions, type SpdyServer } from './serve.js';

/** A `BaseSPDYRequestHandler` subclass. */
export type RequestHandlerClass = new (
  request: Request,
  clientAddress: readonly [string, number],
  server: ThreadedSPDYServer,
  requestVersion?: string,
) => BaseSPDYRequestHandler;

/** Options of {@link ThreadedSPDYServer}: those of `serve()` it passes on, and its own. */
export interface ThreadedSPDYServerOptions extends Pick<ServeOptions, 'cert' | 'key' | 'plain' | 'version' | 'config'> {
  /** PEM files of the certificate chain and key (required unless `plain`, or `cert` and `key` given). */
  certFile?: string;
  keyFile?: string;
  /** Request bodies larger than this are answered 413. Default 16 MiB. */
  maxRequestBodySize?: number;
}

function splitAddress(remote: string | undefined): [string, number] {
  const match = /^\[?(.*?)\]?:(\d+)$/.exec(remote ?? '');
  return match ? [match[1]!, Number(match[2])] : [remote ?? '', 0];
}

/**
 * The Python binding's `ThreadedSPDYServer`: serves each request with a new
 * instance of a `BaseSPDYRequestHandler` subclass, over `serve()`.
 */
export class ThreadedSPDYServer {
  private running: SpdyServer | null = null;

  constructor(
    /** `[host, port]` to listen on; port 0 picks a free one (see `port`). */
    readonly serverAddress: readonly [string, number],
    readonly RequestHandlerClass: RequestHandlerClass,
    private readonly options: ThreadedSPDYServerOptions = {},
  ) {
    if (!options.plain && (options.cert ?? options.certFile) === undefined) {
      throw new InvalidArgumentError('ThreadedSPDYServer needs certFile and keyFile (or plain: true)');
    }
  }

  /** The port listened on, once `start()` has resolved. */
  get port(): number {
    return this.running?.port ?? 0;
  }

  /** Starts listening; resolves when the server is ready for connections. */
  async start(): Promise<void> {
    if (this.running) return this.running.ready;
    const o = this.options;
    const limit = o.maxRequestBodySize ?? 16 * 1024 * 1024;
    this.running = serve(
      {
        hostname: this.serverAddress[0],
        port: this.serverAddress[1],
        plain: o.plain,
        version: o.version,
        config: o.config,
        cert: o.plain ? undefined : o.cert ?? readFileSync(o.certFile!),
        key: o.plain ? undefined : o.key ?? readFileSync(o.keyFile!),
      },
      async (request, ctx) => {
        const handler = new this.RequestHandlerClass(
          request,
          splitAddress(ctx.remoteAddress),
          this,
          nvGet(ctx.nv, ':version') ?? 'HTTP/1.1',
        );
        return handler.handle(limit);
      },
    );
    await this.running.ready;
  }

  /** Python's name for running the server: the same as `start()`. */
  serveForever(): Promise<void> {
    return this.start();
  }

  /** Stops: GOAWAY to every client, open requests finish, then the connections close. */
  async shutdown(): Promise<void> {
    const running = this.running;
    this.running = null;
    await running?.close();
  }
}
