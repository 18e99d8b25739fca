// A callback that throws, at any point of a conversation: JavaScript's
// counterpart of spdylay's failmalloc runs (spdylay-behaviours.md section 7).
// The error leaves the send() or recv() that ran the callback as it was
// thrown, and no later call on either session throws anything. The session
// is meant to be dropped after such an error (see Session's doc comment), so
// the conversation itself is not expected to go on correctly.
// (Hostile input is covered by tests/hardening/fuzz.test.ts.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT, SERVER, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, CTRL_FLAG_FIN, CTRL_FLAG_UNIDIRECTIONAL, CANCEL,
  GOAWAY_OK, SETTINGS_MAX_CONCURRENT_STREAMS, READ_EOF, ERR_DEFERRED, Session, DataProvider,
  type ProtocolVersion, type SessionCallbacks, type SessionOptions, type Side,
} from '../../src/index.js';
import { REQUEST, RESPONSE, bytes } from './harness.js';

/** What the test throws from a callback; nothing else may come out of the session. */
class Planted extends Error {}

type Target = keyof SessionCallbacks | 'readCb';

const TARGETS: Target[] = [
  'sendCb', 'recvCb', 'readCb', 'onCtrlRecvCb', 'onInvalidCtrlRecvCb', 'onDataChunkRecvCb', 'onDataRecvCb',
  'beforeCtrlSendCb', 'onCtrlSendCb', 'onCtrlNotSendCb', 'onDataSendCb', 'onStreamCloseCb', 'onRequestRecvCb',
  'onCtrlRecvParseErrorCb', 'onUnknownCtrlRecvCb',
];

interface Run {
  /** Calls of each target on the session under test. */
  readonly calls: Map<Target, number>;
  /** Errors that came out of the session under test, in order. */
  readonly thrown: unknown[];
  /** Errors that came out of its peer. */
  readonly peerThrown: unknown[];
}

/** A control frame of a type no version knows; it does not touch the zlib streams. */
const UNKNOWN = (v: number) => new Uint8Array([0x80, v, 0, 0x42, 0, 0, 0, 2, 0xaa, 0xbb]);
/** A PING too long for its type: a parse error, and the end of the session. */
const BAD_PING = (v: number) => new Uint8Array([0x80, v, 0, 6, 0, 0, 0, 8, 0, 0, 0, 2, 0, 0, 0, 0]);
/** A WINDOW_UPDATE that takes stream `id` past 2^31-1: an invalid frame. */
const HUGE_UPDATE = (id: number) => new Uint8Array([0x80, 3, 0, 9, 0, 0, 0, 8, 0, 0, 0, id, 0x7f, 0xff, 0xff, 0xff]);

/**
 * A client and a server talk: settings, pings, four requests (two with
 * bodies, one reset, one whose body never comes), a push, HEADERS that
 * cannot be sent, an unknown frame, an invalid WINDOW_UPDATE (SPDY/3 and
 * 3.1), GOAWAYs, and a broken PING at the end. The session on `side` has
 * `fail.target` throw on its `fail.nth` call.
 */
