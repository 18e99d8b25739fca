// Runs a command in a pod and forwards a local port to it, over SPDY/3.1 as
// kubectl does. Usage:
//   node examples/kube-exec.mjs KUBECONFIG NAMESPACE POD [PORT]
// (npm run build first). The kubeconfig's current context names the API
// server and the credentials (a token or a client certificate).
import { kubeExec, kubePortForward, loadKubeConfig } from '../dist/esm/node/kubernetes/index.js';

const [kubeconfig, namespace, pod, port] = process.argv.slice(2);
const target = { ...loadKubeConfig(kubeconfig), namespace, pod };

const ex = await kubeExec(target, { command: ['sh', '-c', 'cat; echo done >&2; exit 3'], stdin: true, stdout: true, stderr: true });
const writer = ex.stdin.getWriter();
await writer.write(new TextEncoder().encode('hello from spdy-streams\n'));
await writer.close(); // end of input for the process
const out = await new Response(ex.stdout).text();
console.log(`stdout: ${out.trim()}, exit code ${(await ex.status).exitCode} (${ex.protocol})`);
await ex.close();

if (port) {
  const pf = await kubePortForward(target);
  const listener = await pf.listen({ remotePort: Number(port) });
  console.log(`localhost:${listener.port} forwards to ${pod}:${port}; Ctrl-C to stop`);
}
