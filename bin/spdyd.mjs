#!/usr/bin/env node
// spdyd: serve a directory over SPDY (see `spdyd --help`).
import { main } from '../dist/esm/cli/spdyd.js';

process.exitCode = await main(process.argv.slice(2));
