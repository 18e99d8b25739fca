/**
 * Interoperation with Go's moby/spdystream, the SPDY end of Kubernetes
 * exec, attach and port-forward, shaped the way Kubernetes uses it: an
 * HTTP/1.1 `Upgrade: SPDY/3.1` handshake, then spdystream on the connection.
 * spdystream does no flow control at all, so our side runs with
 * `peerFlowControl: false`; it also drops the whole connection, without a
 * word, on frames it does not like, so every test checks that the peer's
 * read loop ended because of a GOAWAY or a closed socket and not a frame.
 *
 * The peer is tests/peers/spdystream/main.go, built here with Debian's
 * golang-go and golang-github-docker-spdystream-dev.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CANCEL, INTERNAL_ERROR, PROTO_SPDY3_1, REFUSED_STREAM,
} from '../../src/base/constants.js';
import type { Nv } from '../../src/codec/nv.js';
import { dial } from '../../src/node/dial.js';
import { acceptNodeUpgrade } from '../../src/node/http/upgrade-listener.js';
import { SpdySession } from '../../src/streams/spdy-session.js';
import type { SpdyStream } from '../../src/streams/spdy-stream.js';
import { available, buildSpdystreamPeer, goSpdystream, Peer, type PeerEvent } from './peers.js';

const KUBE = { peerFlowControl: false } as const;

const sha256 = (chunks: Iterable<Uint8Array>): string => {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest('hex');
};

const header = (nv: Nv, name: string): string | undefined => nv.find(([n]) => n === name)?.[1];

async function readAll(stream: SpdyStream): Promise<{ bytes: number; sha256: string; text: string }> {
  const h = createHash('sha256');
  let bytes = 0;
  const head: Buffer[] = [];
  for await (const chunk of stream.readable) {
    h.update(chunk);
    bytes += chunk.length;
    if (bytes <= 4096) head.push(Buffer.from(chunk));
  }
  return { bytes, sha256: h.digest('hex'), text: Buffer.concat(head).toString() };
}

async function writeBody(stream: SpdyStream, body: Uint8Array, chunk = 65536): Promise<void> {
  const writer = stream.writable.getWriter();
  for (let off = 0; off < body.length; off += chunk) await writer.write(body.subarray(off, off + chunk));
  await writer.close();
}

/** The reason a promise rejected (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<{ statusCode?: number; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { statusCode?: number; message: string };
  }
  throw new Error('expected a rejection');
}

/** Our client on a connection upgraded the way kubectl port-forward does. */
async function kubeClient(port: number): Promise<SpdySession> {
  const dialed = await dial(new URL(`http://127.0.0.1:${port}`), {
    upgrade: {
      method: 'POST',
      path: '/api/v1/namespaces/default/pods/web/portforward',
      headers: [['X-Stream-Protocol-Version', 'portforward.k8s.io']],
    },
  });
  return new SpdySession(dialed.transport, { side: 'client', version: dialed.version, config: KUBE });
}

/** The peer's verdict on a connection: it ended on a GOAWAY or a closed socket, never on a frame it refused. */
function assertNotDropped(closed: PeerEvent): void {
  assert.is(closed.dropped, false, `spdystream dropped the connection: ${String(closed.frameError)}`);
  assert.is(closed.frameError, '', `spdystream refused a frame: ${String(closed.frameError)}`);
}

