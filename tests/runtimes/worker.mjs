// The conformance cases inside workerd: a fetch handler that runs them and
// answers with their results. run.mjs bundles this with esbuild.
import * as lib from '../../dist/esm/index.js';
import { runConformance } from './exchange.mjs';

export default {
  async fetch() {
    return Response.json(await runConformance(lib));
  },
};
