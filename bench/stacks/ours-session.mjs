// Ours through the streams layer: a SpdySession on each end over
// `socketToWeb` (listenSessions / connectSession), cleartext SPDY/3.1 (with
// --tls, over TLS with ALPN), 16 MiB windows. The server also answers the
// memory cases' paths (see lib/settings.mjs `route`).
import { connectSession, listenSessions } from '../../dist/esm/node/index.js';
import { HOST, requestNv, heapUsed, oursConfig, route, small } from '../lib/settings.mjs';
import { drain, timedBytes, timedRequests, writeWeb } from '../lib/load.mjs';
import { ourClientSecurity, ourServerSecurity } from '../lib/tls.mjs';

const OK = [[':status', '200'], [':version', 'HTTP/1.1']];
// Bytes the last /stall stream has had taken by the session so far.
let stallSent = 0;

const respondWith = (stream, body) => stream.respond(OK, { body });

async function answer(stream) {
  const nv = await stream.headers;
  const { kind, bytes } = route(nv.find(([k]) => k === ':path')[1]);
  if (kind === 'bulk') {
    await stream.respond(OK);
    return writeWeb(stream.writable, bytes);
  }
  if (kind === 'upload') return respondWith(stream, new TextEncoder().encode(String(await drain(stream.readable))));
  if (kind === 'stall') {
    stallSent = 0;
    await stream.respond(OK);
    return writeWeb(stream.writable, bytes, (n) => { stallSent += n; });
  }
  if (kind === 'idle') return stream.respond(OK);
  if (kind === 'heap') return respondWith(stream, new TextEncoder().encode(String(heapUsed())));
  if (kind === 'stats') return respondWith(stream, new TextEncoder().encode(String(stallSent)));
  return respondWith(stream, small);
}

/** A server of SpdySessions with `config`, answering every path of `route`. */
export function sessionServer(config) {
  return {
    async listen() {
      const srv = listenSessions({ ...ourServerSecurity, host: HOST, port: 0, config }, async (session) => {
        try {
          for await (const stream of session.incoming) answer(stream).catch(() => {});
        } catch {
          // A session that fails ends only itself.
        }
      });
      await srv.ready;
      return srv.port;
    },
  };
}

/** A client SpdySession with `config` to the local server on `port`. */
export const dialSession = (port, config) => connectSession({ host: HOST, port, ...ourClientSecurity, config });

/** GETs `path` on `session`; resolves with the body's length, read as a stream. */
async function getStreamed(session, path) {
  const stream = await session.openStream({ headers: requestNv(path), endStream: true });
  return drain(stream.readable);
}

/** GETs `path` on `session`; resolves with the body's length, read whole (a small body). */
export async function get(session, path) {
  const stream = await session.openStream({ headers: requestNv(path), endStream: true });
  return (await stream.bytes()).length;
}

/** POSTs `bytes` to `/upload` on `session`; resolves with the length the server read. */
async function upload(session, bytes) {
  const stream = await session.openStream({ headers: requestNv('/upload', 'POST') });
  await writeWeb(stream.writable, bytes);
  return Number(new TextDecoder().decode(await stream.bytes()));
}

export const server = sessionServer(oursConfig);

export const client = {
  async bulk(port, bytes) {
    const s = await dialSession(port, oursConfig);
    const ms = await timedBytes(bytes, () => getStreamed(s, `/bulk/${bytes}`));
    await s.close();
    return ms;
  },

  async requests(port, n, inFlight) {
    const s = await dialSession(port, oursConfig);
    const ms = await timedRequests(n, inFlight, () => get(s, '/small'));
    await s.close();
    return ms;
  },

  async upload(port, bytes) {
    const s = await dialSession(port, oursConfig);
    const ms = await timedBytes(bytes, () => upload(s, bytes));
    await s.close();
    return ms;
  },
};
