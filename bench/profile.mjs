// CPU profiles of our two ends: for the bulk, upload and requests cases, ours over
// SpdySession and over the HTTP layer, a server and a client process run
// under `node --cpu-prof`, do a warm-up and ROUNDS runs of the case, and
// exit; the top self-time entries of each profile are printed.
//   node bench/profile.mjs [--quick] [--top N] [--keep DIR]
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPeer } from './lib/peers.mjs';
import { selfTimes } from './lib/cpuprofile.mjs';
import { machineLine } from './lib/machine.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const topAt = argv.indexOf('--top');
const TOP = topAt >= 0 ? Number(argv[topAt + 1]) : 15;
const keepAt = argv.indexOf('--keep');
const root = keepAt >= 0 ? argv[keepAt + 1] : mkdtempSync(path.join(os.tmpdir(), 'spdy-prof-'));
const ROUNDS = quick ? 1 : 3;

const CASES = {
  bulk: ['bulk', quick ? 32 << 20 : 128 << 20],
  upload: ['upload', quick ? 32 << 20 : 128 << 20],
  requests: ['requests', quick ? 1000 : 5000, 100],
};

function print(file, label) {
  const { total, functions, files } = selfTimes(file);
  const pct = (ms) => `${((100 * ms) / total).toFixed(1).padStart(5)}%`;
  console.log(`\n${label}: ${total.toFixed(0)} ms sampled; top self time`);
  for (const [name, ms] of functions.slice(0, TOP)) console.log(`  ${ms.toFixed(0).padStart(6)} ms ${pct(ms)}  ${name}`);
  console.log('  by file:');
  for (const [name, ms] of files.slice(0, 8)) console.log(`  ${ms.toFixed(0).padStart(6)} ms ${pct(ms)}  ${name}`);
}

console.log(machineLine());
for (const [caseName, [cmd, ...args]] of Object.entries(CASES)) {
  for (const stack of ['ours-session', 'ours-http']) {
    const dir = (role) => path.join(root, `${caseName}-${stack}-${role}`);
    const prof = (role) => ({ execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir(role)}`] });
    const server = await startPeer('server', stack, prof('server'));
    const client = await startPeer('client', stack, prof('client'));
    for (let i = 0; i <= ROUNDS; i++) await client.call(cmd, server.port, ...args);
    await client.stop();
    await server.stop();
    for (const role of ['client', 'server']) {
      const [file] = readdirSync(dir(role));
      print(path.join(dir(role), file), `${caseName}, ${stack}, ${role}`);
    }
  }
}
if (keepAt < 0) rmSync(root, { recursive: true, force: true });
else console.log(`\nprofiles kept in ${root}`);
