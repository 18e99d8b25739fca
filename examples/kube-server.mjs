// A pretend Kubernetes API server that the real kubectl talks to: every pod
// is this machine. `kubectl exec` runs the command here, `kubectl attach`
// echoes, `kubectl port-forward` connects to 127.0.0.1. Usage:
//   node examples/kube-server.mjs [PORT]
// (npm run build first), then, with the kubeconfig it prints:
//   KUBECONFIG=... kubectl exec -i any-pod -- sh -c 'cat; exit 3'
//   KUBECONFIG=... kubectl port-forward any-pod 8080:22
// kubectl 1.31 and up come over WebSocket (with the ws package installed;
// without it they fall back to SPDY); KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false
// and KUBECTL_PORT_FORWARD_WEBSOCKETS=false make them use SPDY.
// Exec runs whatever it is asked: keep it on the loopback interface.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { kubeUpgradeHandler } from '../dist/esm/node/kubernetes/index.js';
import { socketToWeb } from '../dist/esm/node/index.js';

const upgrade = kubeUpgradeHandler({
  // The context mirrors kubeExec's result: stdin readable, stdout/stderr writable.
  async exec({ request, stdin, stdout, stderr }) {
    const [program, ...args] = request.command;
    const child = spawn(program, args, { stdio: 'pipe' });
    child.stdin.on('error', () => {});
    if (stdin) stdin.pipeTo(Writable.toWeb(child.stdin)).catch(() => {});
    else child.stdin.end();
    const copies = [[child.stdout, stdout], [child.stderr, stderr]]
      .map(([from, to]) => (to ? Readable.toWeb(from).pipeTo(to) : from.resume()));
    const [code] = await Promise.all([new Promise((r, j) => child.on('close', r).on('error', j)), ...copies]);
    return code ?? -1; // kubectl exits with it
  },
  async attach({ stdin, stdout, resize }) {
    if (resize) (async () => { for await (const s of resize) console.log(`terminal ${s.width}x${s.height}`); })().catch(() => {});
    if (stdin && stdout) await stdin.pipeTo(stdout);
  },
  async portForward(conn) {
    const socket = connect({ host: '127.0.0.1', port: conn.port, allowHalfOpen: true });
    await new Promise((r, j) => socket.once('connect', r).once('error', j)); // thrown: kubectl prints it
    const local = socketToWeb(socket);
    await Promise.all([conn.readable.pipeTo(local.writable), local.readable.pipeTo(conn.writable)]).catch(() => socket.destroy());
  },
});

// What kubectl reads before it upgrades: the version, discovery, and the pod (Running).
function answer(req, res) {
  const path = new URL(req.url, 'http://x').pathname;
  const pod = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(path);
  const body = path === '/version' ? { major: '1', minor: '32', gitVersion: 'v1.32.0' }
    : path === '/api' ? { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] }
    : path === '/apis' ? { kind: 'APIGroupList', apiVersion: 'v1', groups: [] }
    : path === '/api/v1' ? { kind: 'APIResourceList', groupVersion: 'v1', resources: ['pods', 'pods/exec', 'pods/attach', 'pods/portforward']
      .map((name) => ({ name, singularName: name === 'pods' ? 'pod' : '', namespaced: true, kind: 'Pod', verbs: ['get', 'create'] })) }
    : pod ? { kind: 'Pod', apiVersion: 'v1', metadata: { name: pod[2], namespace: pod[1] },
      spec: { containers: [{ name: 'main', stdin: true, tty: true }] }, status: { phase: 'Running' } }
    : null;
  res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body ?? { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
}

const server = createServer(answer).on('upgrade', upgrade);
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-server-'));
  const kubeconfig = join(dir, 'config');
  writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: "http://127.0.0.1:${server.address().port}"}}]
users: [{name: local, user: {token: none}}]
contexts: [{name: local, context: {cluster: local, user: local, namespace: default}}]
current-context: local
`);
  console.log(`listening on 127.0.0.1:${server.address().port}; KUBECONFIG=${kubeconfig}`);
});
