// Seeded, deterministic fuzzing: valid sessions recorded off the wire, then
// bytes flipped, lengths rewritten, frames cut, repeated, swapped and mixed
// with noise, fed in random splits to a sans-IO Session and to a
// SpdySession. Neither may throw, hang or grow without bound, and sessions
// beside them keep working. A failure names its seed and case.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SERVER, SETTINGS_MAX_CONCURRENT_STREAMS,
  Session, SpdyError, createMemoryTransportPair, SpdySession, CANCEL,
  type ProtocolVersion,
} from '../../src/index.js';
import { REQUEST, RESPONSE, bodyProvider, bytes } from '../session/harness.js';
import { iterate } from '../streams/session-pair.js';
import { concatBytes } from '../../src/base/bytes.js';
import { assertHealthySessionPair, assertHealthySpdySessions } from './hostile-peer.js';
import { prng } from '../fuzz/prng.js';
import { hostileSession } from '../fuzz/targets.js';

const SEED = 0x5eed5;

/**
 * A valid conversation, recorded frame by frame in both directions: two
 * requests with bodies, a GET, PINGs, SETTINGS, a reset stream, trailers,
 * window updates, and a GOAWAY at the end.
 */
function recordSession(version: ProtocolVersion): { fromClient: Uint8Array[]; fromServer: Uint8Array[] } {
  const fromClient: Uint8Array[] = [];
  const fromServer: Uint8Array[] = [];
  const toServer: Uint8Array[] = [];
  const toClient: Uint8Array[] = [];
  const client = new Session(CLIENT, version, {
    sendCb: (_s, d) => (fromClient.push(d.slice()), toServer.push(d.slice()), d.length),
  });
  const server = new Session(SERVER, version, {
    sendCb: (_s, d) => (fromServer.push(d.slice()), toClient.push(d.slice()), d.length),
    onRequestRecvCb: (s, id) => {
      if (id === 5) s.submitRstStream(id, CANCEL);
      else s.submitResponse(id, RESPONSE, bodyProvider(bytes(6000, id)));
    },
  });
  const pump = (): void => {
    for (let round = 0; round < 1000; round++) {
      client.send();
      server.send();
      if (toServer.length === 0 && toClient.length === 0) return;
      for (const c of toServer.splice(0)) server.recv(c);
      for (const c of toClient.splice(0)) client.recv(c);
    }
  };
  client.submitSettings(0, [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, 50]]);
  client.submitRequest(3, [...REQUEST.filter(([n]) => n !== ':method'), [':method', 'POST']], bodyProvider(bytes(9000, 1)));
  client.submitPing();
  client.submitRequest(1, REQUEST);
  server.submitPing();
  pump();
  client.submitRequest(2, REQUEST, bodyProvider(bytes(100, 2)));
  if (version !== PROTO_SPDY2) client.submitHeaders(0, 1, [['x-late', 'yes']]);
  pump();
  client.submitGoaway(0);
  server.submitGoaway(0);
  pump();
  return { fromClient, fromServer };
}

/** One hostile variation of a recorded frame list. */
function mutate(frames: readonly Uint8Array[], rnd: ReturnType<typeof prng>): Uint8Array {
  const out: Uint8Array[] = frames.map((f) => f.slice());
  const edits = 1 + rnd.int(4);
  for (let e = 0; e < edits; e++) {
    const i = rnd.int(out.length);
    const f = out[i]!;
    switch (rnd.int(9)) {
      case 0: // flip bits
        for (let k = 1 + rnd.int(3); k > 0; k--) f[rnd.int(f.length)]! ^= 1 << rnd.int(8);
        break;
      case 1: { // lie about the length
        const n = [0, 1, 7, 8, 0xffffff, f.length - 8 + 1, f.length - 8 - 1, rnd.int(0x1000000)][rnd.int(8)]!;
        if (f.length >= 8) { f[5] = (n >>> 16) & 0xff; f[6] = (n >>> 8) & 0xff; f[7] = n & 0xff; }
        break;
      }
      case 2: // cut short
        out[i] = f.slice(0, rnd.int(f.length));
        break;
      case 3: // repeat
        out.splice(i, 0, f.slice());
        break;
      case 4: { // swap two
        const j = rnd.int(out.length);
        [out[i], out[j]] = [out[j]!, f];
        break;
      }
      case 5: // noise
        out.splice(i, 0, bytes(1 + rnd.int(40), rnd.int(1 << 30)));
        break;
      case 6: // another type, or another version
        if (f.length >= 4) {
          if (rnd.int(2)) f[3] = rnd.int(12);
          else f[1] = rnd.int(5);
        }
        break;
      case 7: // another stream id or flags
        if (f.length >= 9) {
          if (rnd.int(2)) f[4] = rnd.int(256);
          else f[11 - rnd.int(4)] = rnd.int(256);
        }
        break;
      default: // a frame of the other direction, or from the start again
        out.splice(i, 0, out[rnd.int(out.length)]!.slice());
    }
  }
  return concatBytes(out);
}

