// Connections that start and never finish: a client that sends part of its
// preface, or of a frame, or nothing at all (not even its TLS handshake), is
// closed after frameTimeout, with GOAWAY where a session had started, while
// a well-behaved client is served all along; the memory they hold is bounded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect as netConnect, type Socket } from 'node:net';
import { SYN_STREAM, PROTO_SPDY3_1, CLIENT, GOAWAY, GOAWAY_PROTOCOL_ERROR } from '../../src/base/constants.js';
import { FrameEncoder } from '../../src/codec/frame-encoder.js';
import { FrameDecoder, type DecodedFrame } from '../../src/codec/frame-decoder.js';
import { loopback } from '../http/loopback.js';

const FRAME_TIMEOUT = 400;
const REQUEST: Array<[string, string]> = [
  [':method', 'GET'], [':path', '/'], [':version', 'HTTP/1.1'], [':host', 'localhost'], [':scheme', 'http'],
];

interface Raw { socket: Socket; closed: Promise<number>; frames: DecodedFrame[] }

/** A raw TCP client: it writes `bytes`, then nothing; `closed` resolves with how long the server kept it. */
function rawClient(port: number, bytes: Uint8Array): Raw {
  const started = Date.now();
  const socket = netConnect(port, '127.0.0.1', () => {
    if (bytes.length > 0) socket.write(bytes);
  });
  const frames: DecodedFrame[] = [];
  const decoder = new FrameDecoder({ version: PROTO_SPDY3_1, side: CLIENT });
  socket.on('data', (d) => {
    try {
      frames.push(...decoder.push(d));
    } catch {
      // Whatever the server sends after its GOAWAY does not matter here.
    }
  });
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
  return { socket, closed, frames };
}

const hello = async (): Promise<Response> => new Response('hello');

test('cleartext: clients stuck in their preface or inside their first frame are closed after frameTimeout; others are served', async () => {
  const lb = await loopback(hello, { plain: true, config: { frameTimeout: FRAME_TIMEOUT } });
  try {
    const syn = new FrameEncoder({ version: PROTO_SPDY3_1, side: CLIENT }).encode({ frameType: SYN_STREAM, streamId: 1, nv: REQUEST });
    const heapBefore = process.memoryUsage().heapUsed;
    // Nothing, part of the 16-byte preface, and a frame header without the rest of its frame.
    const stuck = [
      ...Array.from({ length: 50 }, () => rawClient(lb.server.port, new Uint8Array(0))),
      ...Array.from({ length: 50 }, () => rawClient(lb.server.port, syn.subarray(0, 5))),
      ...Array.from({ length: 100 }, () => rawClient(lb.server.port, syn.subarray(0, 30))),
    ];
    // The well-behaved client is served while they hang.
    const res = await lb.client.fetch('/');
    assert.is(await res.text(), 'hello');
    const held = await Promise.all(stuck.map((c) => c.closed));
    for (const ms of held) assert.ok(ms < FRAME_TIMEOUT + 2000, `a stuck connection was held ${ms} ms`);
    // Those that had sent a whole preface had a session: it said GOAWAY PROTOCOL_ERROR.
    for (const c of stuck.slice(100)) {
      const goaway = c.frames.find((f) => f.frameType === GOAWAY) as { statusCode?: number } | undefined;
      assert.is(goaway?.statusCode, GOAWAY_PROTOCOL_ERROR);
    }
    const grown = process.memoryUsage().heapUsed - heapBefore;
    assert.ok(grown < 64 * 1024 * 1024, `heap grew by ${grown} bytes`);
    // The first client still works after the attack.
    assert.is(await (await lb.client.fetch('/')).text(), 'hello');
  } finally {
    await lb.close();
  }
});

test('TLS: a client that never starts its handshake is closed after frameTimeout', async () => {
  const lb = await loopback(hello, { config: { frameTimeout: FRAME_TIMEOUT } });
  try {
    const silent = rawClient(lb.server.port, new Uint8Array(0));
    assert.ok((await silent.closed) < FRAME_TIMEOUT + 2000);
    assert.is(await (await lb.client.fetch('/')).text(), 'hello');
  } finally {
    await lb.close();
  }
});

test.run();
