// Interop with spdy-transport 3.0.0 (npm) on TCP loopback, both roles,
// SPDY/2, 3 and 3.1, a 64 MiB body each way, and over TLS with ALPN.
// Their sockets get setNoDelay: with Nagle on, spdy-transport's small
// WINDOW_UPDATE frames wait for delayed ACKs and each window costs ~40 ms.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';
import {
  PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, getNpnProtocols, npnGetVersion, type ProtocolVersion, type SpdySession,
} from '../../src/index.js';
import { connectSession, listenSessions } from '../../src/node/index.js';
import { header, iterate, ok, request } from '../streams/session-pair.js';
import { testCert } from './tls-cert.js';

const require = createRequire(import.meta.url);
const transport = require('spdy-transport');

/** Body size each way; SPDY_INTEROP_MIB overrides it. */
const SIZE = Number(process.env.SPDY_INTEROP_MIB ?? 64) * 1024 * 1024;
const BLOCK = new Uint8Array(1 << 20).map((_, i) => (i * 31 + (i >> 8)) & 0xff);
const EXPECTED = (() => {
  const h = createHash('sha256');
  for (let n = 0; n < SIZE; n += BLOCK.length) h.update(BLOCK.subarray(0, Math.min(BLOCK.length, SIZE - n)));
  return h.digest('hex');
})();
const theirVersion = (v: ProtocolVersion): number => (v === PROTO_SPDY3_1 ? 3.1 : v);

/** Writes the test body to a Web writable and closes it. */
async function sendBody(writable: WritableStream<Uint8Array>): Promise<void> {
  const w = writable.getWriter();
  for (let n = 0; n < SIZE; n += BLOCK.length) await w.write(BLOCK.subarray(0, Math.min(BLOCK.length, SIZE - n)));
  await w.close();
}

async function digest(readable: ReadableStream<Uint8Array>): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of iterate(readable)) h.update(chunk);
  return h.digest('hex');
}

/** Writes the test body to a Node writable (a spdy-transport stream) and ends it. */
function pumpBody(stream: any): void {
  let n = 0;
  const pump = (): void => {
    while (n < SIZE) {
      const chunk = BLOCK.subarray(0, Math.min(BLOCK.length, SIZE - n));
      n += chunk.length;
      if (!stream.write(chunk)) {
        stream.once('drain', pump);
        return;
      }
    }
    stream.end();
  };
  pump();
}

function digestOf(stream: any): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    stream.on('data', (d: Buffer) => h.update(d));
    stream.on('end', () => resolve(h.digest('hex')));
    stream.on('error', reject);
  });
}

/** A spdy-transport server that hashes each upload, replies with the hash and sends the test body. */
function theirServer(socket: net.Socket): void {
  socket.setNoDelay(true);
  const conn = transport.connection.create(socket, { protocol: 'spdy', isServer: true, autoSpdy31: true });
  conn.on('error', () => {});
  conn.on('stream', (stream: any) => {
    stream.on('error', () => {});
    void digestOf(stream).then((sha) => {
      stream.respond(200, { 'x-sha256': sha });
      pumpBody(stream);
    });
  });
}

/** Our client: upload and download the test body on one stream. */
async function ourRequest(session: SpdySession): Promise<{ up: string | undefined; down: string }> {
  const stream = await session.openStream({ headers: request('/echo', 'POST') });
  const [, nv, down] = await Promise.all([sendBody(stream.writable), stream.headers, digest(stream.readable)]);
  await stream.closed;
  return { up: header(nv, 'x-sha256'), down };
}

/** Our server: hash each upload, reply with the hash and send the test body. */
function ourHandler(session: SpdySession): void {
  void (async () => {
    for await (const stream of iterate(session.incoming)) {
      void (async () => {
        const sha = await digest(stream.readable);
        await stream.respond(ok([['x-sha256', sha]]));
        await sendBody(stream.writable);
      })().catch(() => {});
    }
  })().catch(() => {});
}

/** spdy-transport's client over `socket`: upload and download the test body. */
async function theirRequest(socket: net.Socket, version: ProtocolVersion): Promise<{ up: string; down: string }> {
  socket.setNoDelay(true);
  const conn = transport.connection.create(socket, { protocol: 'spdy', isServer: false });
  conn.on('error', () => {});
  conn.start(theirVersion(version));
  const result = await new Promise<{ up: string; down: string }>((resolve, reject) => {
    const req = conn.request({ method: 'POST', path: '/echo', host: 'localhost', headers: {} }, (err: Error | null) => {
      if (err) reject(err);
    });
    req.on('error', reject);
    pumpBody(req);
    req.on('response', (_status: number, headers: Record<string, string>) => {
      void digestOf(req).then((down) => resolve({ up: headers['x-sha256']!, down }), reject);
    });
  });
  await new Promise<void>((resolve) => conn.end(() => resolve()));
  socket.destroy();
  return result;
}

const listen = (server: net.Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));

for (const version of [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1] as const) {
  test(`v${version}, we are the client of a spdy-transport server: ${SIZE >> 20} MiB each way intact`, async () => {
    const server = net.createServer(theirServer);
    const port = await listen(server);
    const session = await connectSession({ plain: true, host: '127.0.0.1', port, version });
    assert.equal(await ourRequest(session), { up: EXPECTED, down: EXPECTED });
    await session.close();
    server.close();
  });

  test(`v${version}, we are the server of a spdy-transport client: ${SIZE >> 20} MiB each way intact`, async () => {
    const server = listenSessions({ plain: true, host: '127.0.0.1', version }, ourHandler);
    await server.ready;
    const socket = net.connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    assert.equal(await theirRequest(socket, version), { up: EXPECTED, down: EXPECTED });
    await server.close();
  });
}

test('TLS: our client and a spdy-transport server agree on spdy/3.1 by ALPN', async () => {
  const { cert, key } = testCert();
  let negotiated: string | false | null = null;
  const server = tls.createServer({ cert, key, ALPNProtocols: getNpnProtocols() }, (socket) => {
    negotiated = socket.alpnProtocol;
    theirServer(socket);
  });
  const port = await listen(server);
  const session = await connectSession({ host: 'localhost', port, ca: cert });
  assert.is(session.version, PROTO_SPDY3_1);
  assert.equal(await ourRequest(session), { up: EXPECTED, down: EXPECTED });
  assert.is(negotiated, 'spdy/3.1');
  await session.close();
  server.close();
});

test('TLS: a spdy-transport client offering spdy/3 reaches our server, which speaks what ALPN chose', async () => {
  const { cert, key } = testCert();
  let spoken = 0;
  const server = listenSessions({ host: '127.0.0.1', cert, key }, (session) => {
    spoken = session.version;
    ourHandler(session);
  });
  await server.ready;
  const socket = tls.connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: cert, ALPNProtocols: ['spdy/3'] });
  await new Promise((resolve) => socket.once('secureConnect', resolve));
  const version = npnGetVersion(socket.alpnProtocol || null) as ProtocolVersion;
  assert.is(version, PROTO_SPDY3);
  assert.equal(await theirRequest(socket, version), { up: EXPECTED, down: EXPECTED });
  assert.is(spoken, PROTO_SPDY3);
  await server.close();
});

test.run();
