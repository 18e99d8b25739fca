// CommonJS builds of the entry points, made from tsc's ESM output in one
// pass, so that the entries share one copy of each class (instanceof holds
// across `spdy-streams`, `spdy-streams/codec` and `spdy-streams/node`).
// Dependencies stay external.
const external = (id) => !id.startsWith('.') && !id.startsWith('/');

export default {
  input: {
    index: 'dist/esm/index.js',
    'index-node': 'dist/esm/index-node.js',
    codec: 'dist/esm/codec/index.js',
    node: 'dist/esm/node/index.js',
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
  external,
};
