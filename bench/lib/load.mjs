// The load shapes shared by every stack: a body written in CHUNK pieces with
// backpressure (Node stream or Web WritableStream), a POST of such a body,
// and N requests kept `inFlight` at a time.
import { once } from 'node:events';
import { CHUNK, chunk } from './settings.mjs';

/** Writes `bytes` to a Node writable in CHUNK writes, waiting for 'drain', then ends it. */
export async function writeNode(stream, bytes) {
  for (let n = 0; n < bytes; n += CHUNK) {
    if (!stream.write(chunk)) await once(stream, 'drain');
  }
  stream.end();
}

/** Writes `bytes` to a Node request stream as writeNode does, then resolves with its answer, as text. */
export async function postNode(req, bytes) {
  req.on('error', () => {});
  req.setEncoding('latin1');
  let answer = '';
  req.on('data', (d) => { answer += d; });
  const ended = once(req, 'end');
  await writeNode(req, bytes);
  await ended;
  return answer;
}

/**
 * Writes `bytes` to a WritableStream in CHUNK writes, waiting for `ready`,
 * then closes it; `onWritten(n)` hears of each write the far side took.
 */
export async function writeWeb(writable, bytes, onWritten) {
  const w = writable.getWriter();
  for (let n = 0; n < bytes; n += CHUNK) {
    await w.ready;
    const written = w.write(chunk);
    if (onWritten) written.then(() => onWritten(CHUNK), () => {});
    else written.catch(() => {});
  }
  await w.close();
}

/** A ReadableStream of `bytes` bytes in CHUNK pieces, made as it is pulled. */
export function bodyOf(bytes) {
  let n = 0;
  return new ReadableStream({
    pull(c) {
      if (n >= bytes) return c.close();
      n += CHUNK;
      c.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
}

/** Bytes in a ReadableStream, read to its end. */
export async function drain(readable) {
  let n = 0;
  for await (const c of readable) n += c.byteLength;
  return n;
}

/** Runs `request()` n times, `inFlight` at once; resolves with the milliseconds taken. */
export async function timedRequests(n, inFlight, request) {
  const t0 = performance.now();
  let left = n;
  const worker = async () => {
    while (left > 0) {
      left--;
      await request();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, inFlight) }, worker));
  return performance.now() - t0;
}

/** Times `fn()`, checking that it resolved with `bytes`. */
export async function timedBytes(bytes, fn) {
  const t0 = performance.now();
  const got = await fn();
  const ms = performance.now() - t0;
  if (got !== bytes) throw new Error(`received ${got} of ${bytes}`);
  return ms;
}
