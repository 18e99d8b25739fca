/**
 * The server without the `ws` package: a WebSocket port-forward or exec gets a 400
 * `metav1.Status` (the answer kubectl falls back to SPDY from) and SPDY
 * still works. Run in a child process whose module resolution hides `ws`,
 * since this process may have loaded it already.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('without ws, a WebSocket port-forward or exec is refused with a 400 and SPDY still serves', async () => {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./no-ws-child.js', import.meta.url))], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  assert.is(code, 0, err);
  const report = JSON.parse(out.trim().split('\n').at(-1)!) as { wsHidden: boolean; status: number; reason: string; execStatus: number; spdy: boolean };
  assert.equal(report, { wsHidden: true, status: 400, reason: 'BadRequest', execStatus: 400, spdy: true });
});

test.run();
