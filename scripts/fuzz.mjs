// `npm run fuzz -- --minutes N [--seed S]`: runs the fuzzer compiled from
// tests/fuzz by the test tsconfig (npm runs `tsc -p tsconfig.test.json` first).
import { main } from '../.test-build/tests/fuzz/run.js';

process.exitCode = await main(process.argv.slice(2));
