/**
 * A SPDY reply as a WHATWG `Response`: `:status` becomes `status` and
 * `statusText`, the other headers `headers`, the stream's DATA the body
 * (its gzip or deflate content coding undone).
 */
import { isReadableStream } from '../base/web-streams.js';
import type { NvInput } from '../codec/nv.js';
import { decodeContentCoding, isDecodedCoding } from './content-coding.js';
import { appendNvHeaders, isNullBodyStatus, nvGet, parseStatus } from './headers.js';

/** A reply header block that cannot be an HTTP response. */
export class InvalidResponseError extends TypeError {
  override name = 'InvalidResponseError';
}

/**
 * Where a reply's body comes from when it need not be a stream from the
 * start: its DATA as a stream, made on first use, or gathered whole without
 * one. A `SpdyStream` is one.
 */
export interface ReplyBody {
  /** The DATA as a stream. */
  readonly readable: ReadableStream<Uint8Array>;
  /** The DATA read whole, at the peer's FIN; rejects once `readable` has been made. */
  bytes(): Promise<Uint8Array>;
}

/**
 * Builds the `Response` of a reply. `url` becomes `response.url`. Given a
 * `ReplyBody`, the body stream is made only if it is asked for:
 * `text()`, `json()`, `arrayBuffer()` and `bytes()` gather the DATA whole
 * instead. Throws `InvalidResponseError` when `:status` is missing or not a
 * final status, or a header is not valid HTTP.
 */
export function responseFromNv(nv: NvInput, body: ReplyBody | ReadableStream<Uint8Array> | null, url: string): Response {
  const parsed = parseStatus(nvGet(nv, ':status'));
  if (!parsed || parsed.status < 200 || parsed.status > 599) {
    throw new InvalidResponseError(`invalid :status ${JSON.stringify(nvGet(nv, ':status') ?? null)}`);
  }
  const init: ResponseInit = { status: parsed.status, statusText: parsed.statusText };
  // As fetch does: the body comes decoded, the headers stay as sent.
  const coding = nvGet(nv, 'content-encoding')?.replaceAll('\0', ', ') ?? null;
  let response: Response;
  if (isNullBodyStatus(parsed.status)) {
    streamOf(body)?.cancel().catch(() => undefined);
    response = withUrl(new Response(null, init), url);
  } else if (body && !isReadableStream(body) && !isDecodedCoding(coding)) {
    response = new (lazyBodyResponse ??= makeLazyBodyResponse())(body, init, url);
  } else {
    const stream = streamOf(body);
    response = withUrl(new Response(stream && decodeContentCoding(stream, coding), init), url);
  }
  try {
    appendNvHeaders(response.headers, nv);
  } catch (err) {
    throw new InvalidResponseError(`invalid response header: ${(err as Error).message}`);
  }
  return response;
}

/** The body as a stream: itself, or a `ReplyBody`'s stream, made now. */
function streamOf(body: ReplyBody | ReadableStream<Uint8Array> | null): ReadableStream<Uint8Array> | null {
  return body === null || isReadableStream(body) ? body : body.readable;
}

/** A constructed Response has an empty url; fetch()'s has the request's. */
function withUrl(response: Response, url: string): Response {
  Object.defineProperty(response, 'url', { value: url, enumerable: true });
  return response;
}

const utf8 = new TextDecoder();

const unusable = (): TypeError => new TypeError('Body is unusable: it has been read already');

/** `bytes` in an ArrayBuffer of their own (a chunk may be a view into a larger buffer). */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return (whole ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
}

/**
 * The class of a `Response` whose body stream is made only when it is
 * asked for. A `ReadableStream` is most of what a small reply costs, and
 * the usual `await response.json()` needs none: `text()`, `json()`,
 * `arrayBuffer()` and `bytes()` gather the DATA whole. `body`, `blob()`,
 * `formData()` and `clone()` go through a `Response` over the stream, made
 * then and kept, so that they behave exactly as the runtime's own.
 *
 * Made on first use: a class that extends `Response` names it as the
 * module loads, and under Node that loads the runtime's whole fetch
 * implementation (2 MB of heap), which a `SpdySession` never needs.
 */
function makeLazyBodyResponse() {
  return class LazyBodyResponse extends Response {
    readonly #source: ReplyBody;
    readonly #url: string;
    /** The Response over the body stream, once something needed the stream. */
    #streamed: Response | null = null;
    /** The body was gathered whole. */
    #gathered = false;

    constructor(source: ReplyBody, init: ResponseInit, url: string) {
      super(null, init);
      this.#source = source;
      this.#url = url;
    }

    override get url(): string {
      return this.#url;
    }

    override get body(): ReadableStream<Uint8Array<ArrayBuffer>> {
      return (this.#gathered ? this.#source.readable : this.#overStream().body!) as ReadableStream<Uint8Array<ArrayBuffer>>;
    }

    override get bodyUsed(): boolean {
      return this.#gathered || (this.#streamed?.bodyUsed ?? false);
    }

    override async arrayBuffer(): Promise<ArrayBuffer> {
      return this.#streamed ? this.#streamed.arrayBuffer() : ownBuffer(await this.#whole());
    }

    override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
      return new Uint8Array(await this.arrayBuffer());
    }

    override async text(): Promise<string> {
      return this.#streamed ? this.#streamed.text() : utf8.decode(await this.#whole());
    }

    override async json(): Promise<unknown> {
      return this.#streamed ? this.#streamed.json() : JSON.parse(await this.text());
    }

    override async blob(): Promise<Blob> {
      if (this.#gathered) throw unusable();
      return this.#overStream().blob();
    }

    override async formData(): Promise<FormData> {
      if (this.#gathered) throw unusable();
      return this.#overStream().formData();
    }

    override clone(): Response {
      if (this.#gathered) throw unusable();
      return withUrl(this.#overStream().clone(), this.#url);
    }

    async #whole(): Promise<Uint8Array> {
      if (this.#gathered) throw unusable();
      this.#gathered = true;
      return this.#source.bytes();
    }

    #overStream(): Response {
      return (this.#streamed ??= new Response(this.#source.readable, {
        status: this.status,
        statusText: this.statusText,
        headers: this.headers,
      }));
    }
  };
}

let lazyBodyResponse: ReturnType<typeof makeLazyBodyResponse> | null = null;
