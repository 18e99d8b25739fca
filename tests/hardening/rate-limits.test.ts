// Frames that cost us work and the peer nothing (PINGs we must echo,
// SETTINGS, RST_STREAMs, empty DATA) are rate-limited by token buckets on an
// injected clock; crossing a limit gets the peer GOAWAY PROTOCOL_ERROR.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT, DATA, DATA_FLAG_FIN, GOAWAY_PROTOCOL_ERROR, InvalidArgumentError, PING, PROTO_SPDY2, PROTO_SPDY3,
  PROTO_SPDY3_1, SERVER, SETTINGS, SETTINGS_MAX_CONCURRENT_STREAMS, SYN_STREAM, RST_STREAM, CANCEL,
  resolveConfig,
} from '../../src/index.js';
import { REQUEST, RawPeer } from '../session/harness.js';
import { rejectionOf } from '../streams/session-pair.js';
import {
  ManualClock, assertHealthySessionPair, assertHealthySpdySessions, goaways, hostileTransportPeer,
} from './hostile-peer.js';

function server(version: number, config: Record<string, unknown>, clock = new ManualClock()) {
  const peer = new RawPeer(SERVER, version as any, { config: { now: clock.now, ...config } });
  peer.flush();
  return { peer, clock };
}

const ping = (uniqueId: number) => ({ frameType: PING, uniqueId } as const);

test('defaults: 100 PINGs, 100 SETTINGS, 200 RST_STREAMs and 100 empty DATA frames a second', () => {
  const c = resolveConfig({});
  assert.equal(
    [c.maxPingRate, c.maxSettingsRate, c.maxRstStreamRate, c.maxEmptyDataRate],
    [100, 100, 200, 100],
  );
  assert.is(c.now, Date.now);
});

test('rate keys take 0 (no limit) or a positive integer, and now takes a function; anything else is refused', () => {
  for (const key of ['maxPingRate', 'maxSettingsRate', 'maxRstStreamRate', 'maxEmptyDataRate']) {
    assert.is((resolveConfig({ [key]: 0 }) as any)[key], 0);
    for (const bad of [-1, 1.5, '10', Infinity]) {
      assert.throws(() => resolveConfig({ [key]: bad } as any), (e: unknown) => e instanceof InvalidArgumentError, `${key}=${String(bad)}`);
    }
  }
  assert.throws(() => resolveConfig({ now: 5 } as any), (e: unknown) => e instanceof InvalidArgumentError);
});

for (const version of [PROTO_SPDY3, PROTO_SPDY3_1] as const) {
  test(`v${version}: a burst of maxPingRate PINGs is echoed; one more gets GOAWAY PROTOCOL_ERROR and no echo`, () => {
    const { peer } = server(version, { maxPingRate: 5 });
    for (let i = 0; i < 5; i++) peer.feed(ping(2 * i + 1));
    assert.equal(peer.flush().map((f: any) => f.uniqueId), [1, 3, 5, 7, 9]);
    peer.feed(ping(11), ping(13));
    const out = peer.flush();
    assert.equal(out.map((f) => f.frameType), [7 /* GOAWAY */]);
    assert.is((out[0] as any).statusCode, GOAWAY_PROTOCOL_ERROR);
    assert.is(peer.session.wantRead(), false);
    assert.is(peer.session.wantWrite(), false);
    assertHealthySessionPair(version);
  });
}

test('SPDY/2: a PING flood gets a GOAWAY, which in SPDY/2 carries no status', () => {
  const { peer } = server(PROTO_SPDY2, { maxPingRate: 2 });
  peer.feed(ping(1), ping(3), ping(5));
  const sent = peer.flush();
  assert.is(sent.filter((f) => f.frameType === PING).length, 2);
  const [goaway] = goaways(sent);
  assert.ok(goaway);
  assert.is(goaway.length, 4, 'SPDY/2 GOAWAY has only the last-good-stream-id');
  assertHealthySessionPair(PROTO_SPDY2);
});

test('the bucket refills with the injected clock: maxPingRate a second, as many at once', () => {
  const { peer, clock } = server(PROTO_SPDY3_1, { maxPingRate: 10 });
  let id = 1;
  for (let i = 0; i < 10; i++) peer.feed(ping((id += 2)));
  clock.advance(1000);
  for (let i = 0; i < 10; i++) peer.feed(ping((id += 2)));
  clock.advance(300);
  for (let i = 0; i < 3; i++) peer.feed(ping((id += 2)));
  assert.is(goaways(peer.flush()).length, 0, '23 PINGs over 1.3 s at 10 a second with a burst of 10 are fine');
  peer.feed(ping((id += 2)));
  assert.is(goaways(peer.flush())[0]?.statusCode, GOAWAY_PROTOCOL_ERROR);
});

test('a clock that stands still gives exactly the burst, however long the test really takes', () => {
  const { peer } = server(PROTO_SPDY3, { maxSettingsRate: 3 });
  for (let i = 0; i < 3; i++) peer.feed({ frameType: SETTINGS, iv: [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 10 + i]] });
  assert.is(goaways(peer.flush()).length, 0);
  peer.feed({ frameType: SETTINGS, iv: [] });
  assert.is(goaways(peer.flush())[0]?.statusCode, GOAWAY_PROTOCOL_ERROR);
});

