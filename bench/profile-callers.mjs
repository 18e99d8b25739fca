// Who calls a hot function, from a profile kept by `profile.mjs --keep DIR`:
//   node bench/profile-callers.mjs FILE.cpuprofile FUNCTION [DEPTH]
// prints the function's total time by chain of callers.
import { callers } from './lib/cpuprofile.mjs';

const [file, name, depth = '3'] = process.argv.slice(2);
if (!file || !name) throw new Error('usage: node bench/profile-callers.mjs FILE.cpuprofile FUNCTION [DEPTH]');
for (const [chain, ms] of callers(file, name, Number(depth)).slice(0, 12)) {
  console.log(`${ms.toFixed(0).padStart(7)} ms  ${name} <- ${chain}`);
}
