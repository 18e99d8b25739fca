// CommonJS builds of the entry points, made from tsc's ESM output.
// Dependencies stay external.
const external = (id) => !id.startsWith('.') && !id.startsWith('/');

export default [
  { input: 'dist/esm/index.js', output: { file: 'dist/cjs/index.cjs', format: 'cjs', sourcemap: true }, external },
  { input: 'dist/esm/codec/index.js', output: { file: 'dist/cjs/codec.cjs', format: 'cjs', sourcemap: true }, external },
  { input: 'dist/esm/node/index.js', output: { file: 'dist/cjs/node.cjs', format: 'cjs', sourcemap: true }, external },
];
