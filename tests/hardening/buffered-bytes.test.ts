// What a peer can make a SpdySession hold in received, unread bytes: with
// flow control, the windows (the peer that overruns one gets RST_STREAM or
// GOAWAY); with `peerFlowControl: false` or SPDY/2, what reading pauses at;
// and in every case an absolute cap, maxSessionBufferedBytes, past which the
// session ends with GOAWAY PROTOCOL_ERROR rather than hold more.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DATA, DATA_FLAG_FIN, FLOW_CONTROL_ERROR, GOAWAY, GOAWAY_PROTOCOL_ERROR, InvalidArgumentError, PROTO_SPDY2,
  PROTO_SPDY3, PROTO_SPDY3_1, RST_STREAM, SYN_STREAM, resolveConfig, type ProtocolVersion,
} from '../../src/index.js';
import { nextIncoming, readAll, rejectionOf, request, tick } from '../streams/session-pair.js';
import { bytes } from '../session/harness.js';
import { assertHealthySpdySessions, hostileTransportPeer, statusesOf } from './hostile-peer.js';

/** Lets the event loop turn until `done()` or fails after many turns: no clock involved. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (done()) return;
    await tick();
  }
  assert.unreachable(`never happened: ${what}`);
}

/** Lets the event loop turn until `value()` has not changed for a while. */
async function settled(value: () => number): Promise<number> {
  let last = value();
  for (let still = 0; still < 20;) {
    await tick();
    const now = value();
    still = now === last ? still + 1 : 0;
    last = now;
  }
  return last;
}

/** The windows these tests reason in, whatever the streams layer's defaults. */
const WINDOWS_64K = { initialWindowSize: 65536, sessionWindowSize: 65536 } as const;

const data = (streamId: number, n: number, flags = 0) =>
  ({ frameType: DATA, streamId, flags, data: bytes(n, streamId) } as const);

test('default cap is 16 MiB; the key takes an integer of at least 1024', () => {
  assert.is(resolveConfig({}).maxSessionBufferedBytes, 16 * 1024 * 1024);
  assert.throws(() => resolveConfig({ maxSessionBufferedBytes: 1000 }), (e: unknown) => e instanceof InvalidArgumentError);
});

test('flow control: an unread stream holds at most its window; one byte more gets RST_STREAM FLOW_CONTROL_ERROR', async () => {
  const { session, frames, send } = hostileTransportPeer('server', { version: PROTO_SPDY3, config: WINDOWS_64K });
  await send({ frameType: SYN_STREAM, streamId: 1, nv: request() });
  const stream = await nextIncoming(session);
  await send(data(1, 32768), data(1, 32768));
  await until(() => session.bufferedBytes === 65536, 'a window of bytes buffered');
  await send(data(1, 1));
  await until(() => statusesOf(frames, RST_STREAM).length > 0, 'RST_STREAM');
  assert.equal(statusesOf(frames, RST_STREAM), [FLOW_CONTROL_ERROR]);
  assert.ok(session.bufferedBytes <= 65536);
  assert.is((await rejectionOf(stream.closed)).statusCode, FLOW_CONTROL_ERROR);
  assert.is(session.bufferedBytes, 0, 'a reset stream gives up what it held');
  await assertHealthySpdySessions();
});

test('SPDY/3.1: unread streams together hold at most the session window; more gets GOAWAY', async () => {
  const { session, frames, send } = hostileTransportPeer('server', {
    version: PROTO_SPDY3_1, config: WINDOWS_64K,
  });
  await send({ frameType: SYN_STREAM, streamId: 1, nv: request() }, { frameType: SYN_STREAM, streamId: 3, nv: request() });
  await send(data(1, 40000), data(3, 25536));
  await until(() => session.bufferedBytes === 65536, 'a session window of bytes buffered');
  await send(data(3, 100));
  const err = await rejectionOf(session.closed);
  assert.is(err.statusCode, GOAWAY_PROTOCOL_ERROR);
  await until(() => statusesOf(frames, GOAWAY).length > 0, 'GOAWAY read');
  assert.equal(statusesOf(frames, GOAWAY), [GOAWAY_PROTOCOL_ERROR]);
  await assertHealthySpdySessions();
});

