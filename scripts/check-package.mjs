// The package as users get it: packs it (after `npm run build`), lints the
// tarball with publint and @arethetypeswrong/cli, installs it in a fresh
// project and compiles TypeScript consumers under node16 (ESM with no DOM
// library, and a .cts file), bundler and node10 resolution, then loads it
// from CommonJS and ESM; last, typedoc checks that every export has TSDoc.
// Prints one line per check and ends with
// "package: N passed, N failed". Entry points come from package.json's
// `exports`, so a new sub-path is checked once it is listed there (and the
// consumer sources in scripts/consumer/ may import it).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'spdy-package-'));

let passed = 0;
let failed = 0;
function check(name, run) {
  let problem;
  try {
    problem = run();
  } catch (err) {
    problem = err instanceof Error ? err.message : String(err);
  }
  if (problem) {
    failed++;
    console.log(`  ✘ ${name}\n${String(problem).trim().replace(/^/gm, '      ')}`);
  } else {
    passed++;
    console.log(`  ✓ ${name}`);
  }
}
/** Runs a command; returns its output as the problem when it fails. */
function sh(cmd, args, cwd = work) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  if (r.error) return r.error.message;
  return r.status === 0 ? '' : `${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}${r.stderr}`.slice(0, 4000);
}

console.log('package');
let tarball = '';
check('npm pack', () => {
  const r = spawnSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) return r.stderr;
  const [info] = JSON.parse(r.stdout);
  tarball = join(work, info.filename);
  const files = info.files.map((f) => f.path);
  const stray = files.filter((f) => !/^(dist\/|bin\/|README\.md$|LICENSE$|package\.json$)/.test(f) || /(^|\/)(tests?|fixtures?)\//.test(f));
  if (stray.length) return `files users do not need: ${stray.join(', ')}`;
  for (const needed of ['LICENSE', 'README.md', ...Object.values(pkg.bin)]) {
    if (!files.includes(needed.replace(/^\.\//, ''))) return `${needed} is not packed`;
  }
  const maps = files.filter((f) => f.endsWith('.map'));
  const empty = maps.filter((f) => {
    const map = JSON.parse(readFileSync(join(root, f), 'utf8'));
    return map.sources.length > 0 && (map.sourcesContent ?? []).filter((s) => typeof s === 'string').length !== map.sources.length;
  });
  if (empty.length) return `source maps without their sources: ${empty.slice(0, 5).join(', ')}`;
  return '';
});
if (!tarball) {
  console.log(`package: ${passed} passed, ${failed} failed`);
  process.exit(1);
}

const entries = Object.keys(pkg.exports).filter((k) => k !== './package.json');
check(`publint --strict (${entries.join(', ')})`, () => sh(bin('publint'), ['--strict', tarball]));
check('@arethetypeswrong/cli: every entry point under node10, node16 (CJS and ESM) and bundler', () => {
  const r = spawnSync(bin('attw'), [tarball, '--format', 'json'], { cwd: work, encoding: 'utf8' });
  const report = JSON.parse(r.stdout);
  const seen = Object.keys(report.analysis?.entrypoints ?? {});
  const missing = entries.filter((e) => !seen.includes(e));
  if (missing.length) return `not analysed: ${missing.join(', ')}`;
  const problems = report.analysis?.problems ?? [];
  return problems.length ? JSON.stringify(problems, null, 1) : r.status === 0 ? '' : r.stderr;
});

// A fresh project holding the tarball (and its dependencies, from npm's cache when there).
const project = join(work, 'consumer');
cpSync(join(root, 'scripts', 'consumer'), project, { recursive: true });
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies: { 'spdy-streams': `file:${tarball}` } }));
check('npm install of the tarball in a fresh project', () =>
  sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'], project));

const typeRoots = [join(root, 'node_modules', '@types')];
const compilerBase = { strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', typeRoots };
const consumers = [
  { name: 'node16 ES module, Node types, no DOM library', files: ['node-esm.mts'], options: { module: 'node16', moduleResolution: 'node16', lib: ['ES2022'], types: ['node'] } },
  { name: 'node16 CommonJS (.cts)', files: ['node-cjs.cts'], options: { module: 'node16', moduleResolution: 'node16', lib: ['ES2022'], types: ['node'] } },
  { name: 'bundler, DOM library, no Node types', files: ['bundler.ts'], options: { module: 'esnext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM', 'DOM.AsyncIterable'], types: [] } },
  { name: 'node10 (typesVersions for sub-paths)', files: ['node10.ts'], options: { module: 'commonjs', moduleResolution: 'node10', lib: ['ES2022'], types: ['node'], esModuleInterop: true } },
];
for (const consumer of consumers) {
  check(`TypeScript consumer: ${consumer.name}`, () => {
    const config = join(project, `tsconfig.${consumer.files[0]}.json`);
    writeFileSync(config, JSON.stringify({ compilerOptions: { ...compilerBase, ...consumer.options }, files: consumer.files }));
    return sh(process.execPath, [tsc, '-p', config], project);
  });
}
check('require() of every CommonJS entry; classes shared between entries', () => sh(process.execPath, ['require.cjs'], project));
check('import of every ES module entry; classes shared between entries', () => sh(process.execPath, ['import.mjs'], project));

// The API reference: typedoc (typedoc.json) fails on an export without TSDoc.
check('API reference: every export documented (typedoc, notDocumented as error)', () =>
  sh(process.execPath, [join(root, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--emit', 'none'], root));

rmSync(work, { recursive: true, force: true });
console.log(`package: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
