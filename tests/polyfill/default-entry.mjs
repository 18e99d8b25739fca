// Run by tests/polyfill/polyfilled-entry.test.ts in a child process: loads
// an entry of the built package with a loader hook that records every
// module resolved, and prints whether any came from web-streams-polyfill,
// and which classes a memory pair's streams are.
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const seen = [];
port1.on('message', (url) => seen.push(url));
port1.unref();
register('./record-resolve.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] });

const entry = process.argv[2];
const lib = await import(`../../dist/esm/${entry}`);
const [a] = lib.createMemoryTransportPair();
await new Promise((r) => setTimeout(r, 50));
console.log(JSON.stringify({
  polyfillLoaded: seen.some((url) => url.includes('web-streams-polyfill')),
  modules: seen.length,
  nativeStreams: a.readable instanceof ReadableStream,
}));
