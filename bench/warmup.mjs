// How many runs each stack takes to reach its steady cost. The throughput
// cases measure rounds 2 to 8 of long-lived processes; a stack whose code
// the JIT settles late is still warming up in some of them. Here each stack
// gets a pair of processes of its own and runs one case RUNS times back to
// back, and the CPU both ends used in each run is printed in order, with
// the first run, the median of runs 2-8 (what `npm run bench` sees) and the
// median of the last eight.
//   node bench/warmup.mjs [bulk|upload|requests] [runs] [stack ...]
import { startPair } from './lib/peers.mjs';
import { cpuMs } from './lib/cpu.mjs';
import { median } from './lib/stats.mjs';
import { machineLine } from './lib/machine.mjs';
import { STACKS } from './throughput.mjs';

const [caseName = 'bulk', runsArg = '24', ...only] = process.argv.slice(2);
// At least 16, so that runs 2-8 and the last eight do not overlap.
const RUNS = Math.max(Number(runsArg), 16);
const ARGS = { bulk: [128 << 20], upload: [128 << 20], requests: [5000, 100] }[caseName];
if (!ARGS) throw new Error(`unknown case ${caseName} (bulk, upload or requests)`);
const stacks = only.length > 0 ? only : ['ours-session', 'ours-http', 'spdy-transport', 'http2', 'raw'];
if (cpuMs(process.pid) === null) throw new Error('this needs /proc to read CPU times from');
const fmt = (ms) => `${ms.toFixed(0)} ms`;

console.log(machineLine());
console.log(`${caseName}: ${RUNS} runs back to back per pair of processes; CPU of both ends per run, client/server, 10 ms ticks`);
for (const stack of stacks) {
  const pair = await startPair(stack);
  const both = [];
  const ends = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const client0 = cpuMs(pair.client.pid);
      const server0 = cpuMs(pair.server.pid);
      await pair.run(caseName, ...ARGS);
      const client = cpuMs(pair.client.pid) - client0;
      const server = cpuMs(pair.server.pid) - server0;
      both.push(client + server);
      ends.push(`${client}/${server}`);
    }
  } finally {
    await pair.stop();
  }
  console.log(`\n  ${STACKS[stack]}`);
  console.log(`    first run ${fmt(both[0])}, runs 2-8 median ${fmt(median(both.slice(1, 8)))}, last 8 median ${fmt(median(both.slice(-8)))}`);
  console.log(`    ${ends.join(' ')}`);
}
