// Cleartext or TLS for every stack of the end-to-end benchmarks. The runner's
// `--tls` sets BENCH_TLS in the environment each peer process inherits; the
// stacks listen and dial through what is here, with the package's dev-only
// localhost certificate and Node's TLS defaults (TLS 1.3).
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { HOST } from './settings.mjs';
import { DEV_ONLY_LOCALHOST_CERT as cert, DEV_ONLY_LOCALHOST_KEY as key } from '../../dist/esm/node/http/dev-only-localhost-cert.js';

/** Whether this run is over TLS. */
export const TLS = process.env.BENCH_TLS === '1';
/** A TLS server's certificate and key. */
export const serverTls = { cert, key };
/** What a TLS client trusts, and the name it asks for (the certificate's). */
export const clientTls = { ca: cert, servername: 'localhost' };
/** Our servers' options for this run: the certificate, or cleartext. */
export const ourServerSecurity = TLS ? serverTls : { plain: true };
/** Our clients' options for this run: what to trust, or cleartext. */
export const ourClientSecurity = TLS ? clientTls : { plain: true };

/** A server of sockets (TLS ones, handshake done, with --tls) for `onConnection`. */
export function createSocketServer(onConnection) {
  return TLS ? tls.createServer(serverTls, onConnection) : net.createServer(onConnection);
}

/** A socket connected to the local server on `port` (TLS handshake done with --tls), Nagle off. */
export async function dialSocket(port) {
  const socket = TLS ? tls.connect({ port, host: HOST, ...clientTls }) : net.connect(port, HOST);
  await once(socket, TLS ? 'secureConnect' : 'connect');
  socket.setNoDelay(true);
  return socket;
}
