// Failing fuzz cases kept as files under tests/fuzz/regressions/, each
// holding its input bytes, so that a test replays it exactly even after the
// generator changes.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TARGETS, type FuzzCase, type TargetName } from './targets.js';
import type { ProtocolVersion } from '../../src/index.js';

/** The directory, from the repository root (where npm runs scripts and tests). */
export const REGRESSIONS_DIR = join('tests', 'fuzz', 'regressions');

interface Stored {
  readonly target: TargetName;
  readonly version: ProtocolVersion;
  readonly seed: number;
  /** What went wrong when it was found. */
  readonly failure: string;
  readonly chunks: readonly string[];
}

/** Writes `c` as a regression input and returns its path. */
export function saveRegression(c: FuzzCase, failure: string, dir = REGRESSIONS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${c.target}-v${c.version}-${c.seed}.json`);
  const stored: Stored = {
    target: c.target,
    version: c.version,
    seed: c.seed,
    failure: failure.split('\n')[0]!,
    chunks: c.chunks.map((b) => Buffer.from(b).toString('base64')),
  };
  writeFileSync(path, `${JSON.stringify(stored, null, 1)}\n`);
  return path;
}

/** Every stored regression input, by file name. */
export function loadRegressions(dir = REGRESSIONS_DIR): Array<{ file: string; fuzzCase: FuzzCase }> {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((file) => {
    const s = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Stored;
    if (!TARGETS.includes(s.target)) throw new Error(`${file}: unknown target ${s.target}`);
    const chunks = s.chunks.map((b64) => new Uint8Array(Buffer.from(b64, 'base64')));
    return { file, fuzzCase: { target: s.target, version: s.version, seed: s.seed, chunks } };
  });
}
