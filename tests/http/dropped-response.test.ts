// A Response dropped with its body unread: once it is collected, its stream
// is reset (CANCEL), as fetch's own responses are cancelled, so that open
// streams nobody will read stop holding the connection window. A body
// someone is reading stays, whatever becomes of its Response. Collection
// needs `--expose-gc`, so each case runs in a process of its own.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const moduleUrl = (file: string): string => JSON.stringify(pathToFileURL(join(process.cwd(), 'dist', 'esm', file)).href);

/** Runs `body` after a client and a server of 1 MiB bodies are set up; returns what it prints last. */
function run(body: string, lazyBodies: boolean): string {
  const script = `
const { SpdySession, createMemoryTransportPair } = await import(${moduleUrl('index.js')});
const { SpdyClient, serveSession } = await import(${moduleUrl('http/index.js')});
const [a, b] = createMemoryTransportPair();
const session = new SpdySession(a, { side: 'client', version: 4 });
const server = new SpdySession(b, { side: 'server', version: 4 });
// 1 MiB bodies: past a stream's 128 KiB window, so each unread one stays open and holds its part of the 1 MiB connection window.
void serveSession(server, () => new Response(new Uint8Array(1 << 20)), { scheme: 'https', version: 4 });
const client = new SpdyClient(session, { origin: 'https://example.test', lazyBodies: ${lazyBodies} });
const collect = async () => {
  for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
};
const within = (p, ms) => Promise.race([p, new Promise((r) => setTimeout(r, ms, 'stalled'))]);
${body}
session.destroy();
server.destroy();
process.exit(0);`;
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  return out.trim().split('\n').at(-1)!;
}

for (const lazyBodies of [true, false]) {
  const bodies = lazyBodies ? 'bodies made on demand' : 'bodies made at once';
  test(`twelve responses dropped unread let their streams go once collected, and a body gets through after (${bodies})`, () => {
    const out = run(`
for (let i = 0; i < 12; i++) if (!(await client.fetch('/big')).ok) throw new Error('not ok');
// Some may have been collected already; after these collections none is left open.
await collect();
const after = session.numOpenStreams;
const got = await within(client.fetch('/big').then((r) => r.arrayBuffer()).then((x) => x.byteLength), 10_000);
console.log(JSON.stringify({ after, got }));`, lazyBodies);
    const { after, got } = JSON.parse(out) as { after: number; got: number | string };
    assert.is(after, 0);
    assert.is(got, 1 << 20);
  });

  test(`a body being read survives its Response being dropped and collected (${bodies})`, () => {
    const out = run(`
const reader = (await client.fetch('/big')).body.getReader();
let n = (await reader.read()).value.length;
await collect();
for (;;) {
  const { done, value } = await within(reader.read(), 10_000);
  if (done) break;
  n += value.length;
}
console.log(JSON.stringify({ n }));`, lazyBodies);
    assert.is((JSON.parse(out) as { n: number }).n, 1 << 20);
  });
}

test.run();
