/**
 * Port-forward with `transport: 'websocket'` in headless Chromium: a page
 * loads the browser ES module build of `spdy-streams/kubernetes` (the file
 * package.json's `browser` condition names, pako through an import map),
 * and runs port-forward over the browser's own WebSocket, through the
 * WebSocket bridge, to the spdystream kubelet stand-in and an echo server.
 * The token goes as the bearer subprotocol, which the bridge decodes and
 * the kubelet checks.
 *
 * A browser refuses the API server's subprotocol name
 * (`SPDY/3.1+portforward.k8s.io`: no `/` is allowed in one), so the page
 * checks that this fails at once with `InvalidArgumentError`, then tunnels
 * under a name the bridge also accepts (`webSocketProtocol`), as a proxy
 * of one's own in front of the API server would.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { ERR_INVALID_ARGUMENT } from '../../src/base/constants.js';
import { bearerTokenProtocol } from '../../src/kubernetes/websocket-protocols.js';
import { available, goSpdystream, type Peer } from './peers.js';
import { startBridgeRig, type Bridge, type BridgeRig } from './websocket-bridge.js';

const TOKEN = 'browser-test-token';
/** The tunnel's name at the bridge where a browser cannot offer the API server's. */
const BROWSER_TUNNEL = 'SPDY-3.1.portforward.bridge.test';
/** Debian's Chromium and the flags every browser test launches it with (shared with tests/runtimes). */
const LAUNCH = JSON.parse(readFileSync(join(process.cwd(), 'tests/peers/chromium/launch.json'), 'utf8')) as { executable: string; args: string[] };
const CHROMIUM = process.env.CHROMIUM_PATH ?? LAUNCH.executable;
const root = process.cwd();

/** The browser ES module entry of `spdy-streams/kubernetes`, as package.json's exports name it. */
function browserEntry(): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, { browser: { import: { default: string } } }>;
  };
  return pkg.exports['./kubernetes']!.browser.import.default.replace(/^\.\//, '/');
}

/** pako's ES module, as its package.json's exports name it. */
function pakoModule(): string {
  const pkg = JSON.parse(readFileSync(join(root, 'node_modules/pako/package.json'), 'utf8')) as { exports: { '.': { import: string } } };
  return join(root, 'node_modules/pako', pkg.exports['.'].import);
}

/** The page and the modules it loads: dist/esm and pako, nothing else. */
function files(path: string): { body: string | Uint8Array; type: string } | null {
  if (path === '/') {
    return {
      type: 'text/html',
      body: `<!doctype html><meta charset="utf-8"><title>port-forward over WebSocket</title>
<script type="importmap">{ "imports": { "pako": "/pako.mjs" } }</script>
<script type="module">
  import * as k8s from '${browserEntry()}';
  globalThis.k8s = k8s;
</script>`,
    };
  }
  if (path === '/pako.mjs') return { type: 'text/javascript', body: readFileSync(pakoModule()) };
  const file = normalize(join(root, path));
  if (!file.startsWith(join(root, 'dist', 'esm') + sep) || !file.endsWith('.js') || !existsSync(file)) return null;
  return { type: 'text/javascript', body: readFileSync(file) };
}

interface Context {
  peer: Peer;
  bridge: Bridge;
  silentBridge: Bridge;
  rig: BridgeRig;
  echoPort: number;
}

const test = suite<Context>('port-forward over WebSocket in headless Chromium');

function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `port-forward over WebSocket in a browser: ${CHROMIUM} is missing (Debian package "chromium")`;
  if (process.env.CI) throw new Error(message);
  console.log(`skipped ${message}`);
  return false;
}

