// Empties dist/ before a build, so that no file of an older build (a module
// since removed or renamed) is packed.
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
