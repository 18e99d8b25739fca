// The conformance cases in a runtime that loads the built ES modules as they
// are (Node, Deno, Bun): prints one line, "RESULTS <json>", for run.mjs.
import * as lib from '../../dist/esm/index.js';
import { runConformance } from './exchange.mjs';

const results = await runConformance(lib);
console.log(`RESULTS ${JSON.stringify(results)}`);