function converse(version: ProtocolVersion, side: Side, fail?: { target: Target; nth: number }): Run {
  const calls = new Map<Target, number>();
  const thrown: unknown[] = [];
  const peerThrown: unknown[] = [];
  const toServer: Uint8Array[] = [];
  const toClient: Uint8Array[] = [];
  const inbox = side === CLIENT ? toClient : toServer;
  const outbox = side === CLIENT ? toServer : toClient;

  /** Counts a call of `target` on the session under test, and throws if it is the planted one. */
  const hit = (target: Target): void => {
    const n = (calls.get(target) ?? 0) + 1;
    calls.set(target, n);
    if (fail && fail.target === target && fail.nth === n) throw new Planted(`${target} #${n}`);
  };
  const provider = (body: Uint8Array, mine: boolean) => new DataProvider({ offset: 0 }, (_s, _id, length, ctrl, src) => {
    if (mine) hit('readCb');
    const chunk = body.subarray(src.offset, src.offset + length);
    src.offset += chunk.length;
    if (src.offset >= body.length) ctrl.flags = READ_EOF;
    return chunk;
  });
  const options = (mine: boolean, own: SessionOptions): SessionOptions => {
    if (!mine) return own;
    const out: Record<string, unknown> = { ...own };
    for (const name of TARGETS) {
      if (name === 'readCb' || name === 'sendCb' || name === 'recvCb') continue;
      const inner = own[name] as ((...a: unknown[]) => void) | undefined;
      out[name] = (...args: unknown[]) => {
        hit(name);
        inner?.(...args);
      };
    }
    return out as SessionOptions;
  };
  const serverIsMine = side === SERVER;

  // The session under test reads through recvCb, so that it can fail too.
  const reading: Uint8Array[] = [];
  const recvCb = () => {
    hit('recvCb');
    return reading.shift() ?? null;
  };
  const client = new Session(CLIENT, version, options(!serverIsMine, {
    ...(serverIsMine ? {} : { recvCb }),
    sendCb: (_s, d) => {
      if (!serverIsMine) hit('sendCb');
      toServer.push(d.slice());
      return d.length;
    },
  }));
  const server = new Session(SERVER, version, options(serverIsMine, {
    ...(serverIsMine ? { recvCb } : {}),
    sendCb: (_s, d) => {
      if (serverIsMine) hit('sendCb');
      toClient.push(d.slice());
      return d.length;
    },
    onRequestRecvCb: (s, id) => {
      if (id === 5) {
        s.submitRstStream(id, CANCEL);
        return;
      }
      s.submitResponse(id, RESPONSE, provider(bytes(6000, id), serverIsMine));
      if (id === 1) s.submitSynStream(CTRL_FLAG_UNIDIRECTIONAL | CTRL_FLAG_FIN, 3, [[':status', '200 OK'], [':path', '/pushed']], 1);
    },
  }));
  const mine = side === CLIENT ? client : server;
  const peer = side === CLIENT ? server : client;

  const recvMine = (): void => {
    reading.push(...inbox.splice(0));
    try {
      mine.recv();
    } catch (err) {
      thrown.push(err);
    }
  };
  const sendMine = (): void => {
    try {
      mine.send();
    } catch (err) {
      thrown.push(err);
    }
  };
  const deliverToPeer = (): void => {
    try {
      for (const chunk of outbox.splice(0)) peer.recv(chunk);
      peer.send();
    } catch (err) {
      peerThrown.push(err);
    }
  };
  const pump = (): void => {
    for (let round = 0; round < 200; round++) {
      sendMine();
      deliverToPeer();
      if (inbox.length === 0 && outbox.length === 0) return;
      recvMine();
    }
  };

  client.submitSettings(0, [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 50]]);
  client.submitRequest(3, [[':method', 'POST'], [':path', '/up'], [':version', 'HTTP/1.1']], provider(bytes(9000, 1), !serverIsMine));
  client.submitPing();
  server.submitPing();
  client.submitRequest(1, REQUEST);
  pump();
  client.submitRequest(2, REQUEST, provider(bytes(100, 2), !serverIsMine));
  // A request whose body never comes keeps its stream open on both sides.
  client.submitRequest(3, [[':method', 'POST'], [':path', '/slow'], [':version', 'HTTP/1.1']], new DataProvider(null, () => ERR_DEFERRED));
  // Not sendable: no such stream (ids are given when SYN_STREAMs are written).
  if (version !== PROTO_SPDY2) client.submitHeaders(CTRL_FLAG_FIN, 5, [['x-late', 'yes']]);
  server.submitHeaders(0, 99, [['x', 'y']]);
  client.submitHeaders(0, 97, [['x', 'y']]);
  inbox.push(UNKNOWN(version === PROTO_SPDY2 ? 2 : 3));
  pump();
  if (version !== PROTO_SPDY2) {
    const open = [1, 3, 5, 7, 9].find((id) => mine.isStreamOpen(id));
    assert.ok(open !== undefined || thrown.length > 0, 'the slow request is open');
    if (open !== undefined) inbox.push(HUGE_UPDATE(open));
  }
  client.submitGoaway(GOAWAY_OK);
  server.submitGoaway(GOAWAY_OK);
  pump();
  inbox.push(BAD_PING(version === PROTO_SPDY2 ? 2 : 3));
  pump();
  return { calls, thrown, peerThrown };
}

