// spdycat's progress meter: units, redraw rate, clearing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatBytes, ProgressMeter } from '../../src/cli/progress.js';

test('sizes are shown in binary units', () => {
  assert.is(formatBytes(512), '512 B');
  assert.is(formatBytes(1536), '1.5 KiB');
  assert.is(formatBytes(3 * 1024 * 1024), '3.0 MiB');
});

test('the meter redraws one line with the percentage, at most every 100 ms, and clears it at the end', () => {
  const out: string[] = [];
  let now = 0;
  const meter = new ProgressMeter({ write: (t: string) => out.push(t), columns: 80 }, () => now);
  meter.start(1, 'https://h/big', 2048);
  now = 100;
  meter.add(1, 1024);
  now = 150;
  meter.add(1, 512); // too soon: no redraw
  assert.is(out.length, 1);
  assert.match(out[0]!, /^\r\x1b\[Khttps:\/\/h\/big {2}1\.0 KiB \/ 2\.0 KiB \(50%\)/);
  meter.finish(1);
  assert.is(out[out.length - 1], '\r\x1b[K');
});

test.run();
