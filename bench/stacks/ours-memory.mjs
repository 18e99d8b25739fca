// The memory cases, ours only (SpdySession over sockets, default windows):
// what an idle open stream costs on each end, 10,000 streams open at once on
// one session, and how much a reader that stops reading a large body holds.
import { requestNv, heapUsed, memoryConfig } from '../lib/settings.mjs';
import { dialSession, get, sessionServer } from './ours-session.mjs';

/** The stream window of the stalled-reader case, given explicitly (SpdySession's default). */
const STALL_WINDOW = 128 << 10;
/** The most bytes one read of a dialled socket hands over (a slab of `socketReads`). */
const TRANSPORT_CHUNK = 256 << 10;

const readText = async (session, path) => {
  const stream = await session.openStream({ headers: requestNv(path), endStream: true });
  return Number(await new Response(stream.readable).text());
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const server = sessionServer(memoryConfig);

export const client = {
  /** Heap per idle open stream (headers exchanged, no body, not ended), each end. */
  async idle(port, n) {
    const s = await dialSession(port, memoryConfig);
    await get(s, '/small');
    const serverBefore = await readText(s, '/heap');
    const clientBefore = heapUsed();
    const streams = await Promise.all(Array.from({ length: n }, () => s.openStream({ headers: requestNv('/idle'), endStream: true })));
    await Promise.all(streams.map((st) => st.headers));
    const clientAfter = heapUsed();
    const serverAfter = await readText(s, '/heap');
    for (const st of streams) st.reset();
    await s.close();
    return { n, client: (clientAfter - clientBefore) / n, server: (serverAfter - serverBefore) / n };
  },

  /** n GETs opened at once on one session; all must complete. */
  async concurrent(port, n) {
    const s = await dialSession(port, memoryConfig);
    const t0 = performance.now();
    const sizes = await Promise.all(Array.from({ length: n }, () => get(s, '/small')));
    const ms = performance.now() - t0;
    await s.close();
    return { n, ms, completed: sizes.filter((b) => b > 0).length };
  },

  /** A reader takes one chunk of a `bytes` body and stops: what is held once the sender has stopped. */
  async stall(port, bytes) {
    const config = { ...memoryConfig, initialWindowSize: STALL_WINDOW };
    const s = await dialSession(port, config);
    await get(s, '/small');
    heapUsed();
    const buffersBefore = process.memoryUsage().arrayBuffers;
    const stream = await s.openStream({ headers: requestNv(`/stall/${bytes}`), endStream: true });
    const reader = stream.readable.getReader();
    const first = await reader.read();
    let sent = -1;
    for (let tries = 0; tries < 40; tries++) {
      await sleep(150);
      const now = await readText(s, '/stats');
      if (now === sent) break;
      sent = now;
    }
    heapUsed();
    const result = {
      bytes,
      window: STALL_WINDOW,
      bound: STALL_WINDOW + TRANSPORT_CHUNK,
      firstChunk: first.value.byteLength,
      serverSent: sent,
      streamBuffered: stream.bufferedBytes,
      sessionBuffered: s.bufferedBytes,
      arrayBuffersDelta: process.memoryUsage().arrayBuffers - buffersBefore,
    };
    await reader.cancel();
    await s.close();
    return result;
  },
};