for (const [version, config] of [[PROTO_SPDY3, { peerFlowControl: false }], [PROTO_SPDY2, {}]] as const) {
  test(`v${version}, no flow control: reading pauses at about a window, the peer's writes stall, and nothing is lost`, async () => {
    const { session, send } = hostileTransportPeer('server', {
      version: version as ProtocolVersion, config: { ...WINDOWS_64K, ...config },
    });
    await send({ frameType: SYN_STREAM, streamId: 1, nv: request() });
    const stream = await nextIncoming(session);
    const frames = 512;
    let accepted = 0;
    const writes: Array<Promise<void>> = [];
    for (let i = 0; i < frames; i++) {
      const w = send(data(1, 4096, i === frames - 1 ? DATA_FLAG_FIN : 0));
      writes.push(w.then(() => { accepted++; }));
    }
    const held = await settled(() => session.bufferedBytes + accepted);
    void held;
    assert.ok(session.bufferedBytes >= 65536, `reading went on to a window (${session.bufferedBytes})`);
    assert.ok(session.bufferedBytes <= 65536 + 4096, `held ${session.bufferedBytes} bytes`);
    assert.ok(accepted < frames / 2, `the transport stopped taking the peer's bytes (${accepted} of ${frames} writes)`);
    const body = await readAll(stream.readable);
    assert.is(body.length, frames * 4096, 'every byte arrived once read');
    await Promise.all(writes);
    assert.is(session.bufferedBytes, 0);
  });
}

test('no flow control: a single DATA frame past maxSessionBufferedBytes gets GOAWAY PROTOCOL_ERROR, not more memory', async () => {
  const { session, frames, send } = hostileTransportPeer('server', {
    version: PROTO_SPDY3, config: { peerFlowControl: false, maxSessionBufferedBytes: 100_000 },
  });
  await send({ frameType: SYN_STREAM, streamId: 1, nv: request() });
  const stream = await nextIncoming(session);
  // Under half the cap, where reading would pause: the next frame is read.
  await send(data(1, 40_000));
  await until(() => session.bufferedBytes === 40_000, 'first frame buffered');
  send(data(1, 200_000)).catch(() => {});
  const err = await rejectionOf(session.closed);
  assert.is(err.statusCode, GOAWAY_PROTOCOL_ERROR);
  assert.ok(await rejectionOf(stream.closed));
  assert.is(session.bufferedBytes, 0, 'everything held was let go');
  await until(() => statusesOf(frames, GOAWAY).length > 0, 'GOAWAY read');
  assert.equal(statusesOf(frames, GOAWAY), [GOAWAY_PROTOCOL_ERROR]);
  await assertHealthySpdySessions();
});

test('flow control: the cap holds across streams that each stay within their windows', async () => {
  const { session, frames, send } = hostileTransportPeer('server', {
    version: PROTO_SPDY3, config: { maxSessionBufferedBytes: 100_000 },
  });
  await send({ frameType: SYN_STREAM, streamId: 1, nv: request() }, { frameType: SYN_STREAM, streamId: 3, nv: request() });
  await send(data(1, 60_000));
  await until(() => session.bufferedBytes === 60_000, 'stream 1 buffered');
  send(data(3, 60_000)).catch(() => {});
  assert.is((await rejectionOf(session.closed)).statusCode, GOAWAY_PROTOCOL_ERROR);
  await until(() => statusesOf(frames, GOAWAY).length > 0, 'GOAWAY read');
  assert.equal(statusesOf(frames, GOAWAY), [GOAWAY_PROTOCOL_ERROR]);
  await assertHealthySpdySessions();
});

test('bytes the application reads as they come are not held, however many: the cap counts only unread bytes', async () => {
  const { session, frames, send } = hostileTransportPeer('server', {
    version: PROTO_SPDY3, config: { peerFlowControl: false, maxSessionBufferedBytes: 16384 },
  });
  await send({ frameType: SYN_STREAM, streamId: 1, nv: request() });
  const stream = await nextIncoming(session);
  const reading = readAll(stream.readable);
  for (let i = 0; i < 100; i++) await send(data(1, 4096, i === 99 ? DATA_FLAG_FIN : 0));
  assert.is((await reading).length, 409_600);
  assert.equal(statusesOf(frames, GOAWAY), []);
});

test.run();
