// What the fuzzer attacks, and what it accepts as an outcome: sans-IO
// Sessions, SpdySessions over the memory pair and the HTTP client and
// server, each side. A case passes when the input was handled or refused
// with a SpdyError or GOAWAY; it fails on any other exception, on a promise
// that never settles, or on state left behind.
import {
  CLIENT, SERVER, Session, SpdyClient, SpdyError, SpdyFetchError, SpdySession, InvalidResponseError,
  createMemoryTransportPair, serveSession, type ProtocolVersion, type SpdyStream,
} from '../../src/index.js';
import { REQUEST, RESPONSE, bodyProvider, bytes } from '../session/harness.js';
import { iterate, request } from '../streams/session-pair.js';
import { hostileInput, VERSIONS, type Writer } from './frames.js';
import { pick, prng, type Rng } from './prng.js';

export const TARGETS = [
  'session-server', 'session-client', 'spdy-session-server', 'spdy-session-client', 'http-server', 'http-client',
] as const;
export type TargetName = (typeof TARGETS)[number];

/** One case: the input is all there is to replay; the target's own choices follow from `seed`. */
export interface FuzzCase {
  readonly target: TargetName;
  readonly version: ProtocolVersion;
  readonly seed: number;
  readonly chunks: readonly Uint8Array[];
}

/** How a case ended, for the statistics: the input was refused, or handled to its end. */
export type Outcome = 'refused' | 'handled';

/** The case built from `seed` alone. */
export function makeCase(seed: number): FuzzCase {
  const rnd = prng(seed);
  const target = pick(rnd, TARGETS);
  const version = pick(rnd, VERSIONS);
  const writer: Writer = target.endsWith('server') ? 'client' : 'server';
  return { target, version, seed, chunks: hostileInput(rnd, version, writer) };
}

/** Runs one case; throws a description of what went wrong when its outcome is not acceptable. */
export async function runCase(c: FuzzCase, watchdogMs = 10_000): Promise<Outcome> {
  const rnd = prng(c.seed ^ 0x9e3779b9);
  switch (c.target) {
    case 'session-server': return sessionTarget(c, SERVER, rnd);
    case 'session-client': return sessionTarget(c, CLIENT, rnd);
    default: return streamsTarget(c, rnd, watchdogMs);
  }
}

const POST = [...REQUEST.filter(([n]) => n !== ':method'), [':method', 'POST']] as Array<[string, string]>;

/**
 * A sans-IO Session for hostile input: it answers every request with 3000
 * bytes, takes every callback, bounds pending replies at 100, and its peer
 * sometimes stops reading for a while.
 */
export function hostileSession(side: typeof CLIENT | typeof SERVER, version: ProtocolVersion, rnd: Rng): Session {
  return new Session(side, version, {
    sendCb: (_s, d) => (rnd.int(8) === 0 ? 0 : d.length),
    onRequestRecvCb: (s, id) => s.submitResponse(id, RESPONSE, bodyProvider(bytes(3000, id))),
    onDataChunkRecvCb: () => {},
    onInvalidCtrlRecvCb: () => {},
    onCtrlRecvParseErrorCb: () => {},
    onUnknownCtrlRecvCb: () => {},
    onStreamCloseCb: () => {},
    config: { maxPendingReplies: 100 },
  });
}

function sessionTarget(c: FuzzCase, side: typeof CLIENT | typeof SERVER, rnd: Rng): Outcome {
  const session = hostileSession(side, c.version, rnd);
  if (side === CLIENT) {
    session.submitRequest(2, REQUEST);
    session.submitRequest(0, POST, bodyProvider(bytes(5000, 1)));
    session.submitRequest(3, REQUEST);
  }
  session.send();
  for (const chunk of c.chunks) {
    session.recv(chunk);
    session.send();
  }
  for (let i = 0; i < 1000 && session.wantWrite(); i++) session.send();
  if (session.getOutboundQueueSize() >= 300) throw new Error(`outbound queue of ${session.getOutboundQueueSize()}`);
  if (session.numOpenStreams > 103) throw new Error(`${session.numOpenStreams} open streams`);
  return session.goawayState.sent ? 'refused' : 'handled';
}

