// Empties a build folder (dist/ by default, or the one named) before a
// build, so that no file of an older build (a module or test since removed
// or renamed) is packed or run.
import { rmSync } from 'node:fs';

rmSync(process.argv[2] ?? 'dist', { recursive: true, force: true });
