/**
 * The HTTP/1.1 `Upgrade: SPDY/3.1` handshake (Kubernetes' way into SPDY),
 * both ways, and that bytes following the handshake in the same packet
 * belong to SPDY and are kept.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer as createHttpServer } from 'node:http';
import { createServer, connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { PING, PROTO_SPDY3_1, SERVER, SYN_REPLY, type Side } from '../../src/base/constants.js';
import { FrameDecoder, type DecodedFrame } from '../../src/codec/frame-decoder.js';
import { FrameEncoder } from '../../src/codec/frame-encoder.js';
import { PingFrame, SynStreamFrame } from '../../src/codec/frames.js';
import { headLength } from '../../src/handshake/http1.js';
import { serveSession } from '../../src/http/server.js';
import { UpgradeRefusedError } from '../../src/handshake/upgrade.js';
import { connect } from '../../src/node/http/connect.js';
import { serve, type ConnectionInfo } from '../../src/node/http/serve.js';
import { acceptNodeUpgrade } from '../../src/node/http/upgrade-listener.js';

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** Reads from `socket` until `done(bytes)` holds. */
function readUntil(socket: Socket, done: (bytes: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let all = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      all = Buffer.concat([all, chunk]);
      if (done(all)) {
        socket.off('data', onData);
        resolve(all);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('end', () => resolve(all));
  });
}

function framesAfterHead(bytes: Buffer, side: Side = SERVER): DecodedFrame[] {
  const n = headLength(bytes);
  return new FrameDecoder({ version: PROTO_SPDY3_1, side }).push(bytes.subarray(n));
}

test('our client upgrades a cleartext connection to our server and fetches', async () => {
  let info: ConnectionInfo | null = null;
  const server = serve({ port: 0, hostname: '127.0.0.1', plain: true, onConnection: (i) => (info = i) }, (req) =>
    new Response(`upgraded ${new URL(req.url).pathname}`));
  await server.ready;
  const client = await connect(`http://127.0.0.1:${server.port}`, { upgrade: { path: '/spdy' } });
  try {
    assert.is(await (await client.fetch('/a')).text(), 'upgraded /a');
    assert.is(info!.via, 'upgrade');
    assert.is(info!.version, PROTO_SPDY3_1);
  } finally {
    await client.close();
    await server.close();
  }
});

test("our client upgrades through Node's http.Server with acceptNodeUpgrade", async () => {
  const seen: string[] = [];
  const http = createHttpServer((_req, res) => res.end('plain HTTP'));
  http.on('upgrade', (req, socket, head) => {
    seen.push(`${req.method} ${req.url} ${req.headers['x-stream-protocol-version']}`);
    const session = acceptNodeUpgrade(req, socket, head);
    if (session) void serveSession(session, () => new Response('via node http'), { scheme: 'http', version: session.version });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  const client = await connect(`http://127.0.0.1:${port}`, {
    upgrade: { method: 'POST', path: '/exec', headers: [['X-Stream-Protocol-Version', 'v4.channel.k8s.io']] },
  });
  try {
    assert.is(await (await client.fetch('/')).text(), 'via node http');
    assert.equal(seen, ['POST /exec v4.channel.k8s.io']);
  } finally {
    await client.close();
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  }
});

test('our server answers 101 and keeps a SYN_STREAM sent in the same packet as the upgrade request', async () => {
  const server = serve({ port: 0, hostname: '127.0.0.1', plain: true }, () => new Response('kept'));
  await server.ready;
  const socket = netConnect(server.port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  try {
    const request = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n', 'latin1');
    const syn = new FrameEncoder({ version: PROTO_SPDY3_1 }).encode(new SynStreamFrame({
      flags: 1, streamId: 1,
      nv: [[':method', 'GET'], [':path', '/'], [':version', 'HTTP/1.1'], [':host', 'x'], [':scheme', 'http']],
    }));
    socket.write(Buffer.concat([request, syn]));
    const got = await readUntil(socket, (b) => headLength(b) > 0 && framesAfterHead(b).some((f) => f.frameType === SYN_REPLY));
    assert.match(latin1(got.subarray(0, headLength(got))), /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(latin1(got.subarray(0, headLength(got))), /\r\nUpgrade: SPDY\/3\.1\r\n/i);
    const reply = framesAfterHead(got).find((f) => f.frameType === SYN_REPLY) as { streamId: number; nv: Array<[string, string]> };
    assert.is(reply.streamId, 1);
    assert.ok(reply.nv.some(([k, v]) => k === ':status' && v === '200 OK'));
  } finally {
    socket.destroy();
    await server.close();
  }
});

test('our client keeps SPDY bytes that arrive in the same packet as the 101', async () => {
  // A server that answers the upgrade with 101 and a PING in one write; our
  // session must see the PING and answer it.
  const sockets: Socket[] = [];
  const fake = createServer((socket) => {
    sockets.push(socket);
    void readUntil(socket, (b) => headLength(b) > 0).then(() => {
      const ping = new FrameEncoder({ version: PROTO_SPDY3_1, side: SERVER }).encode(new PingFrame({ uniqueId: 2 }));
      socket.write(Buffer.concat([Buffer.from('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n'), ping]));
    });
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  const client = await connect(`http://127.0.0.1:${(fake.address() as AddressInfo).port}`, { upgrade: true });
  try {
    const answered = await readUntil(sockets[0]!, (b) =>
      new FrameDecoder({ version: PROTO_SPDY3_1, side: SERVER }).push(b).some((f) => f.frameType === PING));
    const ping = new FrameDecoder({ version: PROTO_SPDY3_1, side: SERVER }).push(answered).find((f) => f.frameType === PING);
    assert.is((ping as PingFrame).uniqueId, 2);
  } finally {
    client.session.destroy();
    for (const s of sockets) s.destroy();
    await new Promise((r) => fake.close(r));
  }
});

test('an HTTP/1.1 request that does not ask for SPDY gets 426 Upgrade Required', async () => {
  const server = serve({ port: 0, hostname: '127.0.0.1', plain: true }, () => new Response('never'));
  await server.ready;
  const socket = netConnect(server.port, '127.0.0.1');
  try {
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const got = await readUntil(socket, () => false);
    assert.match(got.toString('latin1'), /^HTTP\/1\.1 426 Upgrade Required\r\n/);
    assert.match(got.toString('latin1'), /\r\nUpgrade: SPDY\/3\.1\r\n/);
  } finally {
    socket.destroy();
    await server.close();
  }
});

test('a server that does not switch protocols fails connect() with UpgradeRefusedError', async () => {
  const http = createHttpServer((_req, res) => res.writeHead(403).end('no'));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  try {
    await connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { upgrade: true }).then(
      () => assert.unreachable('connect should fail'),
      (err) => {
        assert.ok(err instanceof UpgradeRefusedError);
        assert.is((err as UpgradeRefusedError).status, 403);
      },
    );
  } finally {
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  }
});

test.run();
