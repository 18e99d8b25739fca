// Codec throughput, ours against spdy-transport 3.0.0's framer and parser in
// the same run: SYN_STREAM encode+decode per second, DATA decode MB/s.
// Rounds are interleaved and the median is reported. Run: npm run bench.
import { createRequire } from 'node:module';
import {
  CLIENT, DATA, FrameDecoder, FrameEncoder, PROTO_SPDY3, SERVER, SYN_STREAM,
} from '../dist/esm/codec/index.js';

const require = createRequire(import.meta.url);
const spdy = require('spdy-transport').protocol.spdy;
const openWindow = { send: { update: (_d, cb) => cb?.() }, recv: { update: () => {} } };

const ROUNDS = 5;
const SYN_COUNT = 5000;
const DATA_BYTES = 32 << 20;
const FRAME = 16 << 10;
const CHUNK = 64 << 10;

const HEADERS = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-encoding': 'gzip, deflate, br',
  'accept-language': 'en-US,en;q=0.5',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0',
  cookie: 'session=0123456789abcdef; theme=dark',
};
const nvFor = (i) => [
  [':method', 'GET'], [':path', `/assets/item-${i}.js?v=3`], [':version', 'HTTP/1.1'],
  [':host', 'www.example.org'], [':scheme', 'https'], ...Object.entries(HEADERS),
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

// --- SYN_STREAM: encode then decode SYN_COUNT requests ----------------------

function oursSyn(level) {
  const encoder = new FrameEncoder({ version: PROTO_SPDY3, side: CLIENT, config: { headerCompressionLevel: level } });
  const decoder = new FrameDecoder({ version: PROTO_SPDY3, side: SERVER });
  const t0 = performance.now();
  let n = 0;
  for (let i = 0; i < SYN_COUNT; i++) {
    const bytes = encoder.encode({ frameType: SYN_STREAM, streamId: 2 * i + 1, nv: nvFor(i) });
    n += decoder.push(bytes).length;
  }
  const ms = performance.now() - t0;
  if (n !== SYN_COUNT) throw new Error('lost frames');
  return (SYN_COUNT / ms) * 1000;
}

async function theirsSyn(compress) {
  const framer = spdy.framer.create({ window: openWindow, timeout: null });
  framer.setVersion(3);
  framer.setCompression(spdy.compressionPool.create(compress).get(3));
  const parser = spdy.parser.create({ window: openWindow, isServer: true });
  parser.setVersion(3);
  parser.setCompression(spdy.compressionPool.create(false).get(3));
  let parsed = 0;
  parser.on('data', (f) => {
    if (f.type === 'HEADERS') parsed++;
  });
  let written = [];
  framer.on('data', (chunk) => written.push(chunk));
  const t0 = performance.now();
  // One frame at a time, each written to the parser and waited for, as a
  // socket would: its parser loses frames when thousands of header blocks
  // arrive in one burst (its zlib lock collects output too early).
  for (let i = 0; i < SYN_COUNT; i++) {
    await new Promise((resolve) => framer.requestFrame({
      id: 2 * i + 1, method: 'GET', path: `/assets/item-${i}.js?v=3`, host: 'www.example.org', headers: HEADERS,
    }, resolve));
    const bytes = written.length === 1 ? written[0] : Buffer.concat(written);
    written = [];
    await new Promise((resolve) => parser.write(bytes, resolve));
  }
  while (parsed < SYN_COUNT) await new Promise((resolve) => setImmediate(resolve));
  return (SYN_COUNT / (performance.now() - t0)) * 1000;
}

// --- DATA: 16 KiB frames arriving in 64 KiB chunks ---------------------------

function dataChunks() {
  const encoder = new FrameEncoder({ version: PROTO_SPDY3 });
  const payload = new Uint8Array(FRAME).fill(0x5a);
  const frames = [];
  for (let sent = 0; sent < DATA_BYTES; sent += FRAME) frames.push(encoder.encode({ frameType: DATA, streamId: 1, data: payload }));
  const all = Buffer.concat(frames);
  const chunks = [];
  for (let at = 0; at < all.length; at += CHUNK) chunks.push(new Uint8Array(all.subarray(at, at + CHUNK)));
  return { chunks, frames: frames.length };
}
const { chunks, frames: dataFrames } = dataChunks();
const MB = DATA_BYTES / 1e6;

function oursData() {
  const decoder = new FrameDecoder({ version: PROTO_SPDY3 });
  let n = 0;
  let bytes = 0;
  const t0 = performance.now();
  for (const chunk of chunks) {
    decoder.write(chunk, (f) => {
      n++;
      bytes += f.data.length;
    });
  }
  const ms = performance.now() - t0;
  if (n !== dataFrames || bytes !== DATA_BYTES) throw new Error('lost data');
  return MB / (ms / 1000);
}

async function theirsData() {
  const parser = spdy.parser.create({ window: openWindow, isServer: true });
  parser.setVersion(3);
  parser.setCompression(spdy.compressionPool.create(false).get(3));
  let bytes = 0;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  parser.on('data', (f) => {
    bytes += f.data.length;
    if (bytes === DATA_BYTES) done();
  });
  const t0 = performance.now();
  for (const chunk of chunks) parser.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
  await finished;
  return MB / ((performance.now() - t0) / 1000);
}

/** The floor: copying the same bytes once into a buffer. */
function copyBaseline() {
  const target = new Uint8Array(CHUNK);
  const t0 = performance.now();
  let sum = 0;
  for (const chunk of chunks) {
    target.set(chunk);
    sum += target[0];
  }
  const ms = performance.now() - t0;
  if (sum < 0) throw new Error('unreachable');
  return MB / (ms / 1000);
}

// --- run ------------------------------------------------------------------

const results = {};
const record = (name, value) => (results[name] ??= []).push(value);
const started = performance.now();
for (let round = 0; round < ROUNDS; round++) {
  record('syn ours level 0', oursSyn(0));
  record('syn theirs uncompressed', await theirsSyn(false));
  record('syn ours level 1', oursSyn(1));
  record('syn ours level 9', oursSyn(9));
  record('syn theirs compressed', await theirsSyn(true));
  record('data ours', oursData());
  record('data theirs', await theirsData());
  record('data copy baseline', copyBaseline());
}

const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
const fmt = (x) => x.toFixed(0).padStart(10);
console.log(`Median of ${ROUNDS} interleaved rounds (${((performance.now() - started) / 1000).toFixed(1)} s), Node ${process.version}`);
console.log('');
console.log(`SYN_STREAM encode+decode, 10 headers, SPDY/3 (frames/s; ${SYN_COUNT} per round)`);
console.log(`  stored blocks:  ours ${fmt(m['syn ours level 0'])}   spdy-transport ${fmt(m['syn theirs uncompressed'])}   ours/theirs ${(m['syn ours level 0'] / m['syn theirs uncompressed']).toFixed(2)}`);
for (const level of [1, 9]) {
  const ours = m[`syn ours level ${level}`];
  console.log(`  level ${level}:        ours ${fmt(ours)}   spdy-transport ${fmt(m['syn theirs compressed'])}   ours/theirs ${(ours / m['syn theirs compressed']).toFixed(2)}`);
}
console.log('   (compressed: ours at level 1, a server\'s default, and zlib\'s level 9; spdy-transport at zlib\'s default level 6)');
console.log('');
console.log(`DATA decode, 16 KiB frames in 64 KiB chunks (MB/s; ${MB.toFixed(0)} MB per round)`);
console.log(`  ours ${fmt(m['data ours'])}   spdy-transport ${fmt(m['data theirs'])}   ours/theirs ${(m['data ours'] / m['data theirs']).toFixed(2)}`);
console.log(`  plain copy of the same bytes ${fmt(m['data copy baseline'])}   ours/copy ${(m['data ours'] / m['data copy baseline']).toFixed(2)}`);
