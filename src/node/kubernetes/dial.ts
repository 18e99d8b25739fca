/**
 * Node's dialler for Kubernetes targets: TCP for `http:` servers (kubectl
 * proxy), TLS for `https:` with the target's CA, client certificate and
 * key, and ALPN offering `http/1.1` only (the Upgrade is HTTP/1.1; an API
 * server offered h2 would pick it and refuse the Upgrade).
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { Transport } from '../../streams/transport.js';
import type { KubeTarget } from '../../kubernetes/target.js';
import { socketToWeb } from '../socket-stream.js';
import { socketReads, type WithOnread } from '../socket-reads.js';
import { InvalidArgumentError } from '../../base/errors.js';

const pemOf = (v: string | Uint8Array | undefined): string | Buffer | undefined =>
  v === undefined ? undefined : typeof v === 'string' ? v : Buffer.from(v);

function settle(socket: Socket, event: 'connect' | 'secureConnect', signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      socket.destroy();
      reject(signal!.reason);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once(event, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    socket.once('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
}

/** Opens a TCP or TLS connection to `server` for `target`. */
export async function dialKube(server: URL, target: KubeTarget): Promise<Transport> {
  const host = server.hostname.replace(/^\[(.*)\]$/, '$1');
  const tls = server.protocol === 'https:';
  if (!tls && server.protocol !== 'http:') throw new InvalidArgumentError(`unsupported API server scheme ${server.protocol}`);
  const port = server.port ? Number(server.port) : tls ? 443 : 80;
  const reads = socketReads();
  let socket: Socket;
  if (tls) {
    const ca = pemOf(target.ca);
    const cert = pemOf(target.cert);
    const key = pemOf(target.key);
    const options: ConnectionOptions & WithOnread = {
      host,
      port,
      servername: target.servername ?? (isIP(host) ? undefined : host),
      ALPNProtocols: ['http/1.1'],
      rejectUnauthorized: target.rejectUnauthorized ?? true,
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
      onread: reads.onread,
    };
    socket = tlsConnect(options);
    await settle(socket, 'secureConnect', target.signal);
  } else {
    socket = netConnect({ host, port, onread: reads.onread });
    await settle(socket, 'connect', target.signal);
  }
  socket.setNoDelay(true);
  return socketToWeb(socket, { reads });
}
