/**
 * How connect() and serve() settle on a SPDY version: over TLS the server's
 * ALPN choice among what the client offers; in cleartext the client's first
 * frame, whatever version the server would speak itself.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, type ProtocolVersion } from '../../src/base/constants.js';
import { connect } from '../../src/node/http/connect.js';
import { serve, type ConnectionInfo } from '../../src/node/http/serve.js';
import { CERT, KEY } from '../http/loopback.js';

interface Case {
  readonly name: string;
  readonly plain: boolean;
  readonly server?: ProtocolVersion;
  readonly client?: ProtocolVersion;
  readonly expected: ProtocolVersion;
  readonly via: ConnectionInfo['via'];
}

const cases: Case[] = [
  { name: 'TLS: both offer every version, ALPN settles on SPDY/3.1', plain: false, expected: PROTO_SPDY3_1, via: 'alpn' },
  { name: 'TLS: a server that offers only SPDY/2 makes a client that offers all speak SPDY/2', plain: false, server: PROTO_SPDY2, expected: PROTO_SPDY2, via: 'alpn' },
  { name: 'TLS: a client that offers only SPDY/3 gets SPDY/3 from a server that offers all', plain: false, client: PROTO_SPDY3, expected: PROTO_SPDY3, via: 'alpn' },
  { name: 'cleartext: a SPDY/3.1 server recognises a SPDY/2 client from its first frame', plain: true, client: PROTO_SPDY2, expected: PROTO_SPDY2, via: 'preface' },
  // SPDY/3 and SPDY/3.1 frames carry the same version number: a cleartext server speaks the one it was given.
  { name: 'cleartext: a server given SPDY/3 speaks it with a SPDY/3 client', plain: true, server: PROTO_SPDY3, client: PROTO_SPDY3, expected: PROTO_SPDY3, via: 'preface' },
];

for (const c of cases) {
  test(c.name, async () => {
    const seen: ConnectionInfo[] = [];
    const server = serve(
      { port: 0, hostname: '127.0.0.1', cert: CERT, key: KEY, plain: c.plain, version: c.server, onConnection: (info) => seen.push(info) },
      (req, ctx) => new Response(`${req.method} ${new URL(req.url).pathname} v${ctx.version}`),
    );
    await server.ready;
    const client = await connect(`${c.plain ? 'http' : 'https'}://localhost:${server.port}`, { ca: CERT, version: c.client });
    try {
      assert.is(client.session.version, c.expected);
      assert.is(await (await client.fetch('/v')).text(), `GET /v v${c.expected}`);
      assert.is(seen.length, 1);
      assert.is(seen[0]!.version, c.expected);
      assert.is(seen[0]!.via, c.via);
    } finally {
      await client.close();
      await server.close();
    }
  });
}

test('cleartext: a SPDY/3 client of a default (SPDY/3.1) server gets bodies past the 64 KiB connection window', async () => {
  const body = new Uint8Array(300_000).fill(7);
  const server = serve({ port: 0, hostname: '127.0.0.1', plain: true }, () => new Response(body));
  await server.ready;
  const client = await connect(`http://localhost:${server.port}`, { version: PROTO_SPDY3 });
  try {
    const res = await client.fetch('/big');
    assert.is((await res.arrayBuffer()).byteLength, body.length);
    // And a second stream on the same session, after the fallback.
    assert.is((await (await client.fetch('/again')).arrayBuffer()).byteLength, body.length);
  } finally {
    await client.close();
    await server.close();
  }
});

test('TLS: a client whose only version the server does not offer gets no session', async () => {
  const server = serve({ port: 0, hostname: '127.0.0.1', cert: CERT, key: KEY, version: PROTO_SPDY3_1 }, () => new Response('x'));
  await server.ready;
  try {
    await connect(`https://localhost:${server.port}`, { ca: CERT, version: PROTO_SPDY2 }).then(
      (client) => {
        void client.close();
        assert.unreachable('no version in common');
      },
      (err) => assert.instance(err, Error),
    );
  } finally {
    await server.close();
  }
});

test.run();
