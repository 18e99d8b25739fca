// The conformance cases in a browser page: run.mjs bundles this with esbuild
// into a script whose results the page keeps in `globalThis.conformance`.
import * as lib from '../../dist/esm/index.js';
import { runConformance } from './exchange.mjs';

globalThis.conformance = runConformance(lib);
