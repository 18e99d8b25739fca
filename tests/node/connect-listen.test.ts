// Node's connectSession and listenSessions: version choice by ALPN or first frame, TLS failures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, type ProtocolVersion, type SpdySession } from '../../src/index.js';
import { connectSession, listenSessions, type ListenSessionsOptions } from '../../src/node/index.js';
import { header, iterate, ok, readAll, rejectionOf, request, writeAll } from '../streams/session-pair.js';
import { testCert } from './tls-cert.js';

/** A server answering every request with its session's version in `x-version` and a 100 kB body. */
function versionServer(options: ListenSessionsOptions) {
  return listenSessions({ host: '127.0.0.1', ...options }, (session: SpdySession) => {
    void (async () => {
      for await (const stream of iterate(session.incoming)) {
        await stream.respond(ok([['x-version', String(session.version)]]));
        await writeAll(stream.writable, new Uint8Array(100_000));
      }
    })().catch(() => {});
  });
}

async function get(session: SpdySession): Promise<{ version: string | undefined; length: number }> {
  const stream = await session.openStream({ headers: request(), endStream: true });
  const version = header(await stream.headers, 'x-version');
  return { version, length: (await readAll(stream.readable)).length };
}

for (const version of [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1] as const) {
  test(`cleartext v${version}: a client and a server agree and carry a request`, async () => {
    const server = versionServer({ plain: true, version });
    await server.ready;
    const client = await connectSession({ plain: true, host: '127.0.0.1', port: server.port, version });
    assert.equal(await get(client), { version: String(version), length: 100_000 });
    await client.close();
    await server.close();
  });
}

test('a cleartext SPDY/3.1 server recognises a SPDY/2 client from its first frame', async () => {
  const server = versionServer({ plain: true });
  await server.ready;
  const client = await connectSession({ plain: true, host: '127.0.0.1', port: server.port, version: PROTO_SPDY2 });
  assert.equal(await get(client), { version: String(PROTO_SPDY2), length: 100_000 });
  await client.close();
  await server.close();
});

for (const [offered, expected] of [
  [undefined, PROTO_SPDY3_1], [PROTO_SPDY3, PROTO_SPDY3], [PROTO_SPDY2, PROTO_SPDY2],
] as Array<[ProtocolVersion | undefined, ProtocolVersion]>) {
  test(`TLS: ALPN settles on v${expected} when the client offers ${offered ? `only v${offered}` : 'all versions'}`, async () => {
    const { cert, key } = testCert();
    const server = versionServer({ cert, key });
    await server.ready;
    const client = await connectSession({ host: 'localhost', port: server.port, version: offered, ca: cert });
    assert.is(client.version, expected);
    assert.equal(await get(client), { version: String(expected), length: 100_000 });
    await client.close();
    await server.close();
  });
}

test('TLS: a client whose versions the server does not speak does not get a session', async () => {
  const { cert, key } = testCert();
  const server = versionServer({ cert, key, version: PROTO_SPDY3 });
  await server.ready;
  assert.ok(await rejectionOf(connectSession({ host: 'localhost', port: server.port, version: PROTO_SPDY2, ca: cert })));
  assert.is(server.sessions.size, 0);
  await server.close();
});

test('TLS: a certificate the client does not trust fails the connection', async () => {
  const { cert, key } = testCert();
  const server = versionServer({ cert, key });
  await server.ready;
  assert.ok(await rejectionOf(connectSession({ host: 'localhost', port: server.port })));
  await server.close();
});

test('a cleartext server drops a connection that does not start with a SPDY control frame', async () => {
  const server = versionServer({ plain: true });
  await server.ready;
  const socket = net.connect(server.port, '127.0.0.1');
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await new Promise((resolve) => socket.once('close', resolve));
  assert.is(server.sessions.size, 0);
  await server.close();
});

test("closing the server sends GOAWAY on its sessions: the client's session ends cleanly", async () => {
  const server = versionServer({ plain: true });
  await server.ready;
  const client = await connectSession({ plain: true, host: '127.0.0.1', port: server.port });
  await get(client);
  await server.close();
  await client.closed;
  assert.is(server.sessions.size, 0);
});

test.run();
