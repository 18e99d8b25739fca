// Runs the runtime-neutral conformance cases (exchange.mjs) against the
// built package in every runtime the package claims: Node, Deno and Bun
// (their npm packages ship the binaries), workerd (bundled with esbuild,
// inside a fetch handler) and headless Chromium (bundled with esbuild, driven
// by playwright-core). Then each runtime's own sockets as transports against
// a Node SPDY server on the loopback interface (sockets.mjs): Deno.connect and
// Deno.connectTls, Bun.connect through connectBun, workerd's cloudflare:sockets.
// Prints one line per case and runtime, and ends with
// "runtimes: N passed, N failed". A runtime that is not installed is skipped
// with a message naming what to install.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '../..');
const binary = (name) => join(root, 'node_modules', '.bin', name);
// Debian's Chromium and the flags every browser test launches it with (shared with the interop tests).
const LAUNCH = JSON.parse(readFileSync(join(root, 'tests/peers/chromium/launch.json'), 'utf8'));
const CHROMIUM = process.env.CHROMIUM_PATH ?? LAUNCH.executable;
const work = mkdtempSync(join(tmpdir(), 'spdy-runtimes-'));

// The Node servers the sockets cases talk to: cleartext SPDY/3.1, and TLS with ALPN.
const { serve } = await import(join(root, 'dist/esm/index-node.js'));
const { DEV_ONLY_LOCALHOST_CERT: cert, DEV_ONLY_LOCALHOST_KEY: key } = await import(join(root, 'dist/esm/node/http/dev-only-localhost-cert.js'));
const handler = (req) => (new URL(req.url).pathname === '/hello' ? new Response('hello over SPDY') : new Response(req.body));
const plainServer = serve({ port: 0, hostname: '127.0.0.1', plain: true }, handler);
const tlsServer = serve({ port: 0, hostname: '127.0.0.1', cert, key }, handler);
await Promise.all([plainServer.ready, tlsServer.ready]);
const servers = JSON.stringify({ plainPort: plainServer.port, tlsPort: tlsServer.port, ca: cert });

let passed = 0;
let failed = 0;
function report(runtime, results) {
  for (const r of results) {
    if (r.ok) {
      passed++;
      console.log(`  ✓ ${runtime}: ${r.name}`);
    } else {
      failed++;
      console.log(`  ✘ ${runtime}: ${r.name}\n${String(r.error).trim().replace(/^/gm, '      ')}`);
    }
  }
}
const failure = (name, error) => [{ name, ok: false, error }];

/** Runs a command to its end (or `timeoutMs`); resolves with its output. */
function exec(cmd, args, { timeoutMs = 120_000, env = {} } = {}) {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => (err += String(e)));
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, out, err });
    });
  });
}

/** The results a child printed as "RESULTS <json>", or one failure saying why there are none. */
function resultsOf(label, { code, out, err }) {
  const line = out.split('\n').find((l) => l.startsWith('RESULTS '));
  if (!line) return failure(`${label} ran`, `exit ${code}, no results\n${out}${err}`.slice(0, 3000));
  const results = JSON.parse(line.slice(8));
  if (code !== 0) results.push({ name: `${label} exits 0`, ok: false, error: `exit ${code}\n${err}`.slice(0, 3000) });
  return results;
}

// A 2 MiB text for spdycat to POST to the echo server: the Node adapters on another
// runtime's node:net read it back through lent socket reads, one buffer read into again.
const echoFile = join(work, 'echo.txt');
let echoText = '';
for (let i = 0; echoText.length < 2 << 20; i++) echoText += `line ${i} ${'x'.repeat(i % 97)}\n`;
writeFileSync(echoFile, echoText);

/** spdycat run by `cmd args…` POSTs the 2 MiB text and must print it back whole, exiting 0. */
async function spdycatEcho(runtime, cmd, args) {
  const name = `spdycat (the Node adapters on ${runtime}'s node:net) POSTs 2 MiB and prints it back whole`;
  const run = await exec(cmd, [...args, join(root, 'bin/spdycat.mjs'), '-d', echoFile, `http://127.0.0.1:${plainServer.port}/echo`]);
  const ok = run.code === 0 && run.out === echoText;
  return { name, ok, error: ok ? undefined : `exit ${run.code}, printed ${run.out.length} of ${echoText.length} bytes\n${run.err}`.slice(0, 3000) };
}

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