for (const version of [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1] as const) {
  test(`v${version}: 1500 mutated conversations fed to a Session, each side: no throw, bounded queue, GOAWAY or carry on`, () => {
    const recorded = recordSession(version);
    const rnd = prng(SEED + version);
    const endings = { goaway: 0, open: 0 };
    for (let n = 0; n < 1500; n++) {
      const side = n % 2 === 0 ? SERVER : CLIENT;
      const input = mutate(side === SERVER ? recorded.fromClient : recorded.fromServer, rnd);
      const session = hostileSession(side, version, rnd);
      try {
        for (let pos = 0; pos < input.length;) {
          const len = 1 + rnd.int(rnd.int(4) === 0 ? 16 : 4096);
          session.recv(input.subarray(pos, pos + len));
          session.send();
          pos += len;
        }
        for (let i = 0; i < 1000 && session.wantWrite(); i++) session.send();
      } catch (err) {
        assert.unreachable(`seed ${SEED + version}, case ${n}: ${String((err as Error)?.stack ?? err)}`);
      }
      assert.ok(session.getOutboundQueueSize() < 300, `case ${n}: queue of ${session.getOutboundQueueSize()}`);
      assert.ok(session.numOpenStreams <= 100, `case ${n}: ${session.numOpenStreams} streams`);
      endings[session.goawayState.sent ? 'goaway' : 'open']++;
    }
    // The mutations reach both outcomes: not all fatal at the first byte, not all harmless.
    assert.ok(endings.goaway > 100 && endings.open > 100, JSON.stringify(endings));
    assertHealthySessionPair(version);
  });
}

/** Resolves with what `p` settled to, or rejects if it has not settled once the watchdog fires. */
function withinWatchdog<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung: ${what}`)), 20_000);
  });
  return Promise.race([p, watchdog]).finally(() => clearTimeout(timer));
}

test('SpdySession: 150 mutated conversations from a hostile client end with closed settled, only SpdyErrors, and others unharmed', async () => {
  const rnd = prng(SEED);
  const versions: readonly ProtocolVersion[] = [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1];
  const recorded = new Map(versions.map((v) => [v, recordSession(v)] as const));
  const bystander = (async () => assertHealthySpdySessions())();
  const endings = { clean: 0, failed: 0 };
  for (let n = 0; n < 150; n++) {
    const version = versions[n % 3]!;
    const input = mutate(recorded.get(version)!.fromClient, rnd);
    const [ours, theirs] = createMemoryTransportPair();
    const session = new SpdySession(ours, { side: 'server', version });
    const serving = (async () => {
      for await (const stream of iterate(session.incoming)) {
        stream.respond(RESPONSE, { endStream: true }).catch(() => {});
        stream.readable.cancel().catch(() => {});
      }
    })().catch(() => {});
    const draining = theirs.readable.pipeTo(new WritableStream()).catch(() => {});
    const writer = theirs.writable.getWriter();
    const writing = (async () => {
      for (let pos = 0; pos < input.length;) {
        const len = 1 + rnd.int(8192);
        await writer.write(input.slice(pos, pos + len));
        pos += len;
      }
      await writer.close();
    })().catch(() => {});
    const outcome = await withinWatchdog(
      session.closed.then(() => null, (err: unknown) => err),
      `seed ${SEED}, SpdySession case ${n}`,
    );
    if (outcome !== null) {
      assert.instance(outcome, SpdyError, `case ${n}: closed rejected with ${String(outcome)}`);
    }
    endings[outcome === null ? 'clean' : 'failed']++;
    await Promise.all([serving, writing, draining]);
    assert.is(session.numOpenStreams, 0, `case ${n}`);
    assert.is(session.bufferedBytes, 0, `case ${n}`);
  }
  assert.ok(endings.clean > 10 && endings.failed > 10, JSON.stringify(endings));
  await bystander;
  await assertHealthySpdySessions();
});

test.run();
