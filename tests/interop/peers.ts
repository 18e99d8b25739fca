/**
 * Real SPDY peers for the interop tests: small programs under tests/peers
 * built at test time with the toolchains and libraries Debian packages, then
 * run as child processes that print what they see as one JSON object per line.
 *
 * Builds are cached under the OS temp directory, keyed by a hash of the
 * sources, so only the first run pays for them. When a toolchain is missing
 * the tests are not registered (one line says what was skipped and what to
 * install), except under CI, where a missing toolchain fails the run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';

/** A peer silent this long while a test waits on it is taken to be stuck. */
const STALL_MS = 30_000;

/** What a peer printed: `{ event: name, ...fields }`. */
export type PeerEvent = { readonly event: string } & Record<string, unknown>;

export interface Toolchain {
  /** Human name, for the skip line. */
  readonly name: string;
  /** Debian packages that provide it. */
  readonly packages: readonly string[];
  /** Why it cannot be used here, or null when it can. */
  readonly missing: string | null;
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

const GOPATH = '/usr/share/gocode';
const SPDYSTREAM = `${GOPATH}/src/github.com/moby/spdystream`;
const JAVA_DIR = '/usr/share/java';

export const goSpdystream: Toolchain = {
  name: "Go's spdystream",
  packages: ['golang-go', 'golang-github-docker-spdystream-dev'],
  missing: !onPath('go') ? 'no go on PATH' : !existsSync(SPDYSTREAM) ? `no ${SPDYSTREAM}` : null,
};

function nettyJars(): string[] {
  if (!existsSync(JAVA_DIR)) return [];
  const wanted = ['netty-buffer', 'netty-codec', 'netty-codec-http', 'netty-common', 'netty-handler', 'netty-resolver', 'netty-transport'];
  const jars = wanted.map((n) => join(JAVA_DIR, `${n}.jar`)).filter((p) => existsSync(p));
  // Debian's Netty depends on JCTools for its queues; it falls back to the JDK's without it.
  const jctools = join(JAVA_DIR, 'jctools-core.jar');
  return existsSync(jctools) ? [...jars, jctools] : jars;
}

export const nettySpdy: Toolchain = {
  name: "Netty's codec-spdy",
  packages: ['libnetty-java', 'default-jdk-headless'],
  missing: !onPath('javac') || !onPath('java') ? 'no javac/java on PATH'
    : nettyJars().length < 7 ? `no Netty 4.1 jars in ${JAVA_DIR}` : null,
};

/**
 * Whether the tests of `toolchain` can run. Not available: under CI
 * (`process.env.CI`) this throws; elsewhere it prints one line and returns false.
 */
export function available(toolchain: Toolchain, what: string): boolean {
  if (toolchain.missing === null) return true;
  const message = `${what}: ${toolchain.name} not available (${toolchain.missing}); ` +
    `install the Debian packages ${toolchain.packages.join(' ')}`;
  if (process.env.CI) throw new Error(`CI needs the interop peers. ${message}`);
  console.log(`skipped ${message}`);
  return false;
}

function hashOf(files: readonly string[], extra: string): string {
  const h = createHash('sha256').update(extra);
  for (const f of files) h.update(f).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** Builds into a fresh directory and moves it into place whole: a half-built cache entry is never seen. */
function cached(kind: string, sources: readonly string[], toolVersion: string, build: (outDir: string) => void): string {
  const root = join(tmpdir(), 'spdy-streams-interop-peers');
  const dir = join(root, `${kind}-${hashOf(sources, toolVersion)}`);
  if (existsSync(dir)) return dir;
  mkdirSync(root, { recursive: true });
  const work = `${dir}.${process.pid}.tmp`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    build(work);
    renameSync(work, dir);
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    if (!existsSync(dir)) throw err;
  }
  return dir;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(command, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}${r.stdout}`);
  }
  return r.stdout.trim();
}

/** A Go peer's executable (tests/peers/<name>/main.go, built against Debian's spdystream). */
function buildGoPeer(name: string): string {
  const source = join(process.cwd(), `tests/peers/${name}/main.go`);
  const version = run('go', ['version'], {});
  const dir = cached(name, [source], version, (out) => {
    // GOPATH mode with Debian's packaged sources: nothing is downloaded.
    run('go', ['build', '-o', join(out, 'peer'), source], {
      GOPATH, GO111MODULE: 'off', GOFLAGS: '', GOPROXY: 'off', GOCACHE: join(out, '..', 'go-build-cache'),
    });
  });
  return join(dir, 'peer');
}

/** The spdystream peer's executable (tests/peers/spdystream). */
export function buildSpdystreamPeer(): string {
  return buildGoPeer('spdystream');
}

/** The kubelet stand-in's executable (tests/peers/kubelet). */
export function buildKubeletPeer(): string {
  return buildGoPeer('kubelet');
}

/** The Netty peer's class directory and class path (tests/peers/netty). */
export function buildNettyPeer(): { readonly classPath: string } {
  const srcDir = join(process.cwd(), 'tests/peers/netty');
  const sources = readdirSync(srcDir).filter((f) => f.endsWith('.java')).sort().map((f) => join(srcDir, f));
  const jars = nettyJars();
  const version = spawnSync('javac', ['-version'], { encoding: 'utf8' });
  const dir = cached('netty', sources, `${version.stdout}${version.stderr}${jars.join(':')}`, (out) => {
    run('javac', ['-nowarn', '-d', out, '-cp', jars.join(':'), ...sources], {});
  });
  return { classPath: [dir, ...jars].join(':') };
}

/**
 * A running peer: its events as they come, and its end. `next` waits for
 * the first event (not yet taken) that matches; a peer that exits or prints
 * a `fatal` event first fails the wait with everything it printed.
 */
export class Peer {
  readonly events: PeerEvent[] = [];
  private readonly lines: string[] = [];
  private stderr = '';
  private readonly taken = new Set<number>();
  private waiters: Array<() => void> = [];
  private exitCode: number | null | undefined = undefined;
  readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.lines.push(line);
      if (line.startsWith('{')) this.events.push(JSON.parse(line) as PeerEvent);
      this.wake();
    });
    child.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        // stdout may still hold lines: let readline drain before the exit counts.
        setImmediate(() => {
          this.exitCode = code;
          this.wake();
          resolve(code);
        });
      });
    });
  }

  static start(command: string, args: readonly string[]): Peer {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    return new Peer(child);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Everything the peer printed so far, for failure messages. */
  transcript(): string {
    return `stdout:\n${this.lines.join('\n')}\nstderr:\n${this.stderr}`;
  }

  /** Waits for a line of stdout matching `re` (the peers' "listening <port>"). */
  async line(re: RegExp): Promise<RegExpExecArray> {
    for (;;) {
      for (const l of this.lines) {
        const m = re.exec(l);
        if (m) return m;
      }
      await this.changed(`a line matching ${re}`);
    }
  }

  /** The first event not yet taken named `name` and matching `where`. */
  async next(name: string, where: (e: PeerEvent) => boolean = () => true): Promise<PeerEvent> {
    for (;;) {
      for (let i = 0; i < this.events.length; i++) {
        const e = this.events[i]!;
        if (e.event === 'fatal') throw new Error(`the peer failed: ${String(e.error)}\n${this.transcript()}`);
        if (!this.taken.has(i) && e.event === name && where(e)) {
          this.taken.add(i);
          return e;
        }
      }
      await this.changed(`event ${name}`);
    }
  }

  /** Every event named `name` so far. */
  all(name: string): PeerEvent[] {
    return this.events.filter((e) => e.event === name);
  }

  /**
   * Resolves at the peer's next line or exit. A peer silent for
   * `STALL_MS` fails the wait, so that a hung exchange ends the test with
   * the transcript rather than hanging the suite.
   */
  private changed(what: string): Promise<void> {
    if (this.exitCode !== undefined) {
      return Promise.reject(new Error(`the peer exited (${this.exitCode}) before ${what}\n${this.transcript()}`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error(`the peer said nothing for ${STALL_MS / 1000} s while we waited for ${what}\n${this.transcript()}`));
      }, STALL_MS);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(done);
    });
  }

  /** Closes the peer's stdin (its signal to end) and waits for it to exit. */
  async stop(): Promise<number | null> {
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
