// Runs every compiled test file under uvu, then (on a full run) the suites
// that run outside uvu: the package check and the runtime conformance runs.
// Closes with the line CI reads: "N passed, N failed", counting them all.
// An argument narrows the uvu files (a uvu pattern) and skips the others.
import { spawn } from 'node:child_process';

const pattern = process.argv[2];
const EXTRA_SUITES = ['scripts/check-package.mjs', 'tests/runtimes/run.mjs'];

/** Runs `args` under this Node, echoing its output; resolves with the output and exit code. */
function run(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d;
    });
    child.on('close', (code) => resolve({ out: out.replace(/\x1b\[[0-9;]*m/g, ''), code }));
  });
}

const uvu = await run(['node_modules/uvu/bin.js', '.test-build/tests', pattern ?? '\\.test\\.js$']);
const total = Number(/Total:\s+(\d+)/.exec(uvu.out)?.[1] ?? 0);
let passed = Number(/Passed:\s+(\d+)/.exec(uvu.out)?.[1] ?? 0);
const skipped = Number(/Skipped:\s+(\d+)/.exec(uvu.out)?.[1] ?? 0);
// uvu counts a file that throws while loading as no test at all: count it failed.
let failed = Math.max(total - passed - skipped, uvu.code === 0 ? 0 : 1);

if (pattern === undefined) {
  for (const suite of EXTRA_SUITES) {
    const { out, code } = await run([suite]);
    const counts = [...out.matchAll(/^\w+: (\d+) passed, (\d+) failed/gm)].at(-1);
    passed += Number(counts?.[1] ?? 0);
    // A suite that died before its count line counts as one failure.
    failed += counts ? Number(counts[2]) : 1;
    if (counts && code !== 0 && Number(counts[2]) === 0) failed++;
  }
}

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
