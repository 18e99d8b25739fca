// The runtime-neutral conformance cases, run unchanged in Node, Deno, Bun,
// workerd and Chromium against the built package: the codec's round trip of
// every frame, a SpdySession exchange over a memory pair (1 MiB each way
// through small windows, and a PING), and the HTTP client and server over a
// memory pair. Plain JavaScript with no imports: each runtime's entry hands
// in the package's root module, so one file serves bundled and unbundled
// runs alike.

/** Fails the case with `message` unless `cond`. */
export function ensure(cond, message) {
  if (!cond) throw new Error(message);
}

const byName = (a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** The fields a frame carries, for comparison (header lists in name order). */
function fieldsOf(frame) {
  const out = {};
  for (const [key, value] of Object.entries(frame)) {
    if (key === 'length' || key === 'version') continue;
    if (key === 'nv') out.nv = [...value].map(([n, v]) => [n, v]).sort(byName);
    else if (value instanceof Uint8Array) out[key] = Array.from(value);
    else if (Array.isArray(value)) out[key] = value.map((v) => (v instanceof Uint8Array ? Array.from(v) : v));
    else out[key] = value;
  }
  return JSON.stringify(out);
}

const REQUEST = [[':method', 'GET'], [':path', '/a?b=c'], [':version', 'HTTP/1.1'], [':host', 'example.org'], [':scheme', 'https']];
const RESPONSE = [[':status', '200 OK'], [':version', 'HTTP/1.1'], ['content-type', 'text/plain']];

/** One frame of each type the version defines. */
function everyFrame(lib, wire) {
  const frames = [
    new lib.SynStreamFrame({ streamId: 1, assocStreamId: 0, pri: wire === 2 ? 3 : 7, slot: 0, flags: lib.CTRL_FLAG_FIN, nv: REQUEST }),
    new lib.SynReplyFrame({ streamId: 1, nv: RESPONSE }),
    new lib.RstStreamFrame({ streamId: 3, statusCode: lib.REFUSED_STREAM }),
    new lib.SettingsFrame({ iv: [[lib.SETTINGS_MAX_CONCURRENT_STREAMS, 0, 100], [lib.SETTINGS_INITIAL_WINDOW_SIZE, 0, 65536]] }),
    new lib.PingFrame({ uniqueId: 2 }),
    new lib.GoawayFrame({ lastGoodStreamId: 5, statusCode: wire === 2 ? 0 : lib.GOAWAY_INTERNAL_ERROR }),
    new lib.HeadersFrame({ streamId: 1, nv: [['x-trailer', 'yes']] }),
    new lib.DataFrame({ streamId: 1, flags: lib.DATA_FLAG_FIN, data: new Uint8Array([1, 2, 3, 250]) }),
  ];
  if (wire === 2) frames.push(new lib.NoopFrame());
  else {
    frames.push(new lib.WindowUpdateFrame({ streamId: 0, deltaWindowSize: 4096 }));
    frames.push(new lib.CredentialFrame({ slot: 1, proof: new Uint8Array([9, 8]), certificates: [new Uint8Array([7]), new Uint8Array([6, 5])] }));
  }
  return frames;
}

async function codecRoundTrip(lib, version, wire) {
  const encoder = new lib.FrameEncoder({ version, side: lib.SERVER });
  const decoder = new lib.FrameDecoder({ version });
  const frames = everyFrame(lib, wire);
  // One decoder for all, fed one byte at a time: the header compression
  // context carries over and partial frames are held back.
  const bytes = lib.concatBytes(frames.map((f) => encoder.encode(f)));
  const back = [];
  for (let i = 0; i < bytes.length; i++) back.push(...decoder.push(bytes.subarray(i, i + 1)));
  ensure(back.length === frames.length, `decoded ${back.length} frames of ${frames.length}`);
  frames.forEach((frame, i) => {
    ensure(back[i].constructor === frame.constructor, `frame ${i}: ${back[i].constructor.name}, not ${frame.constructor.name}`);
    ensure(fieldsOf(back[i]) === fieldsOf(frame), `frame ${i} (${frame.constructor.name}) changed: ${fieldsOf(back[i])}`);
  });
  // The same through the TransformStreams.
  const out = [];
  const decoded = new ReadableStream({ start(c) { c.enqueue(bytes); c.close(); } })
    .pipeThrough(new lib.FrameDecoderStream({ version }));
  const reader = decoded.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    out.push(value);
  }
  ensure(out.length === frames.length, `FrameDecoderStream gave ${out.length} frames of ${frames.length}`);
}

/** `n` bytes, byte i being (i * seed) % 251. */
function pattern(n, seed) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * seed) % 251;
  return b;
}

async function readAll(readable) {
  const reader = readable.getReader();
  const chunks = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value.slice());
  }
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) all.set(c, (at += c.length) - c.length);
  return all;
}

/** Writes `body` in 16 KiB chunks; resolves with how often `write()` had to wait for the window. */
async function writeAll(writable, body) {
  const writer = writable.getWriter();
  let waits = 0;
  for (let at = 0; at < body.length; at += 16384) {
    if (writer.desiredSize !== null && writer.desiredSize <= 0) waits++;
    await writer.ready;
    void writer.write(body.subarray(at, at + 16384));
  }
  await writer.close();
  return waits;
}

