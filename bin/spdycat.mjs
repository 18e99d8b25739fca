#!/usr/bin/env node
// spdycat: fetch URLs over SPDY (see `spdycat --help`).
import { main } from '../dist/esm/cli/spdycat.js';

// A reader that goes away early (`spdycat URL | head`) is not a failure of ours.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await main(process.argv.slice(2));
