// Streams-layer throughput, measured in the same run and printed as ratios:
//  1. one SPDY stream carrying TOTAL bytes over createMemoryTransportPair(),
//     against spdy-transport 3.0.0 over an in-memory Node duplex pair, and
//     against a bare ReadableStream -> WritableStream pipe of the same chunks;
//  2. the Node socket bridge: socketToWeb() against Duplex.toWeb() on TCP
//     loopback (why src/node uses its own).
// Each contender runs once to warm up, then ROUNDS times, interleaved, in an
// order that rotates every round. A ratio is the median of the per-round
// ratios, so that a slow moment of a noisy machine hits both sides of it.
// Both SPDY stacks run with their defaults.
// Run: npm run build && node bench/streams.mjs [MiB] [rounds]   (default 256 MiB, 9 rounds)
import { createRequire } from 'node:module';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { PROTO_SPDY3_1, SpdySession, createMemoryTransportPair } from '../dist/esm/index.js';
import { socketToWeb } from '../dist/esm/node/index.js';

const require = createRequire(import.meta.url);
const transport = require('spdy-transport');

const TOTAL = Number(process.argv[2] ?? 256) << 20;
const ROUNDS = Number(process.argv[3] ?? 9);
const CHUNK = 64 << 10;
const payload = new Uint8Array(CHUNK).map((_, i) => i & 0xff);
const REQUEST = [[':method', 'POST'], [':path', '/'], [':version', 'HTTP/1.1'], [':host', 'bench'], [':scheme', 'http']];

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const mibps = (ms) => TOTAL / (1 << 20) / (ms / 1000);

async function produce(writable) {
  const w = writable.getWriter();
  for (let n = 0; n < TOTAL; n += CHUNK) {
    await w.ready;
    w.write(payload).catch(() => {});
  }
  await w.close();
}

async function consume(readable) {
  let n = 0;
  for await (const c of readable) n += c.byteLength;
  if (n !== TOTAL) throw new Error(`received ${n} of ${TOTAL}`);
}

async function barePipe() {
  let sent = 0;
  let got = 0;
  const t0 = performance.now();
  const source = new ReadableStream({
    pull(c) {
      if (sent >= TOTAL) return c.close();
      sent += CHUNK;
      c.enqueue(payload);
    },
  }, { highWaterMark: 1 });
  await source.pipeTo(new WritableStream({ write(c) { got += c.byteLength; } }));
  if (got !== TOTAL) throw new Error('short');
  return performance.now() - t0;
}

async function spdyStream() {
  const [a, b] = createMemoryTransportPair();
  const client = new SpdySession(a, { side: 'client', version: PROTO_SPDY3_1 });
  const server = new SpdySession(b, { side: 'server', version: PROTO_SPDY3_1 });
  const t0 = performance.now();
  const served = (async () => {
    const reader = server.incoming.getReader();
    const { value: stream } = await reader.read();
    reader.releaseLock();
    await stream.respond([[':status', '200'], [':version', 'HTTP/1.1']], { endStream: true });
    await consume(stream.readable);
  })();
  const stream = await client.openStream({ headers: REQUEST });
  await Promise.all([produce(stream.writable), served]);
  const ms = performance.now() - t0;
  await client.close();
  await server.closed;
  return ms;
}

function nodeDuplexPair() {
  let left;
  let right;
  const make = (peer) => new Duplex({
    read() {},
    write(chunk, _enc, cb) {
      peer().push(chunk);
      cb();
    },
    final(cb) {
      peer().push(null);
      cb();
    },
  });
  left = make(() => right);
  right = make(() => left);
  return [left, right];
}

async function spdyTransport() {
  const [a, b] = nodeDuplexPair();
  const server = transport.connection.create(b, { protocol: 'spdy', isServer: true, autoSpdy31: true });
  const client = transport.connection.create(a, { protocol: 'spdy', isServer: false });
  client.start(3.1);
  const t0 = performance.now();
  await new Promise((resolve, reject) => {
    server.on('stream', (stream) => {
      stream.respond(200, {});
      let n = 0;
      stream.on('data', (d) => { n += d.length; });
      stream.on('end', () => (n === TOTAL ? resolve() : reject(new Error('short'))));
      stream.end();
    });
    const req = client.request({ method: 'POST', path: '/', host: 'bench', headers: {} });
    const buf = Buffer.from(payload);
    let n = 0;
    const pump = () => {
      while (n < TOTAL) {
        n += CHUNK;
        if (!req.write(buf)) return req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
  const ms = performance.now() - t0;
  client.end();
  return ms;
}

async function tcpPair() {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const accepted = new Promise((r) => server.once('connection', r));
  const client = net.connect(server.address().port, '127.0.0.1');
  await new Promise((r) => client.once('connect', r));
  const peer = await accepted;
  server.close();
  return [client, peer];
}

async function bridge(wrap) {
  const [x, y] = await tcpPair();
  const a = wrap(x);
  const b = wrap(y);
  const t0 = performance.now();
  await Promise.all([produce(a.writable), consume(b.readable)]);
  const ms = performance.now() - t0;
  x.destroy();
  y.destroy();
  return ms;
}

const contenders = {
  ours: spdyStream,
  spdyTransport,
  bare: barePipe,
  socketToWeb: () => bridge((s) => socketToWeb(s)),
  toWeb: () => bridge((s) => Duplex.toWeb(s)),
};
const names = Object.keys(contenders);
const runs = Object.fromEntries(names.map((k) => [k, []]));
const started = performance.now();
for (let round = -1; round < ROUNDS; round++) {
  const order = names.map((_, i) => names[(i + Math.max(round, 0)) % names.length]);
  for (const name of order) {
    const ms = await contenders[name]();
    if (round >= 0) runs[name].push(ms);
  }
}
const rate = Object.fromEntries(names.map((k) => [k, median(runs[k].map(mibps))]));
/** Median over rounds of a's throughput divided by b's. */
const ratio = (a, b) => median(runs[a].map((ms, i) => runs[b][i] / ms)).toFixed(2);
const row = (label, k) => console.log(`  ${label.padEnd(40)} ${rate[k].toFixed(0).padStart(6)} MiB/s`);

console.log(`${TOTAL >> 20} MiB in ${CHUNK >> 10} KiB chunks, one stream; medians of ${ROUNDS} interleaved rounds after a warm-up`);
row('ours: SpdySession, memory transport pair', 'ours');
row('spdy-transport, memory duplex pair', 'spdyTransport');
row('bare ReadableStream -> WritableStream', 'bare');
console.log(`  ours / spdy-transport throughput        ${ratio('ours', 'spdyTransport').padStart(6)}`);
console.log(`  ours / bare pipe throughput             ${ratio('ours', 'bare').padStart(6)}`);
console.log('TCP loopback socket bridge');
row('socketToWeb (ours)', 'socketToWeb');
row('Duplex.toWeb', 'toWeb');
console.log(`  socketToWeb / Duplex.toWeb throughput   ${ratio('socketToWeb', 'toWeb').padStart(6)}`);
console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
