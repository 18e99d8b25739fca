/**
 * HTTP over SPDY against spdy-transport 3.0.0 (npm), driving its
 * `connection` API on plain TCP: our client against its server, its client
 * against our server, in SPDY/2, SPDY/3 and SPDY/3.1.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire } from 'node:module';
import { createServer, connect as netConnect, type AddressInfo, type Server, type Socket } from 'node:net';
import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, type ProtocolVersion } from '../../src/base/constants.js';
import { connect } from '../../src/node/http/connect.js';
import { serve } from '../../src/node/http/serve.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const transport: Any = require('spdy-transport');

const versions: Array<[string, ProtocolVersion, number]> = [
  ['SPDY/2', PROTO_SPDY2, 2], ['SPDY/3', PROTO_SPDY3, 3], ['SPDY/3.1', PROTO_SPDY3_1, 3.1],
];

function theirServer(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const conn = transport.connection.create(socket, { protocol: 'spdy', isServer: true, autoSpdy31: true });
    conn.on('error', () => undefined);
    conn.on('stream', (stream: Any) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        stream.respond(200, { 'content-type': 'text/plain', 'x-path': stream.path });
        stream.end(`${stream.method} ${stream.path} ${Buffer.concat(chunks).length}`);
      });
      stream.on('error', () => undefined);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, sockets })),
  );
}

for (const [name, version] of versions) {
  test(`our client fetches from a spdy-transport server in ${name}`, async () => {
    const { server, port, sockets } = await theirServer();
    const client = await connect(`http://127.0.0.1:${port}`, { version });
    try {
      const res = await client.fetch('/hello?a=b');
      assert.is(res.status, 200);
      assert.is(res.headers.get('x-path'), '/hello?a=b');
      assert.is(await res.text(), 'GET /hello?a=b 0');
      const post = await client.fetch('/upload', { method: 'POST', body: new Uint8Array(20000) });
      assert.is(await post.text(), 'POST /upload 20000');
    } finally {
      await client.close().catch(() => undefined);
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
}

for (const [name, , theirs] of versions) {
  test(`a spdy-transport client fetches from our server in ${name}`, async () => {
    const server = serve({ port: 0, hostname: '127.0.0.1', plain: true }, async (req) => {
      const body = await req.text();
      return new Response(`${req.method} ${new URL(req.url).pathname} ${body.length}`, { headers: { 'x-ours': 'yes' } });
    });
    await server.ready;
    const socket = netConnect(server.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const conn = transport.connection.create(socket, { protocol: 'spdy', isServer: false });
    conn.on('error', () => undefined);
    conn.start(theirs);
    try {
      const result = await new Promise<{ status: number; headers: Any; body: string }>((resolve, reject) => {
        conn.request(
          { method: 'POST', path: '/theirs', host: `127.0.0.1:${server.port}`, headers: {} },
          (err: unknown, stream: Any) => {
            if (err) return reject(err);
            let status = 0;
            let headers: Any = null;
            const chunks: Buffer[] = [];
            stream.on('response', (code: number, h: Any) => {
              status = code;
              headers = h;
            });
            stream.on('data', (c: Buffer) => chunks.push(c));
            stream.on('end', () => resolve({ status, headers, body: Buffer.concat(chunks).toString() }));
            stream.on('error', reject);
            stream.end('x'.repeat(1000));
          },
        );
      });
      assert.is(result.status, 200);
      assert.is(result.headers['x-ours'], 'yes');
      assert.is(result.body, 'POST /theirs 1000');
      // A SPDY/2 peer was recognised from its first frame (the server speaks 3.1 by default).
      assert.is(conn.getVersion(), theirs);
    } finally {
      socket.destroy();
      await server.close();
    }
  });
}

test.run();
