// The glitch bucket: frames a peer can send for free beyond PING, SETTINGS,
// RST_STREAM and empty DATA (tiny WINDOW_UPDATEs, HEADERS floods, frames for
// streams that are not open, stray PING echoes, repeated GOAWAYs, NOOP,
// CREDENTIAL, unknown frames) share one bucket of maxGlitchRate a second and
// glitchBurst at once; an empty bucket gets GOAWAY PROTOCOL_ERROR. Normal
// traffic never draws on it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT, CREDENTIAL, DATA, DATA_FLAG_FIN, CTRL_FLAG_FIN, GOAWAY, GOAWAY_PROTOCOL_ERROR, HEADERS, InvalidArgumentError, NOOP,
  FrameEncoder, PING, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SERVER, SYN_STREAM, WINDOW_UPDATE,
  resolveConfig,
  type FrameInit, type ProtocolVersion,
} from '../../src/index.js';
import { REQUEST, RESPONSE, RawPeer, bodyProvider, bytes } from '../session/harness.js';
import { rejectionOf } from '../streams/session-pair.js';
import { concatBytes } from '../../src/base/bytes.js';
import {
  ManualClock, assertHealthySessionPair, assertHealthySpdySessions, goaways, hostileTransportPeer,
} from './hostile-peer.js';

/** A server Session on a clock that stands still, its peer a raw client. */
function server(version: ProtocolVersion, config: Record<string, unknown> = {}, callbacks: Record<string, unknown> = {}) {
  const clock = new ManualClock();
  const peer = new RawPeer(SERVER, version, { ...callbacks, config: { now: clock.now, ...config } });
  peer.flush();
  return { peer, clock };
}

/** Bytes of a control frame of a type no version defines. */
function unknownControlFrame(version: ProtocolVersion): Uint8Array {
  const wire = version === PROTO_SPDY2 ? 2 : 3;
  return new Uint8Array([0x80, wire, 0x00, 0xf0, 0, 0, 0, 4, 1, 2, 3, 4]);
}

interface Flood {
  readonly name: string;
  readonly versions: readonly ProtocolVersion[];
  /** Frames that set the scene and are not counted. */
  readonly setup?: (peer: RawPeer) => void;
  /** Sends the nth frame of the flood. */
  readonly send: (peer: RawPeer, n: number) => void;
}

const ALL = [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1] as const;
const openStream1 = (peer: RawPeer): void => peer.feed({ frameType: SYN_STREAM, streamId: 1, nv: REQUEST });

const FLOODS: readonly Flood[] = [
  {
    name: 'WINDOW_UPDATEs of 1 byte on the connection',
    versions: [PROTO_SPDY3, PROTO_SPDY3_1],
    send: (peer) => peer.feed({ frameType: WINDOW_UPDATE, streamId: 0, deltaWindowSize: 1 }),
  },
  {
    name: 'WINDOW_UPDATEs of 1 byte on an open stream',
    versions: [PROTO_SPDY3, PROTO_SPDY3_1],
    setup: openStream1,
    send: (peer) => peer.feed({ frameType: WINDOW_UPDATE, streamId: 1, deltaWindowSize: 1 }),
  },
  {
    name: 'WINDOW_UPDATEs for a stream that is not open',
    versions: [PROTO_SPDY3, PROTO_SPDY3_1],
    send: (peer) => peer.feed({ frameType: WINDOW_UPDATE, streamId: 41, deltaWindowSize: 65536 }),
  },
  {
    name: 'HEADERS frames on one stream',
    versions: ALL,
    setup: (peer) => {
      openStream1(peer);
      peer.feed({ frameType: HEADERS, streamId: 1, nv: [['x-first', 'free']] });
    },
    send: (peer, n) => peer.feed({ frameType: HEADERS, streamId: 1, nv: [['x-again', String(n)]] }),
  },
  {
    name: 'DATA for a stream that is not open',
    versions: ALL,
    send: (peer) => peer.feed({ frameType: DATA, streamId: 41, flags: 0, data: new Uint8Array(1) }),
  },
  {
    name: 'PING echoes that answer no PING of ours',
    versions: ALL,
    send: (peer, n) => peer.feed({ frameType: PING, uniqueId: 2 * n + 2 }),
  },
  {
    name: 'GOAWAY after GOAWAY',
    versions: ALL,
    setup: (peer) => peer.feed({ frameType: GOAWAY, lastGoodStreamId: 0, statusCode: 0 }),
    send: (peer) => peer.feed({ frameType: GOAWAY, lastGoodStreamId: 0, statusCode: 0 }),
  },
  {
    name: 'NOOP frames',
    versions: ALL,
    send: (peer) => peer.feed({ frameType: NOOP } as FrameInit),
  },
  {
    name: 'CREDENTIAL frames',
    versions: [PROTO_SPDY3, PROTO_SPDY3_1],
    send: (peer) => peer.feed({ frameType: CREDENTIAL, slot: 1, proof: new Uint8Array(4), certificates: [] }),
  },
  {
    name: 'control frames of an unknown type',
    versions: ALL,
    send: (peer) => peer.session.recv(unknownControlFrame(peer.version)),
  },
];

