// Streams-layer throughput, measured in the same run and printed as ratios:
//  1. one SPDY stream carrying TOTAL bytes over createMemoryTransportPair(),
//     against a bare ReadableStream -> WritableStream pipe of the same chunks,
//     and against spdy-transport 3.0.0 over an in-memory Node duplex pair;
//  2. the Node socket bridge: socketToWeb() against Duplex.toWeb() on TCP
//     loopback (why src/node uses its own).
// Rounds are interleaved and the median is reported.
// Run: npm run build && node bench/streams.mjs [MiB]   (default 256)
import { createRequire } from 'node:module';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { PROTO_SPDY3_1, SpdySession, createMemoryTransportPair } from '../dist/esm/index.js';
import { socketToWeb } from '../dist/esm/node/index.js';

const require = createRequire(import.meta.url);
const transport = require('spdy-transport');

const TOTAL = Number(process.argv[2] ?? 256) << 20;
const CHUNK = 64 << 10;
const ROUNDS = 3;
const payload = new Uint8Array(CHUNK).map((_, i) => i & 0xff);
const REQUEST = [[':method', 'POST'], [':path', '/'], [':version', 'HTTP/1.1'], [':host', 'bench'], [':scheme', 'http']];

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const mbps = (ms) => (TOTAL / (1 << 20) / (ms / 1000)).toFixed(0);

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

const runs = { bare: [], spdy: [], spdyTransport: [], handBridge: [], toWeb: [] };
for (let i = 0; i < ROUNDS; i++) {
  runs.bare.push(await barePipe());
  runs.spdy.push(await spdyStream());
  runs.spdyTransport.push(await spdyTransport());
  runs.handBridge.push(await bridge((s) => socketToWeb(s)));
  runs.toWeb.push(await bridge((s) => Duplex.toWeb(s)));
}
const m = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)]));

console.log(`${TOTAL >> 20} MiB in ${CHUNK >> 10} KiB chunks, median of ${ROUNDS}`);
console.log(`  bare ReadableStream -> WritableStream   ${m.bare.toFixed(0).padStart(6)} ms  ${mbps(m.bare).padStart(6)} MiB/s`);
console.log(`  SpdySession stream, memory pair         ${m.spdy.toFixed(0).padStart(6)} ms  ${mbps(m.spdy).padStart(6)} MiB/s`);
console.log(`  spdy-transport, memory duplex pair      ${m.spdyTransport.toFixed(0).padStart(6)} ms  ${mbps(m.spdyTransport).padStart(6)} MiB/s`);
console.log(`  SpdySession time / bare pipe time       ${(m.spdy / m.bare).toFixed(2)}`);
console.log(`  SpdySession time / spdy-transport time  ${(m.spdy / m.spdyTransport).toFixed(2)}`);
console.log('TCP loopback socket bridge');
console.log(`  socketToWeb (ours)                      ${m.handBridge.toFixed(0).padStart(6)} ms  ${mbps(m.handBridge).padStart(6)} MiB/s`);
console.log(`  Duplex.toWeb                            ${m.toWeb.toFixed(0).padStart(6)} ms  ${mbps(m.toWeb).padStart(6)} MiB/s`);
console.log(`  Duplex.toWeb time / socketToWeb time    ${(m.toWeb / m.handBridge).toFixed(2)}`);
