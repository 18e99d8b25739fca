// A resolved config is read on every frame. Every one must have the same
// hidden class in V8, whatever it was given: made by spreading objects that
// were spread themselves, each config got a class of its own once V8 had
// seen a few, and the code of each new session deoptimized (bench/README.md,
// item 21). V8 tells through `--allow-natives-syntax`, so the check runs in a
// process of its own.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const configModule = pathToFileURL(join(process.cwd(), 'dist', 'esm', 'base', 'config.js')).href;

test('resolved configs share one hidden class, many of them, whatever keys, side and layer they were resolved with', () => {
  const script = `
const { resolveConfig } = await import(${JSON.stringify(configModule)});
const inputs = [undefined, {}, { initialWindowSize: 1 << 24, sessionWindowSize: 1 << 24 },
  { spdy3Fallback: true, maxConcurrentStreams: 7 }, { headerCompressionLevel: 4, idleTimeout: 1000 },
  { maxSessionBufferedBytes: 1 << 25 }];
const made = [];
for (let round = 0; round < 5; round++) {
  for (const input of inputs) {
    for (const side of [1, 2]) {
      for (const layer of [undefined, 'streams']) made.push(resolveConfig(input && { ...input }, side, { layer }));
    }
  }
}
const last = made.at(-1);
console.log(JSON.stringify({ made: made.length, same: made.filter((c) => %HaveSameMap(c, last)).length }));`;
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], {
    encoding: 'utf8', timeout: 60_000,
  });
  const { made, same } = JSON.parse(out.trim().split('\n').at(-1)!) as { made: number; same: number };
  assert.is(made, 120);
  assert.is(same, made);
});

test.run();
