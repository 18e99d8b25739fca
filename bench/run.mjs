// The benchmark runner: `npm run bench -- [--quick] [--fresh] [--rounds N] [--warmup N] [--heap MB] [--steady-malloc] [--tls] [case ...]`.
// Cases: bulk, upload, requests, memory (the default set), micro (bench/codec.mjs,
// bench/streams.mjs and bench/objects.mjs), profile (bench/profile.mjs, CPU profiles of our ends),
// warmup (bench/warmup.mjs: each stack's cost run by run, until it settles).
// Needs a build (`npm run bench` builds first). Figures are indicative on a
// shared machine; the ratios of one run are what count.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { machineLine } from './lib/machine.mjs';
import { measure, startStacks } from './throughput.mjs';
import { runMemory } from './memory.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
// A new pair of processes for every run (slower; see startStacks).
const fresh = argv.includes('--fresh');
const roundsAt = argv.indexOf('--rounds');
// Warm-up rounds before those measured (default 1); see bench/warmup.mjs for how many a stack needs.
const warmupAt = argv.indexOf('--warmup');
// Live heap every process of the throughput cases holds, as an application would (bench/README, item 27).
const heapAt = argv.indexOf('--heap');
const valueAt = new Set([roundsAt + 1, warmupAt + 1, heapAt + 1].filter((i) => i > 0));
const cases = argv.filter((a, i) => !a.startsWith('--') && !valueAt.has(i));
const want = (name) => (cases.length === 0 ? ['bulk', 'upload', 'requests', 'memory'] : cases).includes(name);
const rounds = roundsAt >= 0 ? Number(argv[roundsAt + 1]) : quick ? 3 : 7;
const warmup = warmupAt >= 0 ? Number(argv[warmupAt + 1]) : 1;
const heapMb = heapAt >= 0 ? Number(argv[heapAt + 1]) : 0;
// glibc's malloc keeps the memory a process frees instead of giving it back
// and faulting it in again: each process's luck with memory taken out (item 27).
// Every process started from here on inherits it; other allocators ignore it.
// Setting the trim threshold also stops glibc raising its mmap threshold as
// large blocks are freed, which it otherwise does on its own: left at 128 KiB,
// every larger allocation would be mapped and faulted in afresh. So the mmap
// threshold is set too, to the most glibc would raise it to.
const steadyMalloc = argv.includes('--steady-malloc');
if (steadyMalloc) {
  process.env.MALLOC_TRIM_THRESHOLD_ = String(2 ** 32 - 1);
  process.env.MALLOC_MMAP_THRESHOLD_ = String(32 << 20);
}
// Every stack over TLS (bench/lib/tls.mjs), which the peers read from their environment.
const overTls = argv.includes('--tls');
if (overTls) process.env.BENCH_TLS = '1';

const sizes = quick
  ? { bulk: 32 << 20, requests: 1000, idle: 1000 }
  : { bulk: 128 << 20, requests: 5000, idle: 5000 };
const IN_FLIGHT = 100;

const started = performance.now();
console.log(machineLine());
console.log((overTls ? 'SPDY/3.1 over TLS 1.3 (h2 for node:http2)' : 'cleartext SPDY/3.1 (h2c for node:http2)')
  + ', TCP loopback, client and server in their own processes, 16 MiB windows'
  + (heapMb > 0 ? `, each process holding ${heapMb} MB of live heap` : '')
  + (steadyMalloc ? ', malloc not trimmed' : ''));

if (want('bulk') || want('upload') || want('requests')) {
  const pairs = await startStacks(undefined, { fresh, heapMb });
  try {
    if (want('bulk')) {
      await measure(pairs, {
        title: `bulk: ${sizes.bulk >> 20} MiB on one stream`, caseName: 'bulk',
        cmd: 'bulk', args: [sizes.bulk], rounds, warmup,
      });
    }
    if (want('upload')) {
      await measure(pairs, {
        title: `upload: ${sizes.bulk >> 20} MiB POSTed on one stream`, caseName: 'upload',
        cmd: 'upload', args: [sizes.bulk], rounds, warmup,
      });
    }
    if (want('requests')) {
      await measure(pairs, {
        title: `requests: ${sizes.requests} GETs of 100 B, ${IN_FLIGHT} in flight, one session`, caseName: 'requests',
        cmd: 'requests', args: [sizes.requests, IN_FLIGHT], rounds, warmup,
      });
    }
  } finally {
    await Promise.all(pairs.map((p) => p.stop()));
  }
}

if (want('memory')) await runMemory({ idle: sizes.idle, concurrent: 10000, stallBytes: 256 << 20, tls: overTls });

const script = (name) => fileURLToPath(new URL(name, import.meta.url));
if (want('micro')) {
  for (const [file, args] of [['codec.mjs', []], ['streams.mjs', quick ? ['32', '3'] : []], ['objects.mjs', quick ? ['3'] : []]]) {
    console.log(`\n${file}`);
    spawnSync(process.execPath, [script(file), ...args], { stdio: 'inherit' });
  }
}
if (want('warmup')) {
  spawnSync(process.execPath, [script('warmup.mjs'), 'bulk', quick ? '16' : '24'], { stdio: 'inherit' });
}
if (want('profile')) {
  spawnSync(process.execPath, [script('profile.mjs'), ...(quick ? ['--quick'] : [])], { stdio: 'inherit' });
}
console.log(`\n(${((performance.now() - started) / 1000).toFixed(0)} s)`);
