// A dialled session's socket reads are lent (one buffer read into again): every DATA chunk
// the application gets must be its own, however long it keeps it and however slowly it reads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { PROTO_SPDY2, PROTO_SPDY3_1, type ProtocolVersion, type SpdySession } from '../../src/index.js';
import {
  FrameDecoder, FrameEncoder, GOAWAY, GoawayFrame, SERVER, SYN_REPLY, DATA, type DecodedFrame,
} from '../../src/codec/index.js';
import { FrameError } from '../../src/base/errors.js';
import { GOAWAY_PROTOCOL_ERROR } from '../../src/base/constants.js';
import { connect, connectSession, dial, listenSessions, serve } from '../../src/node/index.js';
import { iterate, ok, randomBytes, rejectionOf, request, sha256, writeAll } from '../streams/session-pair.js';
import { testCert } from './tls-cert.js';

const SIZE = 2 << 20;
const bodyOf = (path: string): Uint8Array => randomBytes(SIZE, Number(path.slice(1)));

/** A server answering `/N` with SIZE bytes made from seed N, written in uneven pieces. */
function bodiesServer(tls: boolean, version: ProtocolVersion = PROTO_SPDY3_1) {
  const { cert, key } = testCert();
  return listenSessions({ host: '127.0.0.1', version, ...(tls ? { cert, key } : { plain: true }) }, (session: SpdySession) => {
    void (async () => {
      for await (const stream of iterate(session.incoming)) {
        void (async () => {
          const path = (await stream.headers).find(([k]) => k === ':path')![1];
          await stream.respond(ok());
          await writeAll(stream.writable, bodyOf(path), 20_000 + Number(path.slice(1)) * 999);
        })().catch(() => {});
      }
    })().catch(() => {});
  });
}

/** A client session to the local server on `port`. */
function dialTo(port: number, tls: boolean, version: ProtocolVersion = PROTO_SPDY3_1): Promise<SpdySession> {
  return connectSession(tls
    ? { host: 'localhost', port, version, ca: testCert().cert }
    : { plain: true, host: '127.0.0.1', port, version });
}

