// Ours through the HTTP layer: `connect().fetch()` against `serve()`, in
// cleartext SPDY/3.1 (with --tls, over TLS with ALPN) with 16 MiB windows.
import { connect, serve } from '../../dist/esm/node/index.js';
import { HOST, oursConfig, route, small } from '../lib/settings.mjs';
import { bodyOf, drain, timedBytes, timedRequests } from '../lib/load.mjs';
import { TLS, ourClientSecurity, ourServerSecurity } from '../lib/tls.mjs';

export const server = {
  async listen() {
    const srv = serve({ ...ourServerSecurity, hostname: HOST, port: 0, config: oursConfig }, async (req) => {
      const { kind, bytes } = route(new URL(req.url).pathname);
      if (kind === 'upload') return new Response(String(await drain(req.body)));
      return new Response(kind === 'bulk' ? bodyOf(bytes) : small);
    });
    await srv.ready;
    return srv.port;
  },
};

const origin = (port) => `${TLS ? 'https' : 'http'}://${HOST}:${port}`;
const dialOptions = { config: oursConfig, ...ourClientSecurity };

/** GETs `path`; resolves with the body's length, read as a stream. */
async function getStreamed(client, path) {
  const res = await client.fetch(path);
  return drain(res.body);
}

/** GETs `path`; resolves with the body's length, read whole as fetch users read a small body. */
async function get(client, path) {
  const res = await client.fetch(path);
  return (await res.arrayBuffer()).byteLength;
}

export const client = {
  async bulk(port, bytes) {
    const c = await connect(origin(port), dialOptions);
    const ms = await timedBytes(bytes, () => getStreamed(c, `/bulk/${bytes}`));
    await c.close();
    return ms;
  },

  async requests(port, n, inFlight) {
    const c = await connect(origin(port), dialOptions);
    const ms = await timedRequests(n, inFlight, () => get(c, '/small'));
    await c.close();
    return ms;
  },

  async upload(port, bytes) {
    const c = await connect(origin(port), dialOptions);
    const ms = await timedBytes(bytes, async () => {
      const res = await c.fetch('/upload', { method: 'POST', body: bodyOf(bytes), duplex: 'half' });
      return Number(await res.text());
    });
    await c.close();
    return ms;
  },
};
