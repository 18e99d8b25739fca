// The streams layer's timeouts, on timers the test drives by hand: a peer
// inside a frame (or before its first) for longer than frameTimeout gets
// GOAWAY PROTOCOL_ERROR and the session ends with a TimeoutError; a session
// with no stream for idleTimeout is closed with GOAWAY; a close() the
// transport never lets finish gives up after closeTimeout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  GOAWAY, GOAWAY_OK, GOAWAY_PROTOCOL_ERROR, PROTO_SPDY3_1, SYN_STREAM, SpdySession, TimeoutError,
  createMemoryTransportPair, resolveConfig, type HostTimers, InvalidArgumentError,
} from '../../src/index.js';
import { hostileTransportPeer, statusesOf } from '../hardening/hostile-peer.js';
import { nextIncoming, rejectionOf, request } from './session-pair.js';
import { concatBytes } from '../../src/base/bytes.js';

/** Timers that fire only when the test moves time on. */
class HandTimers implements HostTimers {
  private nowMs = 0;
  private readonly pending = new Map<number, { at: number; run: () => void }>();
  private nextId = 1;
  setTimeout = (run: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.pending.set(id, { at: this.nowMs + ms, run });
    return id;
  };
  clearTimeout = (handle: unknown): void => {
    this.pending.delete(handle as number);
  };
  get armed(): number {
    return this.pending.size;
  }
  /** Moves time on by `ms`, running what falls due, then lets the session react. */
  async advance(ms: number): Promise<void> {
    this.nowMs += ms;
    for (const [id, t] of [...this.pending]) {
      if (t.at > this.nowMs) continue;
      this.pending.delete(id);
      t.run();
    }
    await settle();
  }
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 10));

test('a peer that sends the first bytes of a frame and then nothing gets GOAWAY PROTOCOL_ERROR after frameTimeout', async () => {
  const timers = new HandTimers();
  const peer = hostileTransportPeer('server', { config: { timers, frameTimeout: 60_000 } });
  const syn = peer.encode({ frameType: SYN_STREAM, streamId: 1, nv: request() });
  await peer.writer.write(syn.subarray(0, 30));
  await timers.advance(59_000);
  assert.equal(statusesOf(peer.frames, GOAWAY), [], 'not yet');
  await timers.advance(1_000);
  const err = await rejectionOf(peer.session.closed);
  assert.instance(err, TimeoutError);
  assert.is(err.statusCode, GOAWAY_PROTOCOL_ERROR);
  assert.equal(statusesOf(peer.frames, GOAWAY), [GOAWAY_PROTOCOL_ERROR]);
});

test('a connection that never completes its first frame times out too', async () => {
  const timers = new HandTimers();
  const peer = hostileTransportPeer('server', { config: { timers, frameTimeout: 5_000 } });
  await timers.advance(5_000);
  assert.instance(await rejectionOf(peer.session.closed), TimeoutError);
  assert.equal(statusesOf(peer.frames, GOAWAY), [GOAWAY_PROTOCOL_ERROR]);
});

test('the frame timeout runs from the start of each frame: a slow but steady peer is not cut off', async () => {
  const timers = new HandTimers();
  const peer = hostileTransportPeer('server', { config: { timers, frameTimeout: 5_000, idleTimeout: 0 } });
  const syn = peer.encode({ frameType: SYN_STREAM, streamId: 1, nv: request() });
  // Half a frame, four seconds, the rest: within the limit.
  await peer.writer.write(syn.subarray(0, 10));
  await timers.advance(4_000);
  await peer.writer.write(syn.subarray(10));
  const stream = await nextIncoming(peer.session);
  assert.is(stream.id, 1);
  // On a frame boundary the peer may stay silent as long as it likes.
  await timers.advance(3_600_000);
  assert.equal(statusesOf(peer.frames, GOAWAY), []);
  assert.is(timers.armed, 0, 'no timer left running');
});

test('time while we stopped reading does not count against the peer', async () => {
  const timers = new HandTimers();
  const peer = hostileTransportPeer('server', {
    version: PROTO_SPDY3_1,
    config: { timers, frameTimeout: 5_000, idleTimeout: 0, peerFlowControl: false, initialWindowSize: 65536, sessionWindowSize: 65536 },
  });
  await peer.send({ frameType: SYN_STREAM, streamId: 1, nv: request() });
  await nextIncoming(peer.session);
  // More than a window unread closes the read gate, with the next frame begun in the same chunk.
  const big = peer.encode({ frameType: 0, streamId: 1, flags: 0, data: new Uint8Array(70_000) } as never);
  const next = peer.encode({ frameType: 0, streamId: 1, flags: 0, data: new Uint8Array(100) } as never);
  void peer.writer.write(concatBytes([big, next.subarray(0, 4)]));
  await settle();
  await timers.advance(60_000);
  assert.equal(statusesOf(peer.frames, GOAWAY), [], 'the gate is ours: no timeout');
});

test('a server session with no stream for idleTimeout is closed with GOAWAY, cleanly', async () => {
  const timers = new HandTimers();
  const peer = hostileTransportPeer('server', { config: { timers, idleTimeout: 10_000, frameTimeout: 0 } });
  await peer.send({ frameType: SYN_STREAM, streamId: 1, flags: 1, nv: request() });
  const stream = await nextIncoming(peer.session);
  await timers.advance(20_000);
  assert.equal(statusesOf(peer.frames, GOAWAY), [], 'a stream is open');
  await stream.respond([[':status', '200'], [':version', 'HTTP/1.1']], { endStream: true });
  await settle();
  await timers.advance(10_000);
  assert.equal(statusesOf(peer.frames, GOAWAY), [GOAWAY_OK]);
});

test('idle sessions stay open on clients by default, and are closed after five minutes on servers', () => {
  assert.is(resolveConfig({}, 1).idleTimeout, 0);
  assert.is(resolveConfig({}, 2).idleTimeout, 300_000);
  assert.is(resolveConfig({}).frameTimeout, 60_000);
  assert.is(resolveConfig({}).closeTimeout, 30_000);
});

test('close() gives up after closeTimeout on a peer that never reads, destroys the transport and rejects with TimeoutError', async () => {
  const timers = new HandTimers();
  const [ours, theirs] = createMemoryTransportPair({ highWaterMark: 1024 });
  const session = new SpdySession(ours, { side: 'client', config: { timers, closeTimeout: 30_000, frameTimeout: 0 } });
  const stream = await session.openStream({ headers: request('/', 'POST') });
  const writer = stream.writable.getWriter();
  void writer.write(new Uint8Array(1 << 20)).catch(() => {});
  const closing = session.close();
  await settle();
  await timers.advance(30_000);
  assert.instance(await rejectionOf(closing), TimeoutError);
  assert.ok(await rejectionOf(stream.closed));
  void theirs;
});

test('timers must be a pair of functions; timeouts must be milliseconds', () => {
  const invalid = (e: unknown): boolean => e instanceof InvalidArgumentError;
  assert.throws(() => resolveConfig({ timers: {} as never }), invalid);
  assert.throws(() => resolveConfig({ frameTimeout: -1 }), invalid);
  assert.throws(() => resolveConfig({ idleTimeout: 1.5 }), invalid);
});

test.run();
