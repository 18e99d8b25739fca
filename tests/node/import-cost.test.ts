// Loading the package, and a SpdySession exchange, leave Node's fetch
// implementation unloaded: it is 2 MB of heap, and a heap that much larger
// turns the collections of a busy receiver from scavenges into
// mark-compacts (bench/README.md, round 5). Node defines `Headers`,
// `Request`, `Response` and `FormData` as getters that load it on first read.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const FETCH_GLOBALS = ['Headers', 'Request', 'Response', 'FormData'];
const entry = (path: string): string => pathToFileURL(join(process.cwd(), 'dist', 'esm', path)).href;

/** Runs `body` as a module in a new Node process; resolves with the fetch globals it left unread. */
function unreadAfter(body: string): string[] {
  const script = `${body}
const unread = ${JSON.stringify(FETCH_GLOBALS)}.filter((k) => typeof Object.getOwnPropertyDescriptor(globalThis, k)?.get === 'function');
console.log(JSON.stringify(unread));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as string[];
}

test('this Node defines the fetch globals as getters that load on first read (the premise of the others)', () => {
  assert.equal(unreadAfter(''), FETCH_GLOBALS);
  assert.equal(unreadAfter('void Headers;'), FETCH_GLOBALS.filter((k) => k !== 'Headers'));
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

test.run();
