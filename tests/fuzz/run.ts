// The long fuzzer behind `npm run fuzz -- --minutes N [--seed S]`: cases
// from consecutive seeds until the time is up, progress every few seconds,
// and the heap compared before and after. The first failure prints its
// seed and case, is saved as a regression input, and ends the run.
import { makeCase, runCase, type FuzzCase, type Outcome } from './targets.js';
import { saveRegression } from './regression-store.js';

interface Options {
  readonly minutes: number;
  readonly seed: number;
}

function parse(argv: readonly string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const minutes = Number(value('--minutes') ?? 1);
  const seed = Number(value('--seed') ?? (Date.now() % 0x100000000));
  if (!(minutes > 0) || !Number.isInteger(seed) || seed < 0) {
    throw new Error('usage: npm run fuzz -- --minutes N [--seed S]  (S an integer from 0)');
  }
  return { minutes, seed };
}

const MiB = 1024 * 1024;
const heapNow = (): number => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
};

/** Runs the fuzzer; resolves with the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const { minutes, seed } = parse(argv);
  const start = Date.now();
  const end = start + minutes * 60_000;
  const warmUp = start + Math.min(20_000, (end - start) / 5);
  let current: FuzzCase | null = null;
  let stray: unknown = null;
  // A rejection nobody handles is a failure of the case that caused it.
  const onStray = (err: unknown): void => void (stray ??= err);
  process.on('unhandledRejection', onStray);
  process.on('uncaughtException', onStray);
  const counts: Record<Outcome, number> = { refused: 0, handled: 0 };
  let baseline: number | null = null;
  let lastReport = start;
  console.log(`fuzz: seed ${seed}, ${minutes} min`);
  try {
    for (let n = 0; Date.now() < end; n++) {
      current = makeCase((seed + n) >>> 0);
      let failure: string | null = null;
      try {
        counts[await runCase(current)]++;
        // Let a stray rejection of this case surface before the next begins.
        await new Promise((r) => setImmediate(r));
      } catch (err) {
        failure = String((err as Error)?.stack ?? err);
      }
      if (stray !== null) failure ??= `unhandled: ${String((stray as Error)?.stack ?? stray)}`;
      if (failure !== null) {
        const path = saveRegression(current, failure);
        console.log(`FAIL seed ${current.seed} (case ${n}, ${current.target}, version ${current.version}):\n${failure}`);
        console.log(`saved as ${path}; replay: npm run fuzz -- --minutes 0.01 --seed ${current.seed}`);
        return 1;
      }
      if (baseline === null && Date.now() >= warmUp) baseline = heapNow();
      if (Date.now() - lastReport >= 5000) {
        lastReport = Date.now();
        console.log(`${Math.round((lastReport - start) / 1000)} s: ${n + 1} cases (${counts.refused} refused, ${counts.handled} handled), heap ${(heapNow() / MiB).toFixed(1)} MiB`);
      }
    }
  } finally {
    process.off('unhandledRejection', onStray);
    process.off('uncaughtException', onStray);
  }
  const final = heapNow();
  const total = counts.refused + counts.handled;
  console.log(`done: ${total} cases (${counts.refused} refused, ${counts.handled} handled)`);
  if (baseline !== null) {
    const grew = final - baseline;
    console.log(`heap after warm-up ${(baseline / MiB).toFixed(1)} MiB, at the end ${(final / MiB).toFixed(1)} MiB`);
    // Some growth is the JIT and caches settling; a leak of a case's state would be far more.
    if (grew > 16 * MiB + baseline / 2) {
      console.log('FAIL: the heap kept growing');
      return 1;
    }
  }
  return 0;
}
