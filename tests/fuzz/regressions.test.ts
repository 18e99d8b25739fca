// Every input the fuzzer ever failed on, kept under tests/fuzz/regressions/
// with its bytes, replayed exactly: each must now be handled or refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadRegressions } from './regression-store.js';
import { runCase } from './targets.js';

const stored = loadRegressions();

test('the regression inputs are there to replay', () => {
  assert.ok(stored.length > 0);
});

for (const { file, fuzzCase } of stored) {
  test(`${file} (${fuzzCase.target}, version ${fuzzCase.version}) is handled or refused`, async () => {
    const outcome = await runCase(fuzzCase, 5000);
    assert.ok(outcome === 'refused' || outcome === 'handled');
  });
}

test.run();
