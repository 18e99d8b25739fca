// What the fetch objects the HTTP layer is built on cost to make, per
// object, in this runtime: the floor under each `connect().fetch()` /
// `serve()` request that a SpdySession request does not pay. A server
// request makes a `Request` and reads the handler's `Response` (whose
// constructor makes a `ReadableStream` for its body); a client response is
// a `Response` around a `ReadableStream`. Printed next to the CPU time one
// SpdySession request costs both ends, measured in the same process over a
// memory transport.
// Run: npm run build && node bench/objects.mjs [rounds]   (default 5)
import { SpdySession, createMemoryTransportPair } from '../dist/esm/index.js';

const ROUNDS = Number(process.argv[2] ?? 5);
const N = 20000;
const URL_ = 'http://127.0.0.1:3000/small';
const HEADERS = [['accept', '*/*'], ['user-agent', 'bench']];
const BODY = new Uint8Array(100);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const makers = {
  'new Request(url, { method, headers })': () => new Request(URL_, { method: 'GET', headers: HEADERS }),
  '  the same with a signal to follow': () => new Request(URL_, { method: 'GET', headers: HEADERS, signal: new AbortController().signal }),
  'new Response(100 bytes)': () => new Response(BODY),
  'new Response(null)': () => new Response(null, { status: 204 }),
  'new ReadableStream()': () => new ReadableStream(),
  'new WritableStream()': () => new WritableStream(),
};

/** Microseconds per call of `make`, the median of ROUNDS rounds of N calls. */
function timeOf(make) {
  const rounds = [];
  for (let r = 0; r <= ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) make();
    if (r > 0) rounds.push(((performance.now() - t0) * 1000) / N);
  }
  return median(rounds);
}

/** Microseconds of CPU per SpdySession GET of 100 bytes, both ends in this process. */
async function sessionRequest() {
  const [a, b] = createMemoryTransportPair();
  const client = new SpdySession(a, { side: 'client' });
  const server = new SpdySession(b, { side: 'server' });
  const OK = [[':status', '200'], [':version', 'HTTP/1.1']];
  void (async () => {
    for await (const stream of server.incoming) stream.respond(OK, { body: BODY }).catch(() => {});
  })();
  const nv = [[':method', 'GET'], [':path', '/small'], [':version', 'HTTP/1.1'], [':host', 'bench'], [':scheme', 'http']];
  const get = async () => (await client.openStream({ headers: nv, endStream: true })).bytes();
  const batch = async (n) => {
    for (let i = 0; i < n; i += 100) await Promise.all(Array.from({ length: 100 }, get));
  };
  await batch(2000);
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const before = process.cpuUsage();
    await batch(5000);
    const used = process.cpuUsage(before);
    rounds.push((used.user + used.system) / 5000);
  }
  await client.close();
  return median(rounds);
}

console.log(`per object, median of ${ROUNDS} rounds of ${N}:`);
for (const [name, make] of Object.entries(makers)) console.log(`  ${name.padEnd(40)} ${timeOf(make).toFixed(2).padStart(7)} µs`);
console.log(`one SpdySession GET of 100 B, both ends (CPU)   ${(await sessionRequest()).toFixed(2).padStart(7)} µs`);
