/**
 * The built command-line tools against each other: spdyd serving a
 * directory, spdycat fetching from it, over TLS and cleartext SPDY.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEV_ONLY_LOCALHOST_CERT, DEV_ONLY_LOCALHOST_KEY } from '../../src/node/http/dev-only-localhost-cert.js';

const root = process.cwd();
const SPDYCAT = resolve(root, 'bin/spdycat.mjs');
const SPDYD = resolve(root, 'bin/spdyd.mjs');

const dir = mkdtempSync(join(tmpdir(), 'spdy-cli-'));
const docroot = join(dir, 'htdocs');
mkdirSync(join(docroot, 'sub'), { recursive: true });
writeFileSync(join(docroot, 'hello.txt'), 'hello spdy\n');
writeFileSync(join(docroot, 'sub', 'index.html'), '<p>index</p>\n');
const big = Buffer.alloc(300_000, 'abcdefghij');
writeFileSync(join(docroot, 'big.bin'), big);
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');
writeFileSync(certFile, DEV_ONLY_LOCALHOST_CERT);
writeFileSync(keyFile, DEV_ONLY_LOCALHOST_KEY);

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd = dir): Promise<Result> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [SPDYCAT, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

interface Daemon {
  child: ChildProcess;
  port: number;
  stderr: () => string;
  stdout: () => string;
}

function startSpdyd(args: string[]): Promise<Daemon> {
  return new Promise((ready, fail) => {
    const child = spawn(process.execPath, [SPDYD, '-d', docroot, ...args, '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') },
    });
    let stderr = '';
    let stdout = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => {
      stderr += d;
      const port = /listening on port (\d+)/.exec(stderr)?.[1];
      if (port) ready({ child, port: Number(port), stderr: () => stderr, stdout: () => stdout });
    });
    child.on('close', (code) => fail(new Error(`spdyd exited ${code}: ${stderr}`)));
  });
}

function stop(d: Daemon): Promise<number | null> {
  return new Promise((done) => {
    d.child.removeAllListeners('close');
    d.child.on('close', (code) => done(code));
    d.child.kill('SIGTERM');
  });
}

const tls = suite('spdycat against spdyd over TLS');
let daemon: Daemon;
tls.before(async () => {
  daemon = await startSpdyd(['--cert', certFile, '--key', keyFile]);
});
tls.after(async () => {
  assert.is(await stop(daemon), 0, 'spdyd ends cleanly on SIGTERM');
});

tls('fetches a file to standard output and exits 0', async () => {
  const r = await run(['--ca', certFile, `https://localhost:${daemon.port}/hello.txt`]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'hello spdy\n');
});

tls('-v traces the frames in spdylay\'s format', async () => {
  const r = await run(['-v', '--ca', certFile, `https://localhost:${daemon.port}/hello.txt`]);
  assert.is(r.code, 0, r.stderr);
  const out = r.stdout;
  assert.match(out, /^\[\s*\d+\.\d{3}\] Handshake complete\n {10}ALPN selected the protocol: spdy\/3\.1\n/m);
  assert.match(out, /^\[\s*\d+\.\d{3}\] send SYN_STREAM frame <version=3, flags=1, length=\d+>\n {10}\(stream_id=1, assoc_stream_id=0, pri=3\)\n/m);
  assert.match(out, /^ {10}:method: GET$/m);
  assert.match(out, /^ {10}:path: \/hello\.txt$/m);
  assert.match(out, /^\[\s*\d+\.\d{3}\] recv SYN_REPLY frame <version=3, flags=0, length=\d+>\n {10}\(stream_id=1\)\n {10}:status: 200 OK$/m);
  assert.match(out, /^ {10}content-type: text\/plain; charset=utf-8$/m);
  assert.match(out, /^\[\s*\d+\.\d{3}\] recv DATA frame \(stream_id=1, flags=\d, length=\d+\)$/m);
  assert.match(out, /^\[\s*\d+\.\d{3}\] send GOAWAY frame <version=3, flags=0, length=8>$/m);
  assert.ok(out.includes('hello spdy\n'));
});

tls('a missing file is a 404 HTML page, which is not a failure', async () => {
  const out = join(dir, 'missing.html');
  const r = await run(['--ca', certFile, '-o', out, `https://localhost:${daemon.port}/nope.txt`]);
  assert.is(r.code, 0, r.stderr);
  assert.match(readFileSync(out, 'utf8'), /<h1>404 Not Found<\/h1>/);
});

tls('a directory serves its index.html; -O saves under the URL\'s basename', async () => {
  const r = await run(['--ca', certFile, '-O', `https://localhost:${daemon.port}/sub/`, `https://localhost:${daemon.port}/big.bin`]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '');
  assert.is(readFileSync(join(dir, 'index.html'), 'utf8'), '<p>index</p>\n');
  assert.ok(readFileSync(join(dir, 'big.bin')).equals(big));
});

tls('-m repeats a URL on one session and -s prints statistics; -n discards the bodies', async () => {
  const r = await run(['--ca', certFile, '-n', '-s', '-m', '3', `https://localhost:${daemon.port}/big.bin`]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\*\*\*\*\* Statistics \*\*\*\*\*$/m);
  for (const n of [1, 2, 3]) assert.match(r.stdout, new RegExp(`^#${n}: https://localhost:${daemon.port}/big.bin$`, 'm'));
  assert.is(r.stdout.match(/Status: 200 OK/g)?.length, 3);
  assert.is(r.stdout.match(new RegExp(`Bytes: ${big.length}`, 'g'))?.length, 3);
  assert.not.ok(r.stdout.includes('abcdefghij'));
});

tls('-d POSTs a file and -H adds a header', async () => {
  const data = join(dir, 'post.bin');
  writeFileSync(data, Buffer.alloc(100_000, 1));
  const r = await run(['-v', '--ca', certFile, '-d', data, '-H', 'X-Test: yes', `https://localhost:${daemon.port}/hello.txt`]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /send SYN_STREAM frame <version=3, flags=0, /);
  assert.match(r.stdout, /^ {10}:method: POST$/m);
  assert.match(r.stdout, /^ {10}x-test: yes$/m);
  assert.match(r.stdout, /send DATA frame \(stream_id=1, flags=1, /);
  assert.ok(r.stdout.includes('hello spdy\n'));
});

tls('an untrusted certificate fails unless -k is given', async () => {
  const url = `https://localhost:${daemon.port}/hello.txt`;
  const refused = await run([url]);
  assert.is(refused.code, 1);
  const insecure = await run(['-k', url]);
  assert.is(insecure.code, 0, insecure.stderr);
  assert.is(insecure.stdout, 'hello spdy\n');
});

tls('-w sets the stream window we announce, -W the SPDY/3.1 connection window', async () => {
  const r = await run(['-v', '-w', '18', '-W', '20', '--ca', certFile, `https://localhost:${daemon.port}/hello.txt`]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /send SETTINGS frame <version=3, flags=0, length=\d+>\n {10}\(niv=\d+\)\n(?: {10}\[\d+\(0\):\d+\]\n)* {10}\[7\(0\):262144\]$/m);
  // The connection window starts at 64 KiB: 2^20 needs 983040 more.
  assert.match(r.stdout, /send WINDOW_UPDATE frame <version=3, flags=0, length=8>\n {10}\(stream_id=0, delta_window_size=983040\)$/m);
  const bad = await run(['-w', '31', `https://localhost:${daemon.port}/`]);
  assert.is(bad.code, 2);
});

tls.run();

const plain = suite('spdycat against spdyd in cleartext');

plain('a SPDY/2 client is recognised by a server that speaks SPDY/3.1', async () => {
  const d = await startSpdyd(['--no-tls', '-v']);
  try {
    const r = await run(['--no-tls', '-2', '-v', `http://127.0.0.1:${d.port}/hello.txt`]);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /send SYN_STREAM frame <version=2, /);
    assert.match(r.stdout, /recv SYN_REPLY frame <version=2, /);
    assert.ok(r.stdout.includes('hello spdy\n'));
  } finally {
    await stop(d);
  }
  assert.match(d.stderr(), /listening on port \d+ \(cleartext spdy\/3\.1\)/);
});

plain('-3.1 and --spdy3-1 are synonyms; --upgrade goes through HTTP/1.1 Upgrade', async () => {
  const d = await startSpdyd(['--no-tls']);
  try {
    for (const flags of [['-3.1'], ['--spdy3-1'], ['--upgrade']]) {
      const r = await run(['--no-tls', ...flags, `http://127.0.0.1:${d.port}/hello.txt`]);
      assert.is(r.code, 0, `${flags}: ${r.stderr}`);
      assert.is(r.stdout, 'hello spdy\n');
    }
  } finally {
    await stop(d);
  }
});

plain('a connection that cannot be made exits 1; a bad option exits 2', async () => {
  const d = await startSpdyd(['--no-tls']);
  const port = d.port;
  await stop(d);
  const r = await run(['--no-tls', `http://127.0.0.1:${port}/`]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /spdycat: /);
  const bad = await run(['--frobnicate', 'http://x/']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /unknown option --frobnicate/);
});

plain('spdyd without a certificate uses a self-signed localhost one that spdycat -k accepts', async () => {
  const d = await startSpdyd([]);
  try {
    assert.match(d.stderr(), /self-signed one for localhost \((generated|cached|shipped); development only\)/);
    const r = await run(['-k', `https://localhost:${d.port}/hello.txt`]);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, 'hello spdy\n');
  } finally {
    await stop(d);
  }
});

const SPDYLAY_TRACES = join(root, 'tests', 'fixtures', 'spdylay');

/**
 * A trace line reduced to its shape: times, numbers, header names and
 * values, frame types and body text made generic.
 */
