// spdy-transport 3.0.0 speaking SPDY/3.1 over TCP (TLS with --tls), with
// 16 MiB windows (`windowSize`) and its other defaults.
import { createRequire } from 'node:module';
import { WINDOW, route } from '../lib/settings.mjs';
import { postNode, timedBytes, timedRequests } from '../lib/load.mjs';
import { countBody, listenLoopback, sendBody } from '../lib/node-server.mjs';
import { createSocketServer, dialSocket } from '../lib/tls.mjs';

const transport = createRequire(import.meta.url)('spdy-transport');

export const server = {
  async listen() {
    const srv = createSocketServer((socket) => {
      socket.setNoDelay(true);
      socket.on('error', () => {});
      const conn = transport.connection.create(socket, {
        protocol: 'spdy', isServer: true, autoSpdy31: true, windowSize: WINDOW,
      });
      conn.on('error', () => {});
      conn.on('stream', (stream) => {
        stream.on('error', () => {});
        if (route(stream.path).kind === 'upload') {
          countBody(stream).then((n) => {
            stream.respond(200, {});
            stream.end(String(n));
          });
          return;
        }
        stream.resume();
        stream.respond(200, {});
        sendBody(stream, stream.path);
      });
    });
    return listenLoopback(srv);
  },
};

async function session(port) {
  const socket = await dialSocket(port);
  const conn = transport.connection.create(socket, { protocol: 'spdy', isServer: false, windowSize: WINDOW });
  conn.on('error', () => {});
  conn.start(3.1);
  return { conn, socket };
}

function get({ conn }, path) {
  return new Promise((resolve, reject) => {
    const req = conn.request({ method: 'GET', path, host: 'bench', headers: {} });
    let n = 0;
    req.on('data', (d) => { n += d.length; });
    req.on('end', () => resolve(n));
    req.on('error', reject);
    req.end();
  });
}

function end({ conn, socket }) {
  conn.end();
  socket.destroy();
}

export const client = {
  async bulk(port, bytes) {
    const s = await session(port);
    const ms = await timedBytes(bytes, () => get(s, `/bulk/${bytes}`));
    end(s);
    return ms;
  },

  async requests(port, n, inFlight) {
    const s = await session(port);
    const ms = await timedRequests(n, inFlight, () => get(s, '/small'));
    end(s);
    return ms;
  },

  async upload(port, bytes) {
    const s = await session(port);
    const request = () => s.conn.request({ method: 'POST', path: '/upload', host: 'bench', headers: {} });
    const ms = await timedBytes(bytes, async () => Number(await postNode(request(), bytes)));
    end(s);
    return ms;
  },
};
