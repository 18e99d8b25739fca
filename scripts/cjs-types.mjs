// The CommonJS type declarations: tsc's ESM declarations (dist/esm/**/*.d.ts)
// copied to dist/cjs/types/**/*.d.cts with their relative imports pointed at
// the .cjs names, so that TypeScript reads them as CommonJS under `require`.
// The declarations describe the same classes the CommonJS build exports.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const from = 'dist/esm';
const to = 'dist/cjs/types';

function* declarations(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* declarations(path);
    else if (entry.name.endsWith('.d.ts')) yield path;
  }
}

// `from './x.js'`, `import('./x.js')` and `export ... from '../y/index.js'`.
const relativeJs = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.js(['"])/g;

let count = 0;
for (const file of declarations(from)) {
  const target = join(to, relative(from, file)).replace(/\.d\.ts$/, '.d.cts');
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, readFileSync(file, 'utf8').replace(relativeJs, '$1$2.cjs$3'));
  count++;
}
if (count === 0) throw new Error(`no declarations under ${from}: run tsc first`);
