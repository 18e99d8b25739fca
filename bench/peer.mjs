// One end of an end-to-end benchmark in its own process:
//   node bench/peer.mjs server|client <stack>
// loads bench/stacks/<stack>.mjs and runs its `server` or `client` commands
// as the parent (bench/lib/peers.mjs) asks over IPC, answering each with its
// result. A server starts listening at once and reports its port. Every peer
// also answers `collections` (the mark-compacts it has run so far) and,
// with BENCH_HEAP_MB set (`--heap`), holds that much of the JavaScript heap
// in live objects for its whole life.
import { PerformanceObserver, constants } from 'node:perf_hooks';

const [role, stack] = process.argv.slice(2);

// A bare benchmark process has a heap of 5-8 MB, where an application has
// its own state besides; V8 sizes the old generation's limit from what is
// live, and that changes when it collects (bench/README, item 27). This
// binding keeps the objects alive for the process's life.
const held = holdHeap(Number(process.env.BENCH_HEAP_MB ?? 0));

const collections = { major: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) collections.major++;
  }
}).observe({ entryTypes: ['gc'] });

const mod = await import(`./stacks/${stack}.mjs`);
if (!mod[role]) throw new Error(`stack ${stack} has no ${role}`);
const commands = { ...mod[role], collections: () => ({ ...collections }) };

process.on('message', async ({ id, cmd, args }) => {
  try {
    const result = await commands[cmd](...(args ?? []));
    process.send({ id, result });
  } catch (err) {
    process.send({ id, error: String(err?.stack ?? err) });
  }
});
// The parent going away ends us; exiting normally lets --cpu-prof write its profile.
process.on('disconnect', () => process.exit(0));
process.send({ id: 0, result: role === 'server' ? await commands.listen() : null });

/** Small objects, made until the live heap has grown by `mb` MB (peers run with --expose-gc). */
function holdHeap(mb) {
  const objects = [];
  if (mb <= 0) return objects;
  globalThis.gc();
  const target = process.memoryUsage().heapUsed + mb * 2 ** 20;
  while (process.memoryUsage().heapUsed < target) {
    for (let i = 0; i < 10_000; i++) objects.push({ id: objects.length, name: `item ${objects.length}` });
  }
  globalThis.gc();
  return objects;
}
