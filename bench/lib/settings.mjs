// The settings every stack of the end-to-end benchmarks shares, so that the
// contenders are measured under the same windows, chunk sizes and paths.
export const HOST = '127.0.0.1';
/** Stream and connection receive windows of every stack (16 MiB). */
export const WINDOW = 16 << 20;
/** Size of one body write on the sending side. */
export const CHUNK = 64 << 10;
/** Size of the answer to one small GET. */
export const SMALL = 100;

export const chunk = Buffer.alloc(CHUNK, 0x61);
export const small = Buffer.alloc(SMALL, 0x62);

/** Our `config` for the throughput cases: 16 MiB windows, the rest defaults. */
export const oursConfig = { initialWindowSize: WINDOW, sessionWindowSize: WINDOW };

/**
 * Our `config` for the memory cases: default windows, but room for the
 * 10,000 concurrent streams case on both ends, and no RST_STREAM rate
 * bound (the idle case resets all its streams at once).
 */
export const memoryConfig = { maxConcurrentStreams: 20000, maxPendingReplies: 100000, maxRstStreamRate: 0 };

/**
 * What a request path asks of a server: `/bulk/N` N bytes in CHUNK writes,
 * `/upload` (a POST) the length of the body it read, as decimal text,
 * `/small` SMALL bytes, `/idle` headers and then nothing until reset,
 * `/stall/N` as bulk but counted (see `/stats`), `/heap` the server's heap
 * after a full GC, `/stats` the bytes the last `/stall` has written so far.
 */
export function route(path) {
  const [, kind, n] = path.split('/');
  return { kind, bytes: Number(n ?? 0) };
}

/** The header list of a request (a GET unless `method` says) for `path`, for our SpdySession. */
export const requestNv = (path, method = 'GET') => [
  [':method', method], [':path', path], [':version', 'HTTP/1.1'], [':host', 'bench'], [':scheme', 'http'],
];

/** Heap in use after a full GC (the process runs with --expose-gc). */
export function heapUsed() {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}
