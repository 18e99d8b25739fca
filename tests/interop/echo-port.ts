/**
 * What the port-forward tests share: a TCP echo server on loopback standing
 * for the pod's port, a port nothing listens on, a round trip of random
 * bytes through a forwarded connection checked by sha256, and a channel read
 * to its end as text.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import * as assert from 'uvu/assert';

/** An echo server on 127.0.0.1: `port`, and `close()`. */
export interface EchoPort {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts an echo server; with `allowHalfOpen` it keeps echoing after the client's end of input. */
export async function startEchoPort(options: { allowHalfOpen?: boolean } = {}): Promise<EchoPort> {
  const server = createServer({ allowHalfOpen: options.allowHalfOpen ?? false }, (s: Socket) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A loopback port that nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * Writes `size` random bytes to `conn` in 256 KiB writes, closes it, reads
 * the echo to its end, and asserts that the same bytes came back.
 */
export async function assertEchoed(
  conn: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> },
  size: number,
): Promise<void> {
  const body = randomBytes(size);
  const sent = createHash('sha256').update(body).digest('hex');
  const writing = (async () => {
    const w = conn.writable.getWriter();
    for (let off = 0; off < body.length; off += 256 * 1024) await w.write(body.subarray(off, off + 256 * 1024));
    await w.close();
  })();
  const h = createHash('sha256');
  let n = 0;
  for await (const chunk of conn.readable) {
    h.update(chunk);
    n += chunk.length;
  }
  await writing;
  assert.is(n, body.length);
  assert.is(h.digest('hex'), sent);
}

/** Sends `connection i` on each of `conns` at once, closes each, and asserts each came back alone. */
export async function assertEachEchoed(
  conns: ReadonlyArray<{ readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }>,
): Promise<void> {
  const encoder = new TextEncoder();
  const results = await Promise.all(conns.map(async (c, i) => {
    const w = c.writable.getWriter();
    await w.write(encoder.encode(`connection ${i}`));
    await w.close();
    return text(c.readable);
  }));
  assert.equal(results, conns.map((_, i) => `connection ${i}`));
}

/** A channel read to its end as UTF-8 text (asserting it exists). */
export async function text(stream: ReadableStream<Uint8Array> | null): Promise<string> {
  assert.ok(stream, 'the channel exists');
  let out = '';
  const d = new TextDecoder();
  for await (const chunk of stream!) out += d.decode(chunk, { stream: true });
  return out + d.decode();
}
