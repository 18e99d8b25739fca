/**
 * The package's version for `--version`, read from the package.json that
 * ships beside the build, so it cannot drift from what was published.
 */
import { readFileSync } from 'node:fs';
import type { OptionSpec } from './args.js';

/** `--version`, shared by `spdycat` and `spdyd`. */
export const VERSION_OPTION: OptionSpec = { key: 'version', names: ['-V', '--version'], help: 'print the version and exit' };

/** `NAME VERSION`, as printed by `--version`. */
export function versionLine(tool: string): string {
  // dist/esm/cli/ and .test-build/src/cli/ both sit three levels under the package root.
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `${tool} (spdy-streams) ${manifest.version}\n`;
}
