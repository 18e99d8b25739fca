// The fuzzer's bounded run for CI: a few seconds of structure-aware cases
// from fixed seeds, against every target in every version. A failure names
// the seed that `npm run fuzz -- --seed S` replays.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertHealthySpdySessions } from '../hardening/hostile-peer.js';
import { TARGETS, makeCase, runCase, type Outcome } from './targets.js';
import { VERSIONS } from './frames.js';

const FIRST_SEED = 20_260_001;
const CASES = 120;

test(`${CASES} seeded cases against Sessions, SpdySessions and HTTP, client and server: handled or refused, nothing else`, async () => {
  const seen = new Set<string>();
  const outcomes: Record<Outcome, number> = { refused: 0, handled: 0 };
  let stray: unknown = null;
  const onStray = (err: unknown): void => void (stray ??= err);
  process.on('unhandledRejection', onStray);
  try {
    for (let seed = FIRST_SEED; seed < FIRST_SEED + CASES; seed++) {
      const c = makeCase(seed);
      seen.add(`${c.target} v${c.version}`);
      try {
        outcomes[await runCase(c, 5000)]++;
      } catch (err) {
        assert.unreachable(`seed ${seed} (${c.target}, version ${c.version}): ${String((err as Error)?.stack ?? err)}`);
      }
      await new Promise((r) => setImmediate(r));
      assert.is(stray, null, `seed ${seed}: unhandled ${String(stray)}`);
    }
  } finally {
    process.off('unhandledRejection', onStray);
  }
  assert.is(seen.size, TARGETS.length * VERSIONS.length, 'every target in every version');
  // The inputs reach both ends: not all refused at the first frame, not all harmless.
  assert.ok(outcomes.refused > CASES / 10 && outcomes.handled > CASES / 10, JSON.stringify(outcomes));
  await assertHealthySpdySessions();
});

test.run();