function same(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function sessionExchange(lib) {
  const MiB = 1 << 20;
  const [clientEnd, serverEnd] = lib.createMemoryTransportPair({ highWaterMark: 16384 });
  // Windows far below 1 MiB, so both directions stall on flow control.
  const config = { initialWindowSize: 65536, sessionWindowSize: 65536 };
  const client = new lib.SpdySession(clientEnd, { side: 'client', version: lib.PROTO_SPDY3_1, config });
  const server = new lib.SpdySession(serverEnd, { side: 'server', version: lib.PROTO_SPDY3_1, config });
  const up = pattern(MiB, 7);
  const down = pattern(MiB, 13);
  const served = (async () => {
    const reader = server.incoming.getReader();
    const { value: stream } = await reader.read();
    reader.releaseLock();
    await stream.respond([[':status', '200'], [':version', 'HTTP/1.1']]);
    const [received, waits] = await Promise.all([readAll(stream.readable), writeAll(stream.writable, down)]);
    return { received, waits };
  })();
  const asked = (async () => {
    const stream = await client.openStream({ headers: [[':method', 'POST'], [':path', '/'], [':version', 'HTTP/1.1'], [':host', 'memory'], [':scheme', 'http']] });
    const rtt = await client.ping();
    ensure(typeof rtt === 'number' && rtt >= 0, `ping() resolved with ${rtt}`);
    const [back, waits] = await Promise.all([readAll(stream.readable), writeAll(stream.writable, up)]);
    return { back, waits };
  })();
  // Either side failing fails the case at once.
  const [{ back, waits: clientWaits }, { received, waits }] = await Promise.all([asked, served]);
  ensure(same(received, up), `server got ${received.length} bytes, not the 1 MiB sent`);
  ensure(same(back, down), `client got ${back.length} bytes, not the 1 MiB sent`);
  ensure(clientWaits > 0 && waits > 0, `write() never waited (client ${clientWaits}, server ${waits}): no backpressure`);
  await client.close();
  await server.close();
}

async function httpExchange(lib) {
  const [clientEnd, serverEnd] = lib.createMemoryTransportPair();
  const version = lib.PROTO_SPDY3_1;
  const server = new lib.SpdySession(serverEnd, { side: 'server', version });
  const served = lib.serveSession(server, async (req) => {
    const path = new URL(req.url).pathname;
    if (path === '/hello') return new Response('hello from ' + req.method, { headers: { 'content-type': 'text/plain', 'x-path': path } });
    if (req.method === 'POST') return new Response(req.body);
    return new Response('not found', { status: 404 });
  }, { scheme: 'https', version });
  const session = new lib.SpdySession(clientEnd, { side: 'client', version });
  const client = new lib.SpdyClient(session, { origin: 'https://memory.test' });
  const hello = await client.fetch('/hello');
  ensure(hello.status === 200, `GET /hello: ${hello.status}`);
  ensure(hello.headers.get('x-path') === '/hello', `x-path: ${hello.headers.get('x-path')}`);
  const text = await hello.text();
  ensure(text === 'hello from GET', `body: ${text}`);
  const body = pattern(300000, 3);
  const echoed = await client.fetch('/echo', { method: 'POST', body });
  ensure(same(new Uint8Array(await echoed.arrayBuffer()), body), 'POST /echo did not echo 300000 bytes');
  const missing = await client.fetch('/nowhere');
  ensure(missing.status === 404, `GET /nowhere: ${missing.status}`);
  await missing.text();
  await session.close();
  await served;
}

/** Every case: name and body. */
export function conformanceCases(lib) {
  return [
    ['codec: every SPDY/2 frame round-trips, byte by byte and through FrameDecoderStream', () => codecRoundTrip(lib, lib.PROTO_SPDY2, 2)],
    ['codec: every SPDY/3 frame round-trips, byte by byte and through FrameDecoderStream', () => codecRoundTrip(lib, lib.PROTO_SPDY3, 3)],
    ['codec: every SPDY/3.1 frame round-trips, byte by byte and through FrameDecoderStream', () => codecRoundTrip(lib, lib.PROTO_SPDY3_1, 3)],
    ['streams: SpdySession over a memory pair moves 1 MiB each way through 64 KiB windows, with backpressure and a PING', () => sessionExchange(lib)],
    ['http: SpdyClient and serveSession over a memory pair: GET, 300 kB POST echoed, 404', () => httpExchange(lib)],
  ];
}

/** Runs one case to its end or `timeoutMs`; resolves with `{ name, ok, error? }`. */
export async function runCase(name, body, timeoutMs = 30000) {
  let timer;
  try {
    await Promise.race([
      body(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs); }),
    ]);
    return { name, ok: true };
  } catch (err) {
    return { name, ok: false, error: String(err && err.stack ? err.stack : err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every case; resolves with `{ name, ok, error? }` for each. */
export async function runConformance(lib, timeoutMs = 30000) {
  const results = [];
  for (const [name, body] of conformanceCases(lib)) results.push(await runCase(name, body, timeoutMs));
  return results;
}