for (const tls of [false, true]) {
  test(`${tls ? 'TLS' : 'cleartext'}: bodies read at once, slowly, kept chunk by chunk and whole all arrive intact`, async () => {
    const server = bodiesServer(tls);
    await server.ready;
    const client = await dialTo(server.port, tls);
    try {
      const open = (n: number) => client.openStream({ headers: request(`/${n}`), endStream: true });
      const [fast, slow, kept, whole] = await Promise.all([1, 2, 3, 4].map(open));
      const readFast = async (): Promise<string> => {
        const chunks: Uint8Array[] = [];
        for await (const c of iterate(fast!.readable)) chunks.push(c.slice());
        return sha256(Buffer.concat(chunks));
      };
      // Reads one chunk a turn: the others queue meanwhile, across many socket reads.
      const readSlow = async (): Promise<string> => {
        const chunks: Uint8Array[] = [];
        for await (const c of iterate(slow!.readable)) {
          chunks.push(c.slice());
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        return sha256(Buffer.concat(chunks));
      };
      // Keeps every chunk as it came and looks at them only at the end.
      const readKept = async (): Promise<string> => {
        const chunks: Uint8Array[] = [];
        for await (const c of iterate(kept!.readable)) chunks.push(c);
        return sha256(Buffer.concat(chunks));
      };
      const got = await Promise.all([readFast(), readSlow(), readKept(), whole!.bytes().then(sha256)]);
      assert.equal(got, [1, 2, 3, 4].map((n) => sha256(bodyOf(`/${n}`))));
    } finally {
      await client.close();
      await server.close();
    }
  });
}

test('a lent session hands out each DATA chunk as a plain Uint8Array with memory of its own and no larger, its bytes intact', async () => {
  const server = bodiesServer(false);
  await server.ready;
  const client = await dialTo(server.port, false);
  try {
    const stream = await client.openStream({ headers: request('/5'), endStream: true });
    const chunks: Uint8Array[] = [];
    for await (const c of iterate(stream.readable)) chunks.push(c);
    assert.ok(chunks.length > 1);
    for (const c of chunks) {
      assert.is(c.constructor, Uint8Array, 'not a Node Buffer');
      assert.ok(c.byteOffset === 0 && c.buffer.byteLength === c.length, 'memory of its own, no larger');
    }
    assert.is(sha256(Buffer.concat(chunks)), sha256(bodyOf('/5')));
  } finally {
    await client.close();
    await server.close();
  }
});

for (const tls of [false, true]) {
  test(`${tls ? 'TLS' : 'cleartext'} SPDY/2, no flow control: a client that does not read stops reading the socket, holding about its session window, then reads every byte intact`, async () => {
    const server = bodiesServer(tls, PROTO_SPDY2);
    await server.ready;
    const client = await dialTo(server.port, tls, PROTO_SPDY2);
    try {
      const stream = await client.openStream({ headers: request('/7'), endStream: true });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const held = client.bufferedBytes;
      assert.is(sha256(await stream.bytes()), sha256(bodyOf('/7')));
      // 1 MiB unread (the larger window) closes the read gate; the read in hand is the most on top of it.
      assert.ok(held > 1 << 20 && held <= (1024 + 256) * 1024, `held ${held} bytes`);
    } finally {
      await client.close();
      await server.close();
    }
  });
}

/** A raw TCP peer that writes `bytes` to each connection and decodes what the client sends. */
async function rawServer(bytes: Uint8Array, end: boolean) {
  const frames: DecodedFrame[] = [];
  const server = net.createServer((socket) => {
    const decoder = new FrameDecoder({ version: PROTO_SPDY3_1, side: SERVER });
    socket.on('data', (d) => frames.push(...decoder.push(d)));
    socket.on('error', () => {});
    socket.write(bytes);
    if (end) socket.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, frames, port: (server.address() as net.AddressInfo).port };
}

const encoder = new FrameEncoder({ version: PROTO_SPDY3_1, side: SERVER });

test('a control frame of impossible length over a dialled connection: GOAWAY PROTOCOL_ERROR, the session fails, and a new one to a good server works', async () => {
  // SETTINGS with a 3-byte payload: no count fits.
  const bad = Uint8Array.of(0x80, 3, 0, 4, 0, 0, 0, 3, 0, 0, 0);
  const peer = await rawServer(bad, false);
  const good = bodiesServer(false);
  await good.ready;
  try {
    const client = await connectSession({ plain: true, host: '127.0.0.1', port: peer.port });
    const err = await rejectionOf(client.closed);
    assert.instance(err, FrameError);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const goaway = peer.frames.find((f): f is GoawayFrame => f.frameType === GOAWAY);
    assert.ok(goaway, 'GOAWAY sent');
    assert.is(goaway!.statusCode, GOAWAY_PROTOCOL_ERROR);
    const other = await dialTo(good.port, false);
    const stream = await other.openStream({ headers: request('/5'), endStream: true });
    assert.is(sha256(await stream.bytes()), sha256(bodyOf('/5')));
    await other.close();
  } finally {
    peer.server.close();
    await good.close();
  }
});

test('a peer that closes inside a frame: the session fails with a FrameError, and the body read so far stays whole', async () => {
  const reply = encoder.encode({ frameType: SYN_REPLY, streamId: 1, nv: ok() });
  const data = encoder.encode({ frameType: DATA, streamId: 1, data: new Uint8Array(1000).fill(4) });
  const peer = await rawServer(Uint8Array.from([...reply, ...data.subarray(0, 500)]), true);
  try {
    const client = await connectSession({ plain: true, host: '127.0.0.1', port: peer.port });
    const stream = await client.openStream({ headers: request('/'), endStream: true });
    const err = await rejectionOf(client.closed);
    assert.instance(err, FrameError);
    assert.match(String(err.message), 'inside a frame');
    const readErr = await rejectionOf(stream.bytes());
    assert.ok(readErr, 'the stream fails too: its body never ended');
  } finally {
    peer.server.close();
  }
});

test('an upgraded connection, its 101 and the server\'s first frames in one packet, still lends: a 4 MiB body arrives intact', async () => {
  const body = randomBytes(4 << 20, 9);
  const server = serve({ port: 0, hostname: '127.0.0.1', plain: true }, () => new Response(body as Uint8Array<ArrayBuffer>));
  await server.ready;
  const origin = `http://127.0.0.1:${server.port}`;
  const client = await connect(origin, { upgrade: true });
  try {
    const dialed = await dial(new URL(origin), { upgrade: true });
    dialed.socket.destroy();
    assert.type(dialed.transport.lend, 'function', 'the upgraded transport lends');
    const res = await client.fetch('/');
    const chunks: Uint8Array[] = [];
    for await (const c of iterate(res.body!)) chunks.push(c);
    assert.is(sha256(Buffer.concat(chunks)), sha256(body));
  } finally {
    await client.close();
    await server.close();
  }
});

test.run();