function shapeOf(line: string): string {
  if (!line.startsWith('[') && !line.startsWith(' ')) return 'BODY';
  return line
    .replace(/^\[\s*\d+\.\d{3}\]/, '[T]')
    .replace(/^(\[T\]) (send|recv) [A-Z_]+ frame/, '$1 DIR TYPE frame')
    .replace(/^ {10}:?[a-z0-9-]+: .*$/, '          NAME: VALUE')
    .replace(/\d+/g, 'N');
}

/** What spdylay prints for the frames its captures do not show (its printer's formats). */
const SPDYLAY_OTHER_SHAPES = [
  '          (stream_id=N, delta_window_size=N)',
  '          (stream_id=N, status_code=N)',
  '          (unique_id=N)',
];

for (const [flag, capture] of [['-2', 'TRACE-v2.txt'], ['-3', 'TRACE-v3.txt'], ['--spdy3-1', 'TRACE-v31.txt']] as const) {
  plain(`${flag} -v prints every line in a shape spdylay's spdycat prints, and all the shapes of its ${capture}`, async () => {
    const theirs = readFileSync(join(SPDYLAY_TRACES, capture), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    const theirShapes = new Set(theirs.map(shapeOf));
    const d = await startSpdyd(['--no-tls', flag]);
    try {
      const r = await run(['--no-tls', flag, '-v', `http://127.0.0.1:${d.port}/hello.txt`]);
      assert.is(r.code, 0, r.stderr);
      const ours = r.stdout.split('\n').filter((l) => l !== '');
      assert.is(shapeOf(ours[0]!), '[T] Handshake complete', 'the first line, as spdylay has it');
      const known = new Set([...theirShapes, ...SPDYLAY_OTHER_SHAPES]);
      for (const line of ours) assert.ok(known.has(shapeOf(line)), `a line spdylay would not print: ${JSON.stringify(line)}`);
      const ourShapes = new Set(ours.map(shapeOf));
      for (const shape of theirShapes) assert.ok(ourShapes.has(shape), `missing a line like ${JSON.stringify(shape)}`);
      const version = flag === '-2' ? 2 : 3;
      assert.match(r.stdout, new RegExp(`send SYN_STREAM frame <version=${version}, flags=1, `));
      // Only SPDY/3.1 has a connection window to open.
      assert.is(/send WINDOW_UPDATE frame <[^>]*>\n {10}\(stream_id=0,/.test(r.stdout), flag === '--spdy3-1');
    } finally {
      await stop(d);
    }
  });
}

plain('spdyd -v traces each connection\'s frames; its version flag is the only one it speaks over TLS', async () => {
  const d = await startSpdyd(['-v', '-2', '--cert', certFile, '--key', keyFile]);
  try {
    const r = await run(['-v', '--ca', certFile, `https://localhost:${d.port}/hello.txt`]);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /ALPN selected the protocol: spdy\/2$/m);
    assert.match(r.stdout, /send SYN_STREAM frame <version=2, /);
    assert.is(r.stdout.split('\n').filter((l) => !l.startsWith('[') && !l.startsWith(' ')).join(''), 'hello spdy');
    const refused = await run(['-3', '--ca', certFile, `https://localhost:${d.port}/hello.txt`]);
    assert.is(refused.code, 1, 'a client that wants only SPDY/3 finds no common protocol');
  } finally {
    await stop(d);
  }
  const served = d.stdout();
  assert.match(served, /recv SYN_STREAM frame <version=2, flags=1, length=\d+>/);
  assert.match(served, /send SYN_REPLY frame <version=2, flags=0, length=\d+>/);
  assert.match(served, /send DATA frame \(stream_id=1, flags=\d, length=\d+\)/);
});

plain.after(() => rmSync(dir, { recursive: true, force: true }));
plain.run();