async function bundle(entry, options) {
  const esbuild = await import('esbuild');
  const out = join(work, `${options.format}-${Date.now()}.js`);
  await esbuild.build({ entryPoints: [join(here, entry)], bundle: true, outfile: out, logLevel: 'error', ...options });
  return out;
}

const runtimes = [
  {
    name: 'node',
    available: () => true,
    run: async () => resultsOf('node', await exec(process.execPath, [join(here, 'entry.mjs')])),
  },
  {
    name: 'deno',
    available: () => existsSync(binary('deno')) || 'npm package "deno" (a devDependency) is not installed',
    run: async () => {
      const env = { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
      const deno = (...args) => exec(binary('deno'), ['run', '--no-lock', '--quiet', ...args], { env });
      return [
        ...resultsOf('deno', await deno(join(here, 'entry.mjs'))),
        ...resultsOf('deno sockets', await deno('--allow-net=127.0.0.1,localhost', join(here, 'sockets-deno.mjs'), servers)),
        await spdycatEcho('Deno', binary('deno'), ['run', '--no-lock', '--quiet', '-A']),
      ];
    },
  },
  {
    name: 'bun',
    available: () => existsSync(binary('bun')) || 'npm package "bun" (a devDependency) is not installed',
    run: async () => [
      ...resultsOf('bun', await exec(binary('bun'), ['run', join(here, 'entry.mjs')])),
      ...resultsOf('bun sockets', await exec(binary('bun'), ['run', join(here, 'sockets-bun.mjs'), servers])),
      await (async () => {
        // Bun's sockets emit 'end' after destroy(); socketToWeb must not fail the tool for it.
        const name = 'spdycat (the Node adapters on Bun\'s node:net) prints the body and exits 0';
        const run = await exec(binary('bun'), [join(root, 'bin/spdycat.mjs'), `http://127.0.0.1:${plainServer.port}/hello`]);
        const ok = run.code === 0 && run.out === 'hello over SPDY';
        return { name, ok, error: ok ? undefined : `exit ${run.code}, printed ${JSON.stringify(run.out)}\n${run.err}` };
      })(),
      await spdycatEcho('Bun', binary('bun'), []),
    ],
  },
  {
    name: 'workerd',
    available: () => existsSync(binary('workerd')) || 'npm package "workerd" (a devDependency) is not installed',
    run: async () => {
      const script = await bundle('worker.mjs', { format: 'esm', platform: 'neutral', conditions: ['workerd', 'worker', 'browser'], external: ['cloudflare:*'] });
      const port = await freePort();
      const config = join(work, 'config.capnp');
      writeFileSync(config, `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # Sockets may reach the loopback interface, where the Node server is.
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "${basename(script)}") ],
  compatibilityDate = "2024-09-23",
);
`);
      const child = spawn(binary('workerd'), ['serve', config], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
      let log = '';
      child.stdout.on('data', (d) => (log += d));
      child.stderr.on('data', (d) => (log += d));
      try {
        for (let i = 0; ; i++) {
          try {
            const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(120_000) });
            const results = await res.json();
            const sockets = await fetch(`http://127.0.0.1:${port}/sockets?port=${plainServer.port}`, { signal: AbortSignal.timeout(60_000) });
            return [...results, ...(await sockets.json())];
          } catch (err) {
            if (i >= 50 || child.exitCode !== null) return failure('workerd answered', `${err}\n${log}`.slice(0, 3000));
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      } finally {
        child.kill();
      }
    },
  },
  {
    name: 'chromium',
    available: () => existsSync(CHROMIUM) || `${CHROMIUM} is missing (Debian package "chromium"; .ci/run installs it)`,
    run: async () => {
      const script = await bundle('browser.mjs', { format: 'iife', platform: 'browser' });
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: LAUNCH.args,
      });
      try {
        const page = await browser.newPage();
        await page.addScriptTag({ path: script });
        return await page.evaluate(() => globalThis.conformance);
      } finally {
        await browser.close();
      }
    },
  },
];

console.log('runtimes');
for (const runtime of runtimes) {
  const available = runtime.available();
  if (available !== true) {
    console.log(`  - ${runtime.name}: skipped, ${available}`);
    continue;
  }
  try {
    report(runtime.name, await runtime.run());
  } catch (err) {
    report(runtime.name, failure('ran', err?.stack ?? String(err)));
  }
}
await Promise.all([plainServer.close(), tlsServer.close()]);
rmSync(work, { recursive: true, force: true });
console.log(`runtimes: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