/** Rejects with a description unless `p` settles before the watchdog fires. */
function withinWatchdog<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung: ${what} did not settle in ${ms} ms`)), ms);
  });
  return Promise.race([p, watchdog]).finally(() => clearTimeout(timer));
}

/** Errors the application sees that are not the library's own, collected by `expect`. */
class Strays {
  readonly found: string[] = [];
  /** Waits for `p`; a rejection must pass `allowed` (by default: a SpdyError). */
  expect(p: Promise<unknown>, what: string, allowed: (e: unknown) => boolean = isSpdyError): Promise<void> {
    return p.then(() => undefined, (err: unknown) => {
      if (!allowed(err)) this.found.push(`${what}: ${String((err as Error)?.stack ?? err)}`);
    });
  }
}

const isSpdyError = (e: unknown): boolean => e instanceof SpdyError;
const isAbort = (e: unknown): boolean => (e as Error | null)?.name === 'AbortError';
/** fetch's failures are TypeErrors, as WHATWG fetch's are; the SPDY cause rides on `cause`. */
const isFetchFailure = (e: unknown): boolean =>
  (e instanceof SpdyFetchError && isSpdyError(e.cause)) || e instanceof InvalidResponseError || isAbort(e);

/** A readable of one chunk. */
const bodyOf = (chunk: Uint8Array): ReadableStream<Uint8Array> =>
  new ReadableStream({ start: (c) => (c.enqueue(chunk), c.close()) });

async function drain(readable: ReadableStream<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of iterate(readable)) n += chunk.length;
  return n;
}

async function streamsTarget(c: FuzzCase, rnd: Rng, watchdogMs: number): Promise<Outcome> {
  const side = c.target.endsWith('server') ? 'server' : 'client';
  const [ours, theirs] = createMemoryTransportPair();
  const session = new SpdySession(ours, { side, version: c.version });
  const strays = new Strays();
  const work: Promise<unknown>[] = [];
  switch (c.target) {
    case 'spdy-session-server': work.push(serveStreams(session, strays, rnd)); break;
    case 'spdy-session-client': work.push(...openStreams(session, strays)); break;
    case 'http-server':
      work.push(strays.expect(serveSession(session, async (req, ctx) => {
        await req.arrayBuffer().catch(() => undefined);
        if (rnd.int(3) === 0) await ctx.push('/pushed', new Response('p')).catch(() => undefined);
        return new Response('hello '.repeat(1 + rnd.int(3000)));
      }, { scheme: 'https', version: c.version }), 'serveSession'));
      break;
    default: work.push(...fetches(session, strays, rnd));
  }
  const draining = theirs.readable.pipeTo(new WritableStream()).catch(() => undefined);
  const writer = theirs.writable.getWriter();
  const writing = (async () => {
    for (const chunk of c.chunks) await writer.write(chunk);
    await writer.close();
  })().catch(() => undefined);
  const closed = await withinWatchdog(session.closed.then(() => null, (e: unknown) => e), watchdogMs, 'session.closed');
  if (closed !== null && !isSpdyError(closed)) throw new Error(`session.closed rejected with ${String(closed)}`);
  await withinWatchdog(Promise.all([...work, writing, draining]), watchdogMs, 'the streams and the transport');
  if (strays.found.length > 0) throw new Error(strays.found.join('\n'));
  if (session.numOpenStreams !== 0) throw new Error(`${session.numOpenStreams} streams left open`);
  if (session.bufferedBytes !== 0) throw new Error(`${session.bufferedBytes} bytes left buffered`);
  return closed === null ? 'handled' : 'refused';
}

async function serveStreams(session: SpdySession, strays: Strays, rnd: Rng): Promise<void> {
  const handlers: Promise<void>[] = [];
  await strays.expect((async () => {
    for await (const stream of iterate(session.incoming)) handlers.push(serveOne(stream, strays, rnd.int(3)));
  })(), 'incoming');
  await Promise.all(handlers);
}

async function serveOne(stream: SpdyStream, strays: Strays, how: number): Promise<void> {
  await strays.expect(drain(stream.readable), `stream ${stream.id} readable`);
  if (how === 0) return stream.reset(5);
  await strays.expect((async () => {
    await stream.respond(RESPONSE, { endStream: how === 1 });
    if (how === 2) {
      await bodyOf(bytes(20_000, stream.id)).pipeTo(stream.writable);
    }
  })(), `stream ${stream.id} response`);
}

function openStreams(session: SpdySession, strays: Strays): Promise<void>[] {
  const one = async (i: number): Promise<void> => {
    const stream = await session.openStream({ headers: request(`/s${i}`, i === 1 ? 'POST' : 'GET'), endStream: i !== 1 });
    const reading = strays.expect(Promise.all([stream.headers, drain(stream.readable)]), `stream ${i} response`);
    if (i === 1) {
      // pipeTo rejects with the stream's own error; a writer's close() after a reset gets the platform's TypeError.
      await strays.expect(bodyOf(bytes(30_000, 2)).pipeTo(stream.writable), `stream ${i} upload`);
    }
    await reading;
  };
  const pushes = (async () => {
    for await (const pushed of iterate(session.incoming)) void strays.expect(drain(pushed.readable), `push ${pushed.id}`);
  })();
  return [0, 1, 2].map((i) => strays.expect(one(i), `stream ${i}`)).concat(strays.expect(pushes, 'incoming'));
}

function fetches(session: SpdySession, strays: Strays, rnd: Rng): Promise<void>[] {
  const client = new SpdyClient(session, { origin: 'https://fuzz.test' });
  const read = async (res: Response, what: string): Promise<void> => {
    await strays.expect(res.arrayBuffer(), `${what} body`, (e) => isSpdyError(e) || isAbort(e));
  };
  const one = async (path: string, init: RequestInit): Promise<void> => {
    const res = await client.fetch(path, init);
    await read(res, path);
  };
  const abort = new AbortController();
  if (rnd.int(2)) setTimeout(() => abort.abort(), rnd.int(5));
  const pushes = (async () => {
    for await (const push of client.pushes()) await read(push.response, push.url);
  })();
  return [
    strays.expect(one('/', {}), 'GET /', isFetchFailure),
    strays.expect(one('/upload', { method: 'POST', body: 'x'.repeat(20_000) }), 'POST /upload', isFetchFailure),
    strays.expect(one('/abortable', { signal: abort.signal }), 'GET /abortable', isFetchFailure),
    strays.expect(pushes, 'pushes'),
  ];
}
