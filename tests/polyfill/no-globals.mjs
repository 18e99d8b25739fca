// Run by tests/polyfill/polyfilled-entry.test.ts in a child process: deletes
// the Web Streams globals, as runtimes without them (React Native's Hermes)
// have none, then loads the built `polyfilled` entry and runs the
// runtime-neutral conformance cases (codec, a SpdySession exchange with
// backpressure, the HTTP client and server over a memory pair). Prints one
// JSON line of results, and which classes the library's streams are.
// Node's own fetch classes (undici) look the stream globals up whenever they
// are used, so they come back once the library has loaded: the library made
// its choice at load time, and its Responses now cross between two stream
// implementations, the case a runtime with its own fetch and no streams has.
const saved = {
  ReadableStream: globalThis.ReadableStream, WritableStream: globalThis.WritableStream,
  TransformStream: globalThis.TransformStream, ByteLengthQueuingStrategy: globalThis.ByteLengthQueuingStrategy,
};
void [globalThis.Headers, globalThis.Request, globalThis.Response, globalThis.fetch];
delete globalThis.ReadableStream;
delete globalThis.WritableStream;
delete globalThis.TransformStream;
delete globalThis.ByteLengthQueuingStrategy;

const lib = await import('../../dist/esm/polyfilled.js');
const globalsStillMissing = typeof globalThis.ReadableStream === 'undefined';
const { conformanceCases, runCase } = await import('../runtimes/exchange.mjs');
const polyfill = await import('web-streams-polyfill');
const [a] = lib.createMemoryTransportPair();
const polyfillGlobals = Object.fromEntries(Object.keys(saved).map((name) => [name, polyfill[name]]));
const results = [];
for (const [name, body] of conformanceCases(lib)) {
  // The codec cases build streams of their own: of the polyfill's family, as
  // an application in such a runtime would. The others meet Node's fetch.
  Object.assign(globalThis, name.startsWith('codec') ? polyfillGlobals : saved);
  results.push(await runCase(name, body, 60000));
}
Object.assign(globalThis, saved);
console.log(JSON.stringify({
  results,
  globalsStillMissing,
  streamsArePolyfill: a.readable instanceof polyfill.ReadableStream,
  decoderIsPolyfill: new lib.FrameDecoderStream({ version: lib.PROTO_SPDY3_1 }).readable instanceof polyfill.ReadableStream,
}));