for (const version of [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1] as const) {
  for (const side of [CLIENT, SERVER] as const) {
    const who = side === CLIENT ? 'client' : 'server';
    test(`v${version} ${who}: any callback throwing at any of its calls: that error comes out of send() or recv(), and nothing else ever throws, here or in the peer`, () => {
      const clean = converse(version, side);
      assert.equal(clean.thrown, []);
      assert.equal(clean.peerThrown, []);
      let runs = 0;
      for (const target of TARGETS) {
        const count = clean.calls.get(target) ?? 0;
        for (let nth = 1; nth <= count; nth++) {
          const run = converse(version, side, { target, nth });
          const what = `${target} #${nth}`;
          assert.ok(run.thrown[0] instanceof Planted && run.thrown[0].message === what, `${what}: ${String(run.thrown[0])}`);
          assert.equal(run.thrown.slice(1).map(String), [], `${what}: errors after the planted one`);
          assert.equal(run.peerThrown.map(String), [], `${what}: the peer`);
          runs++;
        }
      }
      // Every callback the conversation can reach was made to fail somewhere.
      const reached = TARGETS.filter((t) => (clean.calls.get(t) ?? 0) > 0);
      const unreachable: Target[] = side === CLIENT ? ['onRequestRecvCb'] : [];
      if (version === PROTO_SPDY2) unreachable.push('onInvalidCtrlRecvCb');
      assert.equal(reached, TARGETS.filter((t) => !unreachable.includes(t)));
      assert.ok(runs > 70, `${runs} runs`);
    });
  }
}

test('after a callback throws inside recv(), later input is ignored rather than read out of step', () => {
  const toServer: Uint8Array[] = [];
  let serverSent = 0;
  let serverCallbacks = 0;
  let failNext = true;
  const client = new Session(CLIENT, PROTO_SPDY3, { sendCb: (_s, d) => (toServer.push(d.slice()), d.length) });
  const server = new Session(SERVER, PROTO_SPDY3, {
    sendCb: (_s, d) => ((serverSent += d.length), d.length),
    onCtrlRecvCb: () => {
      serverCallbacks++;
      if (failNext) {
        failNext = false;
        throw new Planted('planted');
      }
    },
    onCtrlRecvParseErrorCb: () => void serverCallbacks++,
  });
  server.send();
  client.submitRequest(3, REQUEST);
  client.submitRequest(3, REQUEST);
  client.send();
  // SETTINGS then two SYN_STREAMs in one chunk: the SETTINGS callback throws,
  // and the SYN_STREAMs' header blocks never reach the shared zlib stream.
  const parts = toServer.splice(0);
  const chunk = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  parts.reduce((pos, b) => (chunk.set(b, pos), pos + b.length), 0);
  assert.throws(() => server.recv(chunk), (e: unknown) => e instanceof Planted);
  const [callbacksBefore, sentBefore] = [serverCallbacks, serverSent];
  // Read out of step, this SYN_STREAM would break the zlib stream: a parse error and a GOAWAY.
  client.submitRequest(3, REQUEST);
  client.send();
  for (const b of toServer.splice(0)) server.recv(b);
  server.send();
  assert.is(serverCallbacks, callbacksBefore);
  assert.is(serverSent, sentBefore);
});

test.run();
