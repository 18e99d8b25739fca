// The end-to-end throughput cases: each stack's client and server in their
// own processes over TCP loopback, rounds alternated (the order rotates every
// round; the first round, or the first N, warm up), medians and per-round
// ratios printed, with the CPU both ends used where /proc tells (its ratio:
// how many times less CPU the first stack spent on the same work).
//   bulk:     one GET whose answer is BULK bytes on one stream
//   upload:   one POST of BULK bytes on one stream, answered with the count
//   requests: N GETs of 100 B on one session, IN_FLIGHT at a time
import { startPair } from './lib/peers.mjs';
import { cpuMs } from './lib/cpu.mjs';
import { fmtMs, fmtX, median, speedRatio } from './lib/stats.mjs';

export const STACKS = {
  'ours-session': 'ours: SpdySession',
  'ours-http': 'ours: connect().fetch / serve()',
  'spdy-transport': 'spdy-transport 3.0.0',
  http2: 'node:http2',
  raw: 'raw TCP socket (the limit)',
};

// [a, b, target]: a's speed over b's, and the least the issue asks for.
const RATIOS = [
  ['ours-session', 'spdy-transport'],
  ['ours-session', 'http2'],
  ['ours-http', 'spdy-transport'],
  ['ours-http', 'http2'],
  ['ours-http', 'ours-session'],
  ['ours-session', 'raw'],
];
const TARGETS = {
  bulk: { 'ours-session/spdy-transport': 2, 'ours-session/http2': 1, 'ours-http/spdy-transport': 2, 'ours-http/http2': 1, 'ours-http/ours-session': 0.8 },
  requests: { 'ours-session/spdy-transport': 3, 'ours-session/http2': 1, 'ours-http/spdy-transport': 3, 'ours-http/http2': 1, 'ours-http/ours-session': 0.8 },
};

/**
 * Starts every stack's pair of processes, kept for the whole run; or, with
 * `fresh`, only names them: `measure` then starts a new pair for each run
 * (and warms it up with one run of its own). Each process keeps its own luck
 * with memory for its whole life, and two identical stacks in long-lived
 * processes have measured 0.81 apart: fresh pairs cost time and take that
 * luck out of the ratios. `heapMb` gives every process that much live heap
 * (peer.mjs).
 */
export async function startStacks(names = Object.keys(STACKS), { fresh = false, heapMb = 0 } = {}) {
  if (fresh) return names.map((stack) => ({ stack, fresh: true, heapMb, stop: async () => {} }));
  const pairs = [];
  for (const name of names) pairs.push(await startPair(name, { heapMb }));
  return pairs;
}

/** Both ends' collections so far (peer.mjs's `collections`). */
async function collectionsOf(pair) {
  const [client, server] = await Promise.all([pair.client.call('collections'), pair.server.call('collections')]);
  return { client, server };
}

/**
 * Runs `cmd(...args)` on every pair for `rounds` rounds after `warmup`
 * warm-up rounds (fresh pairs: a warm-up run each), rotating the order;
 * prints medians and ratios; returns ms per stack.
 */
export async function measure(pairs, { title, caseName, cmd, args, rounds, warmup = 1, skip = [] }) {
  const used = pairs.filter((p) => !skip.includes(p.stack));
  const runs = Object.fromEntries(used.map((p) => [p.stack, []]));
  // CPU of both ends per run (where /proc tells): steadier than wall time when the machine is shared.
  const cpu = Object.fromEntries(used.map((p) => [p.stack, []]));
  const cpuByEnd = Object.fromEntries(used.map((p) => [p.stack, { client: [], server: [] }]));
  // Full collections (mark-compacts) of each end over the measured runs: see bench/README, item 27.
  const majors = Object.fromEntries(used.map((p) => [p.stack, { client: 0, server: 0 }]));
  const cpuOf = (p) => {
    const client = cpuMs(p.client.pid);
    const server = cpuMs(p.server.pid);
    return client === null || server === null ? null : { client, server };
  };
  const fresh = used.some((p) => p.fresh);
  for (let round = fresh ? 0 : -warmup; round < rounds; round++) {
    const shift = Math.max(round, 0);
    for (let i = 0; i < used.length; i++) {
      const slot = used[(i + shift) % used.length];
      const p = slot.fresh ? await startPair(slot.stack, { heapMb: slot.heapMb }) : slot;
      if (slot.fresh) await p.run(cmd, ...args);
      const gcBefore = await collectionsOf(p);
      const before = cpuOf(p);
      const ms = await p.run(cmd, ...args);
      const after = cpuOf(p);
      const gcAfter = await collectionsOf(p);
      if (slot.fresh) await p.stop();
      if (round >= 0) {
        runs[p.stack].push(ms);
        majors[p.stack].client += gcAfter.client.major - gcBefore.client.major;
        majors[p.stack].server += gcAfter.server.major - gcBefore.server.major;
        if (before !== null && after !== null) {
          const client = after.client - before.client;
          const server = after.server - before.server;
          cpu[p.stack].push(Math.max(client + server, 1));
          cpuByEnd[p.stack].client.push(client);
          cpuByEnd[p.stack].server.push(server);
        }
      }
    }
  }
  const withCpu = used.every((p) => cpu[p.stack].length === rounds);
  const warmUp = fresh
    ? 'each on a new pair of processes after a warm-up run'
    : `after ${warmup === 1 ? 'a warm-up round' : `${warmup} warm-up rounds`}`;
  console.log(`\n${title}; medians of ${rounds} rounds ${warmUp}${withCpu ? ' (CPU: both ends, 10 ms ticks)' : ''}`);
  for (const p of used) {
    const ends = cpuByEnd[p.stack];
    const cpuText = withCpu
      ? `   CPU ${fmtMs(median(cpu[p.stack]))} (client ${fmtMs(median(ends.client)).trim()}, server ${fmtMs(median(ends.server)).trim()})`
      : '';
    console.log(`  ${STACKS[p.stack].padEnd(36)} ${fmtMs(median(runs[p.stack]))}${cpuText}`);
  }
  const perRun = (n) => (n / rounds).toFixed(1);
  console.log(`  mark-compacts a run, client/server: ${used.map((p) => `${p.stack} ${perRun(majors[p.stack].client)}/${perRun(majors[p.stack].server)}`).join(', ')}`);
  console.log('  speed ratios (median of per-round ratios; > 1: the first is faster)');
  for (const [a, b] of RATIOS) {
    if (!runs[a] || !runs[b]) continue;
    const x = speedRatio(runs[a], runs[b]);
    const target = TARGETS[caseName]?.[`${a}/${b}`];
    const verdict = target === undefined ? '' : `  target >= ${target}: ${x >= target ? 'met' : 'NOT met'}`;
    const cpuText = withCpu ? `   CPU cost ${fmtX(speedRatio(cpu[a], cpu[b]))}` : '';
    console.log(`  ${`${a} / ${b}`.padEnd(36)} ${fmtX(x).padStart(9)}${verdict}${cpuText}`);
  }
  return runs;
}
