// `spdy-streams/polyfilled`: with the Web Streams globals deleted, the
// library builds every stream from web-streams-polyfill and its codec,
// sessions and HTTP layer work; with the globals present, the default entry
// loads no polyfill code and the polyfilled one keeps the runtime's own.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const here = join(process.cwd(), 'tests', 'polyfill');
const run = (script: string, ...args: string[]): any =>
  JSON.parse(execFileSync(process.execPath, [join(here, script), ...args], { encoding: 'utf8', timeout: 120_000 }).trim().split('\n').at(-1)!);

test('without the globals, the polyfilled entry runs the codec, a SpdySession exchange and HTTP on the polyfill', () => {
  const out = run('no-globals.mjs');
  assert.ok(out.globalsStillMissing, 'the entry installs nothing global');
  assert.ok(out.streamsArePolyfill, "the library's streams are the polyfill's");
  assert.ok(out.decoderIsPolyfill, "the codec's streams are the polyfill's");
  assert.is(out.results.length, 5);
  for (const r of out.results) assert.ok(r.ok, `${r.name}: ${r.error}`);
});

test('the default entry loads no module of web-streams-polyfill', () => {
  const out = run('default-entry.mjs', 'index.js');
  assert.ok(out.modules > 10, `${out.modules} modules seen`);
  assert.not.ok(out.polyfillLoaded);
  assert.ok(out.nativeStreams);
});

test('where the globals exist, the polyfilled entry keeps the runtime\'s own streams', () => {
  const out = run('default-entry.mjs', 'polyfilled.js');
  assert.ok(out.nativeStreams);
});

test.run();
