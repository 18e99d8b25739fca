/**
 * The package root as Node resolves it: everything of the runtime-neutral
 * root plus the Node adapters (TCP/TLS sessions, `connect`, `serve`,
 * `urlfetch`, `ThreadedSPDYServer`, ...). Other runtimes get `index.ts` alone.
 */
export * from './index.js';
export * from './node/index.js';
