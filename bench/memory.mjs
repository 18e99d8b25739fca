// The memory cases, ours only (see stacks/ours-memory.mjs): an idle open
// stream's heap on each end, IDLE streams at once; 10,000 concurrent streams
// on one session completing; a reader that stops after one chunk of a 256 MiB
// body, and what it then holds against one window plus one transport chunk.
import { startPair } from './lib/peers.mjs';
import { fmtMs } from './lib/stats.mjs';

const kib = (n) => `${(n / 1024).toFixed(2)} KiB`;

export async function runMemory({ idle, concurrent, stallBytes, tls = false }) {
  const p = await startPair('ours-memory');
  try {
    const i = await p.run('idle', idle);
    console.log(`\nmemory (ours, SpdySession over ${tls ? 'TLS on ' : ''}TCP loopback, default windows)`);
    console.log(`  idle open stream, heap over ${i.n} streams: client ${kib(i.client)}, server ${kib(i.server)} per stream  target <= 2 KiB: ${Math.max(i.client, i.server) <= 2048 ? 'met' : 'NOT met'}`);
    const c = await p.run('concurrent', concurrent);
    console.log(`  ${c.n} concurrent GETs on one session: ${c.completed} completed in ${fmtMs(c.ms).trim()}  ${c.completed === c.n ? 'met' : 'NOT met'}`);
    const s = await p.run('stall', stallBytes);
    const held = Math.max(s.sessionBuffered, s.streamBuffered);
    console.log(`  reader stopped after ${s.firstChunk} B of a ${s.bytes >> 20} MiB body: sender stopped at ${kib(s.serverSent)}; held unread ${kib(held)} (session ${kib(s.sessionBuffered)}), array buffers +${kib(s.arrayBuffersDelta)}`);
    console.log(`    bound: window ${kib(s.window)} + one transport chunk = ${kib(s.bound)}  ${held <= s.bound && s.arrayBuffersDelta <= s.bound ? 'met' : 'NOT met'}`);
  } finally {
    await p.stop();
  }
}