test('a clock that steps back neither refills the bucket nor breaks it', () => {
  const { peer, clock } = server(PROTO_SPDY3, { maxPingRate: 2 });
  peer.feed(ping(1), ping(3));
  clock.advance(-60_000);
  peer.feed(ping(5));
  assert.is(goaways(peer.flush())[0]?.statusCode, GOAWAY_PROTOCOL_ERROR);
});

test('echoes of our own PINGs do not count against the peer', () => {
  const { peer } = server(PROTO_SPDY3, { maxPingRate: 1 });
  for (let i = 0; i < 20; i++) {
    peer.session.submitPing();
    const [sent] = peer.flush() as any[];
    peer.feed(ping(sent.uniqueId));
  }
  assert.is(goaways(peer.flush()).length, 0);
  assert.is(peer.log.frames('onCtrlRecvCb', PING).length, 20, 'each echo was reported');
});

test('SETTINGS past maxSettingsRate gets GOAWAY PROTOCOL_ERROR', () => {
  const { peer } = server(PROTO_SPDY3_1, { maxSettingsRate: 4 });
  for (let i = 0; i < 5; i++) peer.feed({ frameType: SETTINGS, iv: [] });
  assert.is(goaways(peer.flush())[0]?.statusCode, GOAWAY_PROTOCOL_ERROR);
  assert.is(peer.log.frames('onCtrlRecvCb', SETTINGS).length, 4, 'the frame over the limit was not processed');
});

test('rapid reset: streams opened and reset past maxRstStreamRate get GOAWAY PROTOCOL_ERROR naming the last stream', () => {
  const { peer } = server(PROTO_SPDY3_1, { maxRstStreamRate: 5 });
  for (let id = 1; id <= 11; id += 2) {
    peer.feed({ frameType: SYN_STREAM, streamId: id, nv: REQUEST });
    peer.feed({ frameType: RST_STREAM, streamId: id, statusCode: CANCEL });
  }
  const [goaway] = goaways(peer.flush());
  assert.is(goaway?.statusCode, GOAWAY_PROTOCOL_ERROR);
  assert.is(goaway.lastGoodStreamId, 11);
  assert.is(peer.log.frames('onCtrlRecvCb', RST_STREAM).length, 5);
  assertHealthySessionPair();
});

test('empty DATA frames without FIN past maxEmptyDataRate get GOAWAY PROTOCOL_ERROR; DATA with bytes or FIN is not counted', () => {
  const { peer } = server(PROTO_SPDY3, { maxEmptyDataRate: 3 });
  peer.feed({ frameType: SYN_STREAM, streamId: 1, nv: REQUEST });
  for (let i = 0; i < 3; i++) peer.feed({ frameType: DATA, streamId: 1, flags: 0, data: new Uint8Array(0) });
  for (let i = 0; i < 10; i++) peer.feed({ frameType: DATA, streamId: 1, flags: 0, data: new Uint8Array(1) });
  peer.feed({ frameType: SYN_STREAM, streamId: 3, nv: REQUEST });
  peer.feed({ frameType: DATA, streamId: 3, flags: DATA_FLAG_FIN, data: new Uint8Array(0) });
  assert.is(goaways(peer.flush()).length, 0);
  peer.feed({ frameType: DATA, streamId: 1, flags: 0, data: new Uint8Array(0) });
  assert.is(goaways(peer.flush())[0]?.statusCode, GOAWAY_PROTOCOL_ERROR);
});

test('a rate of 0 turns the check off', () => {
  const { peer } = server(PROTO_SPDY3_1, { maxPingRate: 0, maxSettingsRate: 0 });
  for (let i = 0; i < 5000; i++) {
    peer.feed(ping(2 * i + 1), { frameType: SETTINGS, iv: [] });
    if (i % 100 === 0) peer.flush();
  }
  const sent = peer.flush();
  assert.is(goaways(peer.sent).length, 0);
  assert.is(peer.sentOf(PING).length, 5000);
  void sent;
});

test('a client holds a server to the same limits', () => {
  const clock = new ManualClock();
  const peer = new RawPeer(CLIENT, PROTO_SPDY3, { config: { now: clock.now, maxPingRate: 2 } });
  peer.flush();
  peer.feed(ping(2), ping(4), ping(6));
  assert.is(goaways(peer.flush())[0]?.statusCode, GOAWAY_PROTOCOL_ERROR);
});

test('SpdySession: a PING flood ends the session with GOAWAY PROTOCOL_ERROR; closed rejects with that status; other sessions go on', async () => {
  const clock = new ManualClock();
  const { session, frames, send, writer, startReading } = hostileTransportPeer('server', {
    config: { now: clock.now, maxPingRate: 3 },
  });
  send(ping(1), ping(3), ping(5), ping(7), ping(9)).catch(() => {});
  const err = await rejectionOf(session.closed);
  assert.is(err.statusCode, GOAWAY_PROTOCOL_ERROR);
  await writer.close().catch(() => {});
  await startReading();
  assert.equal(frames.filter((f) => f.frameType === PING).map((f: any) => f.uniqueId), [1, 3, 5]);
  assert.is(goaways(frames)[0]?.statusCode, GOAWAY_PROTOCOL_ERROR);
  await assertHealthySpdySessions();
});

test.run();