const BURST = 20;

for (const flood of FLOODS) {
  for (const version of flood.versions) {
    test(`v${version}: ${flood.name}: a burst of glitchBurst is taken, one more gets GOAWAY PROTOCOL_ERROR`, () => {
      const { peer } = server(version, { glitchBurst: BURST });
      flood.setup?.(peer);
      for (let n = 0; n < BURST; n++) flood.send(peer, n);
      assert.is(goaways(peer.flush()).length, 0, 'the burst is within bounds');
      flood.send(peer, BURST);
      const [goaway] = goaways(peer.flush());
      assert.ok(goaway, 'GOAWAY on the wire');
      if (version !== PROTO_SPDY2) assert.is(goaway.statusCode, GOAWAY_PROTOCOL_ERROR);
      assert.is(peer.session.wantRead(), false);
    });
  }
}

test('defaults: a glitch bucket of 10,000 refilled at 330 a second; bad values refused; 0 turns it off', () => {
  const c = resolveConfig({});
  assert.equal([c.maxGlitchRate, c.glitchBurst], [330, 10_000]);
  assert.is(resolveConfig({ maxGlitchRate: 0 }).maxGlitchRate, 0);
  for (const [key, bad] of [['maxGlitchRate', -1], ['maxGlitchRate', 1.5], ['glitchBurst', 0], ['glitchBurst', '5']] as const) {
    assert.throws(() => resolveConfig({ [key]: bad } as any), (e: unknown) => e instanceof InvalidArgumentError, `${key}=${String(bad)}`);
  }
});

test('200,000 WINDOW_UPDATEs of 1 byte: the 10,001st gets GOAWAY PROTOCOL_ERROR, and nothing after it is processed', () => {
  const { peer } = server(PROTO_SPDY3_1, {}, { onCtrlRecvCb: () => {} });
  const encoder = new FrameEncoder({ version: PROTO_SPDY3_1, side: CLIENT });
  const one = encoder.encode({ frameType: WINDOW_UPDATE, streamId: 0, deltaWindowSize: 1 });
  const flood = new Uint8Array(one.length * 200_000);
  for (let i = 0; i < 200_000; i++) flood.set(one, i * one.length);
  peer.session.recv(flood);
  assert.is(goaways(peer.flush())[0]?.statusCode, GOAWAY_PROTOCOL_ERROR);
  assert.is(peer.log.frames('onCtrlRecvCb', WINDOW_UPDATE).length, 10_000);
  assertHealthySessionPair();
});

test('the glitch bucket refills at maxGlitchRate a second with the injected clock', () => {
  const { peer, clock } = server(PROTO_SPDY3, { maxGlitchRate: 10, glitchBurst: 10 });
  const wu = () => peer.feed({ frameType: WINDOW_UPDATE, streamId: 0, deltaWindowSize: 1 });
  for (let i = 0; i < 10; i++) wu();
  clock.advance(500);
  for (let i = 0; i < 5; i++) wu();
  assert.is(goaways(peer.flush()).length, 0, '15 over half a second at 10 a second with a burst of 10 are fine');
  wu();
  assert.is(goaways(peer.flush())[0]?.statusCode, GOAWAY_PROTOCOL_ERROR);
});

