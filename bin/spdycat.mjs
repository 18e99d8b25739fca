#!/usr/bin/env node
// spdycat: fetch URLs over SPDY (see `spdycat --help`).
import { main } from '../dist/esm/cli/spdycat.js';

process.exitCode = await main(process.argv.slice(2));