if (available(goSpdystream, 'Kubernetes port-forward over WebSocket in a browser') && chromiumAvailable()) {
  test.before(async (ctx) => {
    // The silent bridge opens the WebSocket but names no subprotocol.
    const rig = await startBridgeRig(TOKEN, { tunnelProtocols: ['SPDY/3.1+portforward.k8s.io', BROWSER_TUNNEL], files }, { tunnelProtocols: [BROWSER_TUNNEL] });
    Object.assign(ctx, { rig, peer: rig.peer, bridge: rig.bridge, silentBridge: rig.silentBridge, echoPort: rig.echo.port });
  });

  test.after((ctx) => ctx.rig.close());

  test('the page tunnels port-forward through its WebSocket with the token as a subprotocol', async ({ bridge, silentBridge, peer, echoPort }) => {
    const { chromium } = await import('playwright-core');
    // playwright gives each launch a fresh, temporary profile.
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: LAUNCH.args,
    });
    try {
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      await page.goto(`http://127.0.0.1:${bridge.port}/`);
      await page.waitForFunction(() => 'k8s' in globalThis, undefined, { timeout: 30_000 }).catch(() => {
        throw new Error(`the library did not load in the page: ${pageErrors.join('\n')}`);
      });
      const server = `http://127.0.0.1:${bridge.port}`;
      const results = await page.evaluate(async ({ server, silentServer, token, echoPort, tunnel }) => {
        type Lib = typeof import('../../src/kubernetes/index.js');
        const { kubePortForward, KubeError } = (globalThis as unknown as { k8s: Lib }).k8s;
        const target = { server, namespace: 'default', pod: 'web-0', token };

        // The API server's name: the browser's WebSocket refuses it.
        const refused = await kubePortForward(target, { transport: 'websocket' }).then(
          () => null,
          (e: { code?: number; name?: string; cause?: { name?: string } }) => ({ code: e.code, name: e.name, cause: e.cause?.name }),
        );

        // Under the bridge's other name: 4 MiB through the echo server and back.
        const pf = await kubePortForward(target, { transport: 'websocket', webSocketProtocol: tunnel });
        const conn = await pf.open(echoPort);
        const sent = new Uint8Array(4 * 1024 * 1024);
        for (let off = 0; off < sent.length; off += 65536) crypto.getRandomValues(sent.subarray(off, off + 65536));
        const writing = (async () => {
          const w = conn.writable.getWriter();
          for (let off = 0; off < sent.length; off += 100_000) await w.write(sent.slice(off, off + 100_000));
          await w.close();
        })();
        const got = new Uint8Array(sent.length);
        let n = 0;
        let same = true;
        for await (const chunk of conn.readable) {
          if (n + chunk.length > got.length) {
            same = false;
            break;
          }
          got.set(chunk, n);
          n += chunk.length;
        }
        await writing;
        for (let i = 0; same && i < sent.length; i++) if (got[i] !== sent[i]) same = false;
        const connError = await conn.error;
        await pf.close();

        // A wrong token: the handshake fails, and a browser cannot see the status.
        const wrong = await kubePortForward({ ...target, token: 'wrong' }, { transport: 'websocket', webSocketProtocol: tunnel }).then(
          () => null,
          (e: unknown) => ({ kube: e instanceof KubeError, status: (e as { status?: number }).status }),
        );

        // A server that opens the WebSocket without choosing the tunnel's subprotocol.
        const unchosen = await kubePortForward({ ...target, server: silentServer }, { transport: 'websocket', webSocketProtocol: tunnel }).then(
          () => null,
          (e: unknown) => ({ kube: e instanceof KubeError, status: (e as { status?: number }).status }),
        );
        return { refused, echoed: n, same, connError, wrong, unchosen };
      }, { server, silentServer: `http://127.0.0.1:${silentBridge.port}`, token: TOKEN, echoPort, tunnel: BROWSER_TUNNEL });

      assert.equal(results.refused, { code: ERR_INVALID_ARGUMENT, name: 'InvalidArgumentError', cause: 'SyntaxError' });
      assert.is(results.echoed, 4 * 1024 * 1024);
      assert.ok(results.same, 'the echo matches what was sent');
      assert.is(results.connError, null);
      assert.equal(results.wrong, { kube: true, status: 0 });
      // Chromium itself fails a handshake whose answer names none of the offered subprotocols.
      assert.equal(results.unchosen, { kube: true, status: 0 });
      assert.is(silentBridge.requests.length, 1);
      assert.equal(pageErrors, []);

      // What the bridge saw of the two handshakes that reached it.
      const [tunnelled, wrong] = bridge.requests.slice(-2);
      assert.equal(tunnelled!.protocols, [BROWSER_TUNNEL, bearerTokenProtocol(TOKEN)]);
      assert.is(tunnelled!.subprotocolToken, TOKEN);
      assert.is(tunnelled!.authorization, undefined);
      assert.is(tunnelled!.method, 'GET');
      assert.is(wrong!.subprotocolToken, 'wrong');
      assert.ok(bridge.relayed.toKubelet > 4 * 1024 * 1024);
      const forward = await peer.next('forward', (e) => Number(e.port) === echoPort);
      assert.ok(forward);
    } finally {
      await browser.close();
    }
  });
}

test.run();