if (available(goSpdystream, 'tests/interop/spdystream.test.ts')) {
  const bin = buildSpdystreamPeer();

  // ---- our client, a spdystream server ----
  const toGo = suite<{ peer: Peer; port: number }>('our client to a spdystream server');

  toGo.before(async (ctx) => {
    ctx.peer = Peer.start(bin, ['server']);
    ctx.port = Number((await ctx.peer.line(/^listening (\d+)$/))[1]);
  });
  toGo.after(async (ctx) => {
    await ctx.peer?.stop();
  });

  toGo('port-forward shape: 16 MiB echoed through several streams at once arrives intact', async ({ peer, port }) => {
    const session = await kubeClient(port);
    const upgraded = await peer.next('upgraded');
    assert.is(upgraded.method, 'POST');
    assert.equal(upgraded.protocols, ['portforward.k8s.io']);
    const conn = upgraded.conn;

    const sizes = [16 << 20, 1 << 20, 300_000, 1];
    const results = await Promise.all(sizes.map(async (size, i) => {
      const ids: Nv = [['port', String(8080 + i)], ['requestid', String(i)]];
      // As kubectl does: an error stream, its write side closed at once, then the data stream.
      const error = await session.openStream({ headers: [['streamtype', 'error'], ...ids], endStream: true });
      const data = await session.openStream({ headers: [['streamtype', 'data'], ...ids] });
      const body = randomBytes(size);
      const [echo] = await Promise.all([readAll(data), writeBody(data, body)]);
      const reply = await data.headers;
      const trailers = await data.trailers;
      const errors = await readAll(error);
      return { size, sent: sha256([body]), echo, reply, trailers, errors };
    }));
    for (const [i, r] of results.entries()) {
      assert.is(r.echo.bytes, r.size);
      assert.is(r.echo.sha256, r.sent, `stream ${i}: the echo differs from what we sent`);
      assert.is(header(r.trailers, 'sha256'), r.sent, `stream ${i}: spdystream received other bytes than we sent`);
      assert.is(header(r.trailers, 'bytes'), String(r.size));
      assert.is(header(r.reply, 'requestid'), String(i));
      assert.is(r.errors.bytes, 0);
    }
    const echoed = await Promise.all(sizes.map(() => peer.next('echoed', (e) => e.conn === conn)));
    assert.equal(echoed.map((e) => e.bytes).sort((a, b) => Number(a) - Number(b)), [...sizes].sort((a, b) => a - b));

    assert.ok((await session.ping()) >= 0);
    assert.is((await peer.next('ping', (e) => e.conn === conn)).ok, true, 'spdystream pinged us and got no answer');

    await session.close();
    const closed = await peer.next('closed', (e) => e.conn === conn);
    assertNotDropped(closed);
    assert.is(closed.goaway, true);
  });

  toGo('spdystream keeps the connection through a whole session of many streams, resets both ways and odd headers', async ({ peer, port }) => {
    const session = await kubeClient(port);
    const conn = (await peer.next('upgraded')).conn;

    // 120 streams, 40 at a time, with names given in mixed case and one repeated:
    // spdystream drops the connection on upper-case or duplicate names.
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 40 }, async (_, j) => {
        const i = round * 40 + j;
        const stream = await session.openStream({
          headers: [['StreamType', 'data'], ['RequestID', String(i)], ['X-Multi', 'a'], ['x-multi', 'b']],
        });
        const body = new TextEncoder().encode(`stream ${i} `.repeat(i + 1));
        const [echo] = await Promise.all([readAll(stream), writeBody(stream, body)]);
        assert.is(echo.text, new TextDecoder().decode(body));
      }));
    }
    const echoed = await Promise.all(Array.from({ length: 120 }, () => peer.next('echoed', (e) => e.conn === conn)));
    const seen = echoed.map((e) => e.headers as Record<string, string[]>);
    assert.ok(seen.every((h) => h['X-Multi']?.join(',') === 'a,b'), 'repeated names arrive as one NUL-joined entry');
    assert.equal(seen.map((h) => Number(h.Requestid?.[0])).sort((a, b) => a - b), Array.from({ length: 120 }, (_, i) => i));

    // We reset a stream in the middle of its body: RST_STREAM CANCEL (never status 0).
    const cancelled = await session.openStream({ headers: [['streamtype', 'drain']] });
    await cancelled.headers;
    const w = cancelled.writable.getWriter();
    await w.write(new Uint8Array(10_000));
    cancelled.reset();
    assert.is((await rejection(cancelled.closed)).statusCode, CANCEL);
    await peer.next('drained', (e) => e.conn === conn);

    // spdystream resets one: RST_STREAM CANCEL reaches the stream.
    const reset = await session.openStream({ headers: [['streamtype', 'reset']] });
    assert.is((await rejection(reset.closed)).statusCode, CANCEL);

    // spdystream refuses one it does not know: RST_STREAM REFUSED_STREAM instead of a reply.
    const refused = await session.openStream({ headers: [['streamtype', 'no-such-type']], endStream: true });
    assert.is((await rejection(refused.headers)).statusCode, REFUSED_STREAM);

    // A stream after all that still works: the connection is alive.
    const last = await session.openStream({ headers: [['streamtype', 'data']] });
    const [echo] = await Promise.all([readAll(last), writeBody(last, new TextEncoder().encode('still here'))]);
    assert.is(echo.text, 'still here');
    assert.ok((await session.ping()) >= 0);

    await session.close();
    const closed = await peer.next('closed', (e) => e.conn === conn);
    assertNotDropped(closed);
    assert.is(closed.goaway, true);
    const ignored = peer.all('frame-ignored').map((e) => String(e.error));
    assert.ok(ignored.every((e) => /unhandled frame type: \*spdy\.(SettingsFrame|WindowUpdateFrame)/.test(e)),
      `spdystream saw frames it could not handle: ${ignored.join('; ')}`);
  });

  toGo('the harness sees spdystream drop a connection: a PING with a flag set', async ({ peer, port }) => {
    // What the other tests rule out, done on purpose, so that their check can fail.
    const dialed = await dial(new URL(`http://127.0.0.1:${port}`), { upgrade: true });
    const conn = (await peer.next('upgraded')).conn;
    const writer = dialed.transport.writable.getWriter();
    await writer.write(Uint8Array.of(0x80, 0x03, 0x00, 0x06, 0x01, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01));
    const closed = await peer.next('closed', (e) => e.conn === conn);
    assert.is(closed.dropped, true);
    assert.is(closed.frameError, 'invalid control frame');
    dialed.socket.destroy();
  });

  toGo.run();

  // ---- a spdystream client, our server ----
  const fromGo = suite<{ http: Server; port: number; sessions: SessionLog[] }>('a spdystream client to our server');

  interface SessionLog {
    session: SpdySession;
    ping: Promise<number>;
    cancelled: Promise<number | undefined>;
    execDone: Promise<void>;
  }

  /** Our side of kubectl exec: stdin comes back on stdout, stderr gets its length and sha256. */
  function serveExec(session: SpdySession): SessionLog {
    let cancelledStatus!: (code: number | undefined) => void;
    let execDone!: () => void;
    const log: SessionLog = {
      session,
      ping: session.ping(),
      cancelled: new Promise((r) => (cancelledStatus = r)),
      execDone: new Promise((r) => (execDone = r)),
    };
    const exec = new Map<string, SpdyStream>();
    const runExec = async (): Promise<void> => {
      const stdout = exec.get('stdout')!.writable.getWriter();
      const h = createHash('sha256');
      let n = 0;
      for await (const chunk of exec.get('stdin')!.readable) {
        h.update(chunk);
        n += chunk.length;
        await stdout.write(chunk);
      }
      await stdout.close();
      const stderr = exec.get('stderr')!.writable.getWriter();
      await stderr.write(new TextEncoder().encode(`bytes=${n} sha256=${h.digest('hex')}`));
      await stderr.close();
      const status = exec.get('error')!.writable.getWriter();
      await status.write(new TextEncoder().encode('{"metadata":{},"status":"Success"}'));
      await status.close();
      // Nothing goes back on stdin: end our side of it too, or the stream stays half open.
      await exec.get('stdin')!.writable.close();
      execDone();
    };
    void (async () => {
      for await (const stream of session.incoming) {
        const nv = await stream.headers;
        const type = header(nv, 'streamtype');
        switch (type) {
          case 'error': case 'stdin': case 'stdout': case 'stderr':
            await stream.respond([]);
            exec.set(type, stream);
            if (exec.size === 4) void runExec();
            break;
          case 'cancel':
            await stream.respond([]);
            stream.closed.then(() => cancelledStatus(undefined), (err: { statusCode?: number }) => cancelledStatus(err.statusCode));
            void readAll(stream).catch(() => undefined);
            break;
          case 'refuse':
            stream.reset(REFUSED_STREAM);
            break;
          case 'server-reset':
            await stream.respond([]);
            stream.reset(INTERNAL_ERROR);
            break;
          case 'echo':
            await stream.respond([['requestid', header(nv, 'requestid') ?? '']]);
            void readAll(stream).then(({ text }) => writeBody(stream, new TextEncoder().encode(text.toUpperCase())));
            break;
          case 'hold':
            await stream.respond([]);
            void (async () => {
              await writeBody(stream, new TextEncoder().encode('bye'));
              await stream.closed;
              // spdystream stops reading at a GOAWAY: send it once the streams are done.
              await session.close();
            })();
            break;
          default:
            stream.reset(REFUSED_STREAM);
        }
      }
    })().catch(() => undefined);
    return log;
  }

  fromGo.before(async (ctx) => {
    ctx.sessions = [];
    // Kubernetes' API server shape: a Node http.Server handing the upgraded socket over.
    ctx.http = createServer((_req, res) => res.writeHead(400).end('upgrade required'));
    ctx.http.on('upgrade', (req, socket, head) => {
      const session = acceptNodeUpgrade(req, socket, head, { versions: [PROTO_SPDY3_1], config: KUBE });
      if (session) ctx.sessions.push(serveExec(session));
    });
    await new Promise<void>((r) => ctx.http.listen(0, '127.0.0.1', r));
    ctx.port = (ctx.http.address() as AddressInfo).port;
  });
  fromGo.after(async (ctx) => {
    ctx.http.closeAllConnections();
    await new Promise((r) => ctx.http.close(r));
  });

  fromGo('kubectl exec shape: stdin, stdout, stderr and error streams, resets, pings both ways, GOAWAY', async ({ port, sessions }) => {
    const size = 4 << 20;
    const peer = Peer.start(bin, ['client', String(port), 'exec', String(size)]);
    try {
      assert.is((await peer.next('upgraded')).status, 101);
      assert.is((await peer.next('ping')).ok, true, 'we did not answer spdystream\'s PING');
      const exec = await peer.next('exec');
      assert.is(exec.stdoutBytes, size);
      assert.is(exec.stdoutSha256, exec.sentSha256, 'stdout did not carry stdin back intact');
      assert.is(exec.stderr, `bytes=${size} sha256=${String(exec.sentSha256)}`);
      assert.is(exec.error, '{"metadata":{},"status":"Success"}');

      const log = sessions.at(-1)!;
      assert.ok((await log.ping) >= 0, 'spdystream did not answer our PING');
      await log.execDone;
      await peer.next('reset-sent');
      assert.is(await log.cancelled, CANCEL, "spdystream's Reset() reaches us as RST_STREAM CANCEL");
      const refused = await peer.next('refused');
      assert.is(refused.isReset, true, `our RST_STREAM REFUSED_STREAM should fail spdystream's Wait(): ${String(refused.error)}`);
      const serverReset = await peer.next('server-reset');
      assert.is(serverReset.bytes, 0);
      const echoes = await peer.next('echoes');
      assert.is(echoes.ok, echoes.of, 'each of many concurrent streams got its own answer');

      assert.is((await peer.next('goaway-sent')).ok, true);
      await log.session.closed; // the GOAWAY, then the socket closed with no stream open: a clean end
      const closed = await peer.next('closed');
      assertNotDropped(closed);
      await peer.next('done');
      assert.is(await peer.exited, 0);
      assert.equal(peer.all('pushed'), []);
    } finally {
      await peer.stop();
    }
  });

  fromGo("our server's GOAWAY, sent once its streams are done, ends a spdystream client cleanly", async ({ port, sessions }) => {
    const peer = Peer.start(bin, ['client', String(port), 'goaway']);
    try {
      const held = await peer.next('held');
      assert.is(held.data, 'bye');
      const closed = await peer.next('closed');
      assertNotDropped(closed);
      assert.is(closed.goaway, true, 'spdystream saw our GOAWAY');
      await peer.next('done');
      assert.is(await peer.exited, 0);
      await sessions.at(-1)!.session.closed;
    } finally {
      await peer.stop();
    }
  });

  fromGo.run();
}
