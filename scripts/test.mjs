// Runs every compiled test file under uvu and closes with the line CI reads:
// "N passed, N failed". Extra arguments narrow the files (a uvu pattern).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

const pattern = process.argv[2] ?? '\\.test\\.js$';
const child = spawn(process.execPath, ['node_modules/uvu/bin.js', '.test-build/tests', pattern], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, NO_COLOR: '1' },
});
let out = '';
child.stdout.on('data', (d) => {
  process.stdout.write(d);
  out += d;
});
child.on('close', (code) => {
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  // uvu counts a file that throws while loading as no test at all: count it failed.
  const failed = Math.max(total - passed - skipped, code === 0 ? 0 : 1);
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exitCode = code === 0 && failed === 0 && passed > 0 ? 0 : 1;
});