test('maxGlitchRate 0 turns the glitch bucket off; the four older limits stay on', () => {
  const { peer } = server(PROTO_SPDY3_1, { maxGlitchRate: 0, maxPingRate: 2 });
  for (let i = 0; i < 20_000; i++) peer.feed({ frameType: WINDOW_UPDATE, streamId: 0, deltaWindowSize: 1 });
  assert.is(goaways(peer.flush()).length, 0);
  peer.feed({ frameType: PING, uniqueId: 1 }, { frameType: PING, uniqueId: 3 }, { frameType: PING, uniqueId: 5 });
  assert.is(goaways(peer.flush())[0]?.statusCode, GOAWAY_PROTOCOL_ERROR);
});

test('PINGs the peer starts draw on maxPingRate, not on the glitch bucket', () => {
  const { peer } = server(PROTO_SPDY3, { glitchBurst: 1, maxPingRate: 50 });
  for (let i = 0; i < 50; i++) peer.feed({ frameType: PING, uniqueId: 2 * i + 1 });
  assert.is(goaways(peer.flush()).length, 0);
  assert.is(peer.sentOf(PING).length, 50);
});

for (const version of [PROTO_SPDY3, PROTO_SPDY3_1] as const) {
  test(`v${version}: 64 MiB to a peer that gives back every DATA frame at once never trips the glitch bucket, on a clock that stands still`, () => {
    const size = 64 * 1024 * 1024;
    const body = bytes(size, 9);
    const { peer } = server(version, {}, {
      onRequestRecvCb: (s: any, id: number) => s.submitResponse(id, RESPONSE, bodyProvider(body)),
    });
    peer.feed({ frameType: SYN_STREAM, streamId: 1, flags: CTRL_FLAG_FIN, nv: REQUEST } as FrameInit);
    let received = 0;
    let updates = 0;
    let fin = false;
    for (let round = 0; !fin && round < 1_000_000; round++) {
      const out = peer.flush();
      peer.sent.length = 0;
      assert.is(goaways(out).length, 0);
      const acks: FrameInit[] = [];
      for (const f of out as any[]) {
        if (f.frameType !== DATA) continue;
        received += f.data.length;
        fin ||= (f.flags & DATA_FLAG_FIN) !== 0;
        acks.push({ frameType: WINDOW_UPDATE, streamId: 1, deltaWindowSize: f.data.length });
        if (version === PROTO_SPDY3_1) acks.push({ frameType: WINDOW_UPDATE, streamId: 0, deltaWindowSize: f.data.length });
      }
      updates += acks.length;
      if (!fin) peer.feed(...acks);
    }
    assert.is(received, size);
    assert.ok(updates > 10_000, `${updates} WINDOW_UPDATEs, more than the glitch burst`);
    assert.is(peer.session.goawayState.sent, false);
  });
}

test('trailers on 12,000 streams, more than the glitch burst, on a clock that stands still, are all served', () => {
  let served = 0;
  const { peer } = server(PROTO_SPDY3_1, {}, {
    onRequestRecvCb: (s: any, id: number) => {
      served++;
      s.submitResponse(id, RESPONSE);
    },
  });
  for (let id = 1; id < 24_000; id += 2) {
    peer.feed({ frameType: SYN_STREAM, streamId: id, nv: REQUEST });
    peer.feed({ frameType: HEADERS, streamId: id, flags: CTRL_FLAG_FIN, nv: [['x-checksum', String(id)]] } as FrameInit);
    peer.flush();
    peer.sent.length = 0;
  }
  assert.is(served, 12_000);
  assert.is(peer.session.goawayState.sent, false);
});

test('SpdySession: a WINDOW_UPDATE and HEADERS flood ends with GOAWAY PROTOCOL_ERROR while another session is served', async () => {
  const { session, frames, writer, encode } = hostileTransportPeer('server');
  const healthy = assertHealthySpdySessions();
  const flood: Uint8Array[] = [encode({ frameType: SYN_STREAM, streamId: 1, nv: REQUEST })];
  for (let i = 0; i < 6000; i++) {
    flood.push(encode({ frameType: WINDOW_UPDATE, streamId: 1, deltaWindowSize: 1 }));
    flood.push(encode({ frameType: HEADERS, streamId: 1, nv: [['x-n', String(i)]] }));
  }
  writer.write(concatBytes(flood)).catch(() => {});
  const err = await rejectionOf(session.closed);
  assert.is(err.statusCode, GOAWAY_PROTOCOL_ERROR);
  await writer.close().catch(() => {});
  await healthy;
  assert.is(goaways(frames)[0]?.statusCode, GOAWAY_PROTOCOL_ERROR);
  await assertHealthySpdySessions();
});

test.run();
