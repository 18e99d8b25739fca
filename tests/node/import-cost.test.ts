// Loading the package, and a SpdySession exchange, read none of the fetch
// globals. Node 20 defines `Headers`, `Request`, `Response` and `FormData` as
// getters that load its fetch implementation on first read: 2 MB of heap,
// and a heap that much larger turns the collections of a busy receiver from
// scavenges into mark-compacts (bench/README.md, round 5 and item 27). Node
// 24 loads it at start-up whatever we do, so each check puts getters of its
// own over the globals and counts the reads itself: it means the same on
// every Node.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const FETCH_GLOBALS = ['Headers', 'Request', 'Response', 'FormData'];
const entry = (path: string): string => pathToFileURL(join(process.cwd(), 'dist', 'esm', path)).href;

/** Runs `body` as a module in a new Node process; resolves with the fetch globals it left unread. */
function unreadAfter(body: string): string[] {
  const script = `
const read = new Set();
for (const key of ${JSON.stringify(FETCH_GLOBALS)}) {
  const own = Object.getOwnPropertyDescriptor(globalThis, key);
  const value = () => (own.get ? own.get.call(globalThis) : own.value);
  Object.defineProperty(globalThis, key, {
    configurable: true,
    enumerable: own.enumerable,
    get() { read.add(key); return value(); },
    set(to) { Object.defineProperty(globalThis, key, { value: to, writable: true, configurable: true }); },
  });
}
${body}
console.log(JSON.stringify(${JSON.stringify(FETCH_GLOBALS)}.filter((key) => !read.has(key))));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as string[];
}

test('a read of a fetch global is counted (the premise of the others)', () => {
  assert.equal(unreadAfter(''), FETCH_GLOBALS);
  assert.equal(unreadAfter('void Headers;'), FETCH_GLOBALS.filter((k) => k !== 'Headers'));
  assert.equal(unreadAfter('new Response("x");'), FETCH_GLOBALS.filter((k) => k !== 'Response'));
});

test('importing every entry point reads none of the fetch globals', () => {
  const imports = ['index.js', 'node/index.js', 'kubernetes/index.js', 'node/kubernetes/index.js']
    .map((p) => `await import(${JSON.stringify(entry(p))});`).join('\n');
  assert.equal(unreadAfter(imports), FETCH_GLOBALS);
});

test('a SpdySession GET over a memory pair reads none of the fetch globals', () => {
  const unread = unreadAfter(`
const { SpdySession, createMemoryTransportPair } = await import(${JSON.stringify(entry('index.js'))});
const [a, b] = createMemoryTransportPair();
const client = new SpdySession(a, { side: 'client' });
const server = new SpdySession(b, { side: 'server' });
(async () => {
  for await (const s of server.incoming) await s.respond([[':status', '200 OK'], [':version', 'HTTP/1.1']], { body: 'hello' });
})();
const nv = [[':method', 'GET'], [':path', '/'], [':version', 'HTTP/1.1'], [':host', 'h'], [':scheme', 'https']];
const stream = await client.openStream({ headers: nv, endStream: true });
if ((await stream.text()) !== 'hello') throw new Error('wrong body');
await client.close();
await server.close();`);
  assert.equal(unread, FETCH_GLOBALS);
});

test('the HTTP client reads Response when it answers a fetch (so the checks above can fail)', () => {
  const unread = unreadAfter(`
const { SpdySession, SpdyClient, createMemoryTransportPair } = await import(${JSON.stringify(entry('index.js'))});
const [a, b] = createMemoryTransportPair();
const session = new SpdySession(a, { side: 'client' });
const server = new SpdySession(b, { side: 'server' });
(async () => {
  for await (const s of server.incoming) await s.respond([[':status', '200 OK'], [':version', 'HTTP/1.1']], { body: 'hello' });
})();
const client = new SpdyClient(session, { origin: 'https://example.test' });
const res = await client.fetch('/');
if ((await res.text()) !== 'hello') throw new Error('wrong body');
await session.close();
await server.close();`);
  assert.ok(!unread.includes('Response'), `unread: ${JSON.stringify(unread)}`);
});

test.run();
