// node:http2 in cleartext (h2c; h2 over TLS with --tls), with the same
// 16 MiB stream and connection windows as every other stack, and room in its
// session memory for them.
import http2 from 'node:http2';
import { once } from 'node:events';
import { HOST, WINDOW, route } from '../lib/settings.mjs';
import { postNode, timedBytes, timedRequests } from '../lib/load.mjs';
import { countBody, listenLoopback, sendBody } from '../lib/node-server.mjs';
import { TLS, clientTls, serverTls } from '../lib/tls.mjs';

const settings = { initialWindowSize: WINDOW };
const maxSessionMemory = 256;

export const server = {
  async listen() {
    const srv = TLS
      ? http2.createSecureServer({ ...serverTls, settings, maxSessionMemory })
      : http2.createServer({ settings, maxSessionMemory });
    srv.on('session', (s) => s.setLocalWindowSize(WINDOW));
    srv.on('stream', (stream, headers) => {
      stream.on('error', () => {});
      if (route(headers[':path']).kind === 'upload') {
        countBody(stream).then((n) => {
          stream.respond({ ':status': 200 });
          stream.end(String(n));
        });
        return;
      }
      stream.respond({ ':status': 200 });
      sendBody(stream, headers[':path']);
    });
    return listenLoopback(srv);
  },
};

async function session(port) {
  const s = TLS
    ? http2.connect(`https://${HOST}:${port}`, { ...clientTls, settings, maxSessionMemory })
    : http2.connect(`http://${HOST}:${port}`, { settings, maxSessionMemory });
  await once(s, 'connect');
  s.setLocalWindowSize(WINDOW);
  return s;
}

function get(s, path) {
  return new Promise((resolve, reject) => {
    const req = s.request({ ':path': path }, { endStream: true });
    let n = 0;
    req.on('data', (d) => { n += d.length; });
    req.on('end', () => resolve(n));
    req.on('error', reject);
  });
}

export const client = {
  async bulk(port, bytes) {
    const s = await session(port);
    const ms = await timedBytes(bytes, () => get(s, `/bulk/${bytes}`));
    s.close();
    return ms;
  },

  async requests(port, n, inFlight) {
    const s = await session(port);
    const ms = await timedRequests(n, inFlight, () => get(s, '/small'));
    s.close();
    return ms;
  },

  async upload(port, bytes) {
    const s = await session(port);
    const ms = await timedBytes(bytes, async () => Number(await postNode(s.request({ ':method': 'POST', ':path': '/upload' }), bytes)));
    s.close();
    return ms;
  },
};
