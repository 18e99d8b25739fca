/**
 * `BaseSPDYRequestHandler`, the Python binding's server-side handler in the
 * style of `http.server`: one instance per request, a `do_<METHOD>()`
 * method per method, the body in `rfile`, the answer built with
 * `sendResponse`, `sendHeader` and `wfile`.
 */
import { statusText } from '../../http/status-text.js';
import type { ThreadedSPDYServer } from './threaded-server.js';

/** The request body, read whole (as the Python binding keeps it in memory). */
export class RequestBodyFile {
  private pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  /** The next `size` bytes (all that remain when `size` is negative or absent). */
  read(size = -1): Uint8Array {
    const end = size < 0 ? this.bytes.length : Math.min(this.bytes.length, this.pos + size);
    const out = this.bytes.subarray(this.pos, end);
    this.pos = end;
    return out;
  }

  /** What remains, decoded as UTF-8. */
  text(): string {
    return new TextDecoder().decode(this.read());
  }

  /** The body's size in bytes. */
  get length(): number {
    return this.bytes.length;
  }
}

/** Collects the response body; it is sent when the `do_*` method returns. */
export class ResponseBodyFile {
  private readonly parts: Uint8Array[] = [];

  /** Appends `data` (strings as UTF-8); returns the number of bytes. */
  write(data: Uint8Array | string): number {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.parts.push(bytes.slice());
    return bytes.length;
  }

  /** Everything written, in one piece. */
  getValue(): Uint8Array<ArrayBuffer> {
    const total = this.parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** The whole of `body`, or null (and the body cancelled) past `limit` bytes. */
async function readAtMost(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const file = new ResponseBodyFile();
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return file.getValue();
    total += value.length;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    file.write(value);
  }
}

function headerPairs(headers: Headers): Array<readonly [string, string]> {
  const pairs: Array<readonly [string, string]> = [];
  headers.forEach((value, name) => pairs.push([name, value]));
  return pairs;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Handles one SPDY request. Subclass it and add a `do_GET()` (`do_POST()`,
 * ...) method: it may be async. Unknown methods get 501.
 */
export class BaseSPDYRequestHandler {
  /** The server software, sent in the `server` header. */
  static serverVersion = 'spdy-streams/0.1';
  /** The runtime's version, sent after `serverVersion`. */
  static sysVersion = `Node.js/${process.versions.node}`;

  /** The method: `GET`. */
  readonly command: string;
  /** The path and query: `/index.html?x=1`. */
  readonly path: string;
  /** The request's `:version`: `HTTP/1.1`. */
  readonly requestVersion: string;
  /** The request headers other than the `:` ones, as name/value pairs. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** The request body (null for methods without one). Set before `do_*` runs. */
  rfile: RequestBodyFile | null = null;
  /** The response body. */
  wfile = new ResponseBodyFile();
  private status: string | null = null;
  private readonly responseHeaders: Array<[string, string]> = [];

  constructor(
    /** The request, as a WHATWG `Request`. */
    readonly request: Request,
    /** `[host, port]` of the client. */
    readonly clientAddress: readonly [string, number],
    /** The server that made this handler. */
    readonly server: ThreadedSPDYServer | null,
    requestVersion = 'HTTP/1.1',
  ) {
    const url = new URL(request.url);
    this.command = request.method;
    this.path = `${url.pathname}${url.search}`;
    this.requestVersion = requestVersion;
    this.headers = headerPairs(request.headers);
  }

  /** The `server` header value sent with responses, as the Python binding's `server_version`. */
  get serverVersion(): string {
    return (this.constructor as typeof BaseSPDYRequestHandler).serverVersion;
  }

  /** The runtime's version string, as the Python binding's `sys_version`. */
  get sysVersion(): string {
    return (this.constructor as typeof BaseSPDYRequestHandler).sysVersion;
  }

  /** Sets the status, sent as `:status` (`200 OK`), and the `server` and `date` headers. */
  sendResponse(code: number, message?: string): void {
    const reason = message ?? statusText(code);
    this.status = reason ? `${code} ${reason}` : String(code);
    this.sendHeader('server', `${this.serverVersion} ${this.sysVersion}`);
    this.sendHeader('date', new Date().toUTCString());
  }

  /** Adds a response header (names are sent lower-case, as SPDY requires). */
  sendHeader(keyword: string, value: string): void {
    this.responseHeaders.push([keyword.toLowerCase(), value]);
  }

  /** Replaces the answer with a complete HTML error page for `code`. */
  sendError(code: number, message?: string): void {
    const reason = statusText(code) || 'Error';
    const detail = message ?? reason;
    const page =
      '<!DOCTYPE html>\n<html><head><meta charset="utf-8">' +
      `<title>${code} ${escapeHtml(reason)}</title></head>\n` +
      `<body><h1>${code} ${escapeHtml(reason)}</h1>\n<p>${escapeHtml(detail)}</p>\n</body></html>\n`;
    this.responseHeaders.length = 0;
    this.sendResponse(code, reason);
    this.sendHeader('content-type', 'text/html; charset=utf-8');
    this.wfile = new ResponseBodyFile();
    this.wfile.write(page);
  }

  /**
   * Reads the body if the method has one, calls `do_<command>()`, and
   * returns the response it built (200 if it set no status). A body over
   * `maxBodySize` bytes is answered 413 without calling the method.
   */
  async handle(maxBodySize = Infinity): Promise<Response> {
    if (this.request.body) {
      const body = await readAtMost(this.request.body, maxBodySize);
      if (!body) {
        this.sendError(413);
        return this.toResponse();
      }
      this.rfile = new RequestBodyFile(body);
    }
    const method = (this as unknown as Record<string, unknown>)[`do_${this.command}`];
    if (typeof method === 'function') await method.call(this);
    else this.sendError(501, `Unsupported method (${this.command})`);
    return this.toResponse();
  }

  /** The response as built so far. */
  toResponse(): Response {
    const [code, ...reason] = (this.status ?? '200 OK').split(' ');
    const status = Number(code);
    const body = status === 204 || status === 304 ? null : this.wfile.getValue();
    return new Response(body, {
      status,
      statusText: reason.join(' '),
      headers: this.responseHeaders,
    });
  }
}
