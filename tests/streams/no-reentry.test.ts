// A SpdySession never re-enters the sans-IO Session: what the Session's
// callbacks ask for while it is receiving or sending (a window given back,
// a refused stream, a failed session, DATA for a push) is queued and run
// once `recvFrame` or `send` has returned. Each test counts how deep a
// session is inside `recvFrame`/`recvDecodeError`/`send` and inside one of
// its callbacks, and records any send/submit*/consume/failSession/resumeData
// the streams layer makes from there.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  GOAWAY_PROTOCOL_ERROR, PROTO_SPDY3, REFUSED_STREAM, type SessionCallbacks, type SpdySession,
} from '../../src/index.js';
import { nextIncoming, ok, randomBytes, readAll, rejectionOf, request, sessionPair, sha256, writeAll } from './session-pair.js';

const ENTRY_POINTS = ['recvFrame', 'recvDecodeError', 'send'] as const;
const FORBIDDEN = /^(send|submit[A-Za-z]*|consume|failSession|resumeData)$/;

interface Watch {
  /** Calls made into the Session from one of its callbacks, while it was inside an entry point. */
  readonly reentries: string[];
  /** How many calls of each watched method were made from outside the Session. */
  readonly calls: Map<string, number>;
}

/**
 * Wraps `session.core`'s entry points and the methods the streams layer
 * must not call from inside them, and the callbacks the Session calls (the
 * options object it was made with), so that the Session's own internal
 * calls (a GOAWAY its receive path queues) are told apart from ours.
 */
function watch(session: SpdySession): Watch {
  const core = session.core as unknown as Record<string, unknown>;
  const callbacks = (session.core as unknown as { cb: SessionCallbacks }).cb as unknown as Record<string, unknown>;
  const result: Watch = { reentries: [], calls: new Map() };
  let insideEntry = 0;
  let insideCallback = 0;
  const wrap = (target: Record<string, unknown>, name: string, around: (call: () => unknown) => unknown): void => {
    const original = target[name] as (...args: unknown[]) => unknown;
    target[name] = function (this: unknown, ...args: unknown[]) {
      return around(() => original.apply(this, args));
    };
  };
  const depth = (inc: (d: number) => void) => (call: () => unknown): unknown => {
    inc(1);
    try {
      return call();
    } finally {
      inc(-1);
    }
  };
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(session.core); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) names.add(name);
  }
  for (const name of names) {
    if (!FORBIDDEN.test(name) || typeof core[name] !== 'function') continue;
    wrap(core, name, (call) => {
      if (insideEntry > 0 && insideCallback > 0) result.reentries.push(name);
      else if (insideCallback === 0) result.calls.set(name, (result.calls.get(name) ?? 0) + 1);
      return call();
    });
  }
  for (const name of ENTRY_POINTS) wrap(core, name, depth((d) => { insideEntry += d; }));
  for (const name of Object.keys(callbacks)) {
    if (typeof callbacks[name] === 'function') wrap(callbacks, name, depth((d) => { insideCallback += d; }));
  }
  return result;
}

test('a 1 MiB upload to a waiting reader gives windows back from outside recvFrame', async () => {
  const { client, server } = sessionPair();
  const watches = [watch(client), watch(server)];
  const body = randomBytes(1 << 20, 7);
  const stream = await client.openStream({ headers: request('/upload', 'POST') });
  const incoming = await nextIncoming(server);
  const received = readAll(incoming.readable);
  await writeAll(stream.writable, body);
  assert.is(sha256(await received), sha256(body));
  for (const w of watches) assert.equal(w.reentries, []);
  const consumed = watches[1]!.calls.get('consume') ?? 0;
  assert.ok(consumed > 0, 'the server reported what it read');
  await incoming.respond(ok(), { endStream: true });
  await Promise.all([client.close(), server.close()]);
});

test('a stream refused because incoming was cancelled is reset from outside recvFrame', async () => {
  const { client, server } = sessionPair();
  const watches = [watch(client), watch(server)];
  await server.incoming.cancel();
  const stream = await client.openStream({ headers: request(), endStream: true });
  const err = await rejectionOf(stream.closed);
  assert.is(err.statusCode, REFUSED_STREAM);
  for (const w of watches) assert.equal(w.reentries, []);
  assert.is(watches[1]!.calls.get('submitRstStream'), 1);
  await client.close();
});

test('unread bytes past maxSessionBufferedBytes fail the session from outside recvFrame', async () => {
  const { client, server } = sessionPair({ version: PROTO_SPDY3, serverConfig: { maxSessionBufferedBytes: 100_000 } });
  const watches = [watch(client), watch(server)];
  for (let i = 0; i < 2; i++) {
    const stream = await client.openStream({ headers: request('/', 'POST') });
    writeAll(stream.writable, new Uint8Array(60_000)).catch(() => {});
  }
  assert.is((await rejectionOf(server.closed)).statusCode, GOAWAY_PROTOCOL_ERROR);
  await rejectionOf(client.closed);
  for (const w of watches) assert.equal(w.reentries, []);
  assert.is(watches[1]!.calls.get('failSession'), 1);
});

test('a push submits its body from outside the send loop', async () => {
  const { client, server } = sessionPair();
  const watches = [watch(client), watch(server)];
  const stream = await client.openStream({ headers: request(), endStream: true });
  const parent = await nextIncoming(server);
  await parent.respond(ok());
  const pushed = await parent.push([[':path', '/pushed'], [':status', '200'], [':version', 'HTTP/1.1']]);
  const w = pushed.writable.getWriter();
  await w.write(new Uint8Array([1, 2, 3]));
  await w.close();
  await parent.writable.close();
  const clientPush = await nextIncoming(client);
  assert.equal([...await readAll(clientPush.readable)], [1, 2, 3]);
  await readAll(stream.readable);
  for (const w of watches) assert.equal(w.reentries, []);
  await client.close();
});

test.run();
