/**
 * The child process of `no-ws.test.ts`: with `ws` hidden, starts the pretend
 * API server and reports, as one JSON line, how it answers a WebSocket
 * port-forward (the status and the metav1.Status reason) and exec, and whether
 * port-forward over SPDY still works. Runs only as a program, so that a
 * test runner importing it does nothing.
 */
import { register } from 'node:module';
import { connect } from 'node:net';
import { pathToFileURL } from 'node:url';

/** A WebSocket handshake for port-forward, by hand; resolves with the answer's status and body. */
function webSocketHandshake(port: number, subresource: string, protocol: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      resolve({ status, body: answer.slice(answer.indexOf('\r\n\r\n') + 4) });
    });
    socket.write([
      `GET /api/v1/namespaces/default/pods/web-0/${subresource} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      'Connection: Upgrade',
      'Upgrade: websocket',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      `Sec-WebSocket-Protocol: ${protocol}`,
      '', '',
    ].join('\r\n'));
  });
}

async function main(): Promise<void> {
  register(new URL('./no-ws-hooks.js', import.meta.url));
  let wsHidden = false;
  try {
    await import('ws');
  } catch {
    wsHidden = true;
  }
  const { startPodServer } = await import('./pod-server.js');
  const { kubePortForward } = await import('../../src/node/kubernetes/client.js');
  const srv = await startPodServer();
  try {
    const answer = await webSocketHandshake(srv.port, 'portforward', 'SPDY/3.1+portforward.k8s.io');
    const reason = (JSON.parse(answer.body) as { reason?: string }).reason ?? '';
    const exec = await webSocketHandshake(srv.port, 'exec?command=true&stdout=true', 'v5.channel.k8s.io');
    const pf = await kubePortForward({ server: srv.url, pod: 'web-0' });
    await pf.close();
    console.log(JSON.stringify({ wsHidden, status: answer.status, reason, execStatus: exec.status, spdy: true }));
  } finally {
    await srv.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
