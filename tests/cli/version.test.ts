/**
 * `--version` of the built command-line tools names the package's version,
 * exits 0 and starts nothing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = process.cwd();
const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };

for (const tool of ['spdycat', 'spdyd']) {
  test(`${tool} --version prints "${tool} (spdy-streams) <package.json version>" and exits 0`, () => {
    const run = spawnSync(process.execPath, [resolve(root, `bin/${tool}.mjs`), '--version'], { encoding: 'utf8', timeout: 10_000 });
    assert.is(run.status, 0, run.stderr);
    assert.is(run.stdout, `${tool} (spdy-streams) ${version}\n`);
  });

  test(`${tool} --help lists --version`, () => {
    const run = spawnSync(process.execPath, [resolve(root, `bin/${tool}.mjs`), '--help'], { encoding: 'utf8', timeout: 10_000 });
    assert.match(run.stdout, /-V, --version/);
  });
}

test.run();
