// The soak: opens and closes sessions and streams at a steady rate for N
// minutes, over TCP loopback (listenSessions/connectSession) and over the
// in-memory pair, in every way a stream or a session can end: normally,
// reset by either side, cancelled by the reader, refused by the server, the
// session destroyed mid-stream, and the peer's transport vanishing. Every
// few seconds it prints the heap (after a collection) and the RSS; at the
// end it compares the end with the state after warm-up and prints a verdict.
// Not a test: run it by hand (`npm run soak -- --minutes 10`).
import {
  CANCEL, PROTO_SPDY3_1, REFUSED_STREAM, SpdySession, createMemoryTransportPair,
} from '../dist/esm/index.js';
import { connectSession, listenSessions } from '../dist/esm/node/index.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const MINUTES = arg('minutes', 1);
const REPORT_MS = arg('report-seconds', 10) * 1000;
const WARMUP_MS = Math.min(60_000, (MINUTES * 60_000) / 4);
const BODY = new Uint8Array(64 * 1024).map((_, i) => i & 0xff);
const REQUEST = [[':method', 'POST'], [':path', '/'], [':version', 'HTTP/1.1'], [':host', 'soak'], [':scheme', 'http']];
const OK = [[':status', '200'], [':version', 'HTTP/1.1']];

const counts = { sessions: 0, normal: 0, reset: 0, cancelled: 0, refused: 0, destroyed: 0, vanished: 0, errors: 0 };

/** Serves each incoming stream by the path's instruction. */
async function serveStreams(session) {
  try {
    for await (const stream of session.incoming) {
      void (async () => {
        const path = stream.headers ? new Map(await stream.headers).get(':path') : '/';
        if (path === '/refuse') return stream.reset(REFUSED_STREAM);
        await stream.respond(OK);
        const chunks = [];
        for await (const chunk of stream.readable) chunks.push(chunk);
        const writer = stream.writable.getWriter();
        for (const chunk of chunks) await writer.write(chunk);
        await writer.close();
      })().catch(() => undefined);
    }
  } catch {
    // The session ended in error: one of the cases.
  }
}

async function drain(readable) {
  let n = 0;
  for await (const chunk of readable) n += chunk.length;
  return n;
}

/** One stream, ended in the way `kind` says. */
async function oneStream(client, kind) {
  const path = kind === 'refused' ? '/refuse' : '/';
  const stream = await client.openStream({ headers: REQUEST.map(([n, v]) => [n, n === ':path' ? path : v]) });
  const writer = stream.writable.getWriter();
  if (kind === 'reset') {
    await writer.write(BODY).catch(() => undefined);
    stream.reset(CANCEL);
    await stream.closed.catch(() => undefined);
    return;
  }
  void writer.write(BODY).then(() => writer.close()).catch(() => undefined);
  if (kind === 'cancelled') {
    await stream.headers.catch(() => undefined);
    await stream.readable.cancel().catch(() => undefined);
  } else if (kind === 'refused') {
    await stream.closed.catch(() => undefined);
  } else {
    const n = await drain(stream.readable);
    if (n !== BODY.length) throw new Error(`echoed ${n} bytes`);
  }
}

/** A session pair that runs a few streams of each kind, then ends as `end` says. */
async function oneSession(makePair, end) {
  const { client, server, vanish } = await makePair();
  counts.sessions++;
  const serving = serveStreams(server);
  for (const kind of ['normal', 'reset', 'cancelled', 'refused', 'normal']) {
    await oneStream(client, kind);
    counts[kind]++;
  }
  if (end === 'destroyed') {
    void oneStream(client, 'normal').catch(() => undefined);
    client.destroy();
  } else if (end === 'vanished') {
    void oneStream(client, 'normal').catch(() => undefined);
    vanish();
  } else {
    await client.close();
  }
  counts[end === 'close' ? 'normal' : end]++;
  await Promise.allSettled([client.closed, server.closed, serving]);
}

function memoryPair() {
  const [a, b] = createMemoryTransportPair();
  return {
    client: new SpdySession(a, { side: 'client', version: PROTO_SPDY3_1 }),
    server: new SpdySession(b, { side: 'server', version: PROTO_SPDY3_1 }),
    vanish: () => a.destroy(),
  };
}

async function main() {
  const accepted = [];
  const listener = listenSessions({ plain: true, host: '127.0.0.1' }, (session, socket) => accepted.push({ session, socket }));
  await listener.ready;
  const tcpPair = async () => {
    const client = await connectSession({ plain: true, host: '127.0.0.1', port: listener.port });
    while (accepted.length === 0) await new Promise((r) => setTimeout(r, 1));
    const { session: server, socket } = accepted.shift();
    return { client, server, vanish: () => socket.destroy() };
  };

  const started = Date.now();
  const samples = [];
  let nextReport = started + REPORT_MS;
  const ends = ['close', 'destroyed', 'vanished'];
  for (let i = 0; Date.now() - started < MINUTES * 60_000; i++) {
    try {
      await oneSession(i % 2 === 0 ? tcpPair : memoryPair, ends[i % ends.length]);
    } catch (err) {
      counts.errors++;
      if (counts.errors <= 5) console.error('case failed:', err);
    }
    if (Date.now() >= nextReport) {
      nextReport += REPORT_MS;
      globalThis.gc?.();
      const { heapUsed, rss } = process.memoryUsage();
      const t = Math.round((Date.now() - started) / 1000);
      samples.push({ t, heapUsed, rss });
      console.log(`${t} s: heap ${(heapUsed / 2 ** 20).toFixed(1)} MiB, rss ${(rss / 2 ** 20).toFixed(1)} MiB, ${JSON.stringify(counts)}`);
    }
  }
  await listener.close();

  const afterWarmup = samples.filter((s) => s.t * 1000 >= WARMUP_MS);
  if (afterWarmup.length < 2) {
    console.log('verdict: too short to tell (run for longer)');
    return;
  }
  const first = afterWarmup[0];
  const last = afterWarmup.at(-1);
  const heapGrowth = last.heapUsed - first.heapUsed;
  const rssGrowth = last.rss - first.rss;
  const stable = heapGrowth < 8 * 2 ** 20 && rssGrowth < 32 * 2 ** 20;
  console.log(
    `verdict: ${stable ? 'stable' : 'GROWING'}: after warm-up (${first.t} s to ${last.t} s) heap ${(heapGrowth / 2 ** 20).toFixed(1)} MiB, ` +
    `rss ${(rssGrowth / 2 ** 20).toFixed(1)} MiB; ${counts.sessions} sessions, ${counts.errors} failed cases`,
  );
  process.exitCode = stable && counts.errors === 0 ? 0 : 1;
}

await main();
