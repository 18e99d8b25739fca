// CommonJS builds of the entry points, made from tsc's ESM output in one
// pass, so that the entries share one copy of each class (instanceof holds
// across `spdy-streams`, `spdy-streams/codec` and `spdy-streams/node`).
// Dependencies stay external. A new sub-path adds a line to `input` here and
// its block to package.json's `exports` (scripts/check-package.mjs checks
// every entry there).
import { readFile } from 'node:fs/promises';

const external = (id) => !id.startsWith('.') && !id.startsWith('/');

// Hands rollup tsc's source map with each module, so the CommonJS maps lead
// back to the TypeScript sources (which tsc inlined as sourcesContent).
const tscSourceMaps = {
  name: 'tsc-source-maps',
  async load(id) {
    if (!id.endsWith('.js')) return null;
    const code = await readFile(id, 'utf8');
    const map = await readFile(`${id}.map`, 'utf8').catch(() => null);
    return { code: code.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'), map };
  },
};

export default {
  input: {
    index: 'dist/esm/index.js',
    'index-node': 'dist/esm/index-node.js',
    codec: 'dist/esm/codec/index.js',
    node: 'dist/esm/node/index.js',
    bun: 'dist/esm/runtimes/bun.js',
    polyfilled: 'dist/esm/polyfilled.js',
    kubernetes: 'dist/esm/kubernetes/index.js',
    'kubernetes-node': 'dist/esm/node/kubernetes/index.js',
  },
  output: {
    dir: 'dist/cjs',
    format: 'cjs',
    entryFileNames: '[name].cjs',
    chunkFileNames: 'shared-[hash].cjs',
    sourcemap: true,
  },
  plugins: [tscSourceMaps],
  external,
};
