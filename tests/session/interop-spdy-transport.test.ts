// Our bare Session against spdy-transport 3.0.0 (npm) over an in-memory
// pipe, in SPDY/2, SPDY/3 and SPDY/3.1, both roles: a 1 MiB body each way,
// PING, RST_STREAM and GOAWAY in both directions, and server push.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT, SERVER, CTRL_FLAG_UNIDIRECTIONAL, DATA_FLAG_FIN, ERR_DEFERRED, ERR_SYN_STREAM_NOT_ALLOWED,
  GOAWAY, GOAWAY_INTERNAL_ERROR, GOAWAY_OK, INTERNAL_ERROR, OK, PING, PROTOCOL_ERROR, PROTO_SPDY2, PROTO_SPDY3_1,
  REFUSED_STREAM, RST_STREAM, SYN_REPLY, SYN_STREAM, DataProvider,
  type GoawayFrame, type PingFrame, type RstStreamFrame, type SynReplyFrame, type SynStreamFrame,
} from '../../src/index.js';
import { bodyProvider, bytes } from './harness.js';
import { VERSIONS, bodyOf, connect, header, readAll, sha256, until, type Any } from './spdy-transport-peer.js';

const MIB = 1 << 20;
const UP = bytes(MIB, 17);
const DOWN = bytes(MIB, 23);

const request = (method: string, path: string): Array<[string, string]> => [
  [':method', method], [':path', path], [':version', 'HTTP/1.1'], [':host', 'localhost'], [':scheme', 'https'],
];
const ok = (...extra: Array<[string, string]>): Array<[string, string]> => [[':status', '200 OK'], [':version', 'HTTP/1.1'], ...extra];

/** A body that never comes: the stream stays open on our side. */
const never = () => new DataProvider(null, () => ERR_DEFERRED);

/** Closes recorded by onStreamCloseCb, as [streamId, statusCode]. */
const closes = (log: { of(cb: 'onStreamCloseCb'): unknown[][] }) => log.of('onStreamCloseCb').map((a) => [a[0], a[1]]);

/** What a spdy-transport server does with each request: hash the upload, answer with its hash and the 1 MiB download. */
function hashAndAnswer(stream: Any): void {
  stream.on('error', () => {});
  const upload = readAll(stream);
  stream.on('end', () => {
    const body = upload.body();
    stream.respond(200, { 'x-sha256': sha256(body), 'x-length': String(body.length) });
    stream.end(Buffer.from(DOWN));
  });
}

for (const [label, version] of VERSIONS) {
  const bulk = suite(`${label}: 1 MiB each way between our Session and spdy-transport`);

  bulk('our client POSTs 1 MiB to their server and reads its 1 MiB answer, both intact; the stream closes', async () => {
    const { ours, theirs, close } = connect(CLIENT, version);
    theirs.conn.on('stream', hashAndAnswer);
    ours.session.submitRequest(3, request('POST', '/upload'), bodyProvider(UP), 'upload');
    ours.pump();
    await until(ours, () => ours.log.count('onStreamCloseCb') > 0, 'our request stream to close');

    const [syn] = ours.log.frames('onCtrlSendCb', SYN_STREAM) as SynStreamFrame[];
    assert.is(syn!.streamId, 1);
    const [reply] = ours.log.frames('onCtrlRecvCb', SYN_REPLY) as SynReplyFrame[];
    assert.is(header(reply!.nv, ':status'), '200 OK');
    assert.is(header(reply!.nv, 'x-length'), String(MIB));
    assert.is(header(reply!.nv, 'x-sha256'), sha256(UP));
    assert.is(sha256(bodyOf(ours.log, 1)), sha256(DOWN));
    assert.equal(closes(ours.log), [[1, OK]]);
    assert.is(ours.session.numOpenStreams, 0);
    assert.equal(theirs.errors, []);
    close();
  });

  bulk('their client POSTs 1 MiB to our server and reads our 1 MiB answer, both intact; the stream closes', async () => {
    const { ours, theirs, close } = connect(SERVER, version, {
      onRequestRecvCb: (s, id) => {
        const upload = bodyOf(ours.log, id);
        s.submitResponse(id, ok(['x-sha256', sha256(upload)], ['x-length', String(upload.length)]), bodyProvider(DOWN));
      },
    });
    const req = theirs.conn.request({ method: 'POST', path: '/upload', host: 'localhost', headers: {} });
    req.on('error', () => {});
    let response: unknown[] = [];
    req.on('response', (status: number, headers: Record<string, string>) => {
      response = [status, headers['x-sha256'], headers['x-length']];
    });
    const download = readAll(req);
    req.end(Buffer.from(UP));
    await until(ours, () => download.ended && ours.log.count('onStreamCloseCb') > 0, 'the download to end and our stream to close');

    const [syn] = ours.log.frames('onCtrlRecvCb', SYN_STREAM) as SynStreamFrame[];
    assert.equal([header(syn!.nv, ':method'), header(syn!.nv, ':path')], ['POST', '/upload']);
    assert.equal(ours.log.of('onRequestRecvCb'), [[1]]);
    if (version === PROTO_SPDY2) {
      // SPDY/2 has no flow control, but they count 64 KiB windows anyway: our SETTINGS lift theirs.
      const settings = theirs.frames.find((f) => f.type === 'SETTINGS');
      assert.is(settings.settings.initial_window_size, 2 ** 31 - 1);
    }
    assert.equal(response, [200, sha256(UP), String(MIB)]);
    assert.is(sha256(download.body()), sha256(DOWN));
    assert.equal(closes(ours.log), [[1, OK]]);
    assert.is(ours.session.numOpenStreams, 0);
    assert.equal(theirs.errors, []);
    close();
  });

  if (version === PROTO_SPDY3_1) {
    bulk('a SPDY/3.1 server of theirs made without autoSpdy31 never opens the connection window: our upload stops at 64 KiB', async () => {
      const { ours, theirs, close } = connect(CLIENT, version, {}, { autoSpdy31: false });
      let received = 0;
      theirs.conn.on('stream', (stream: Any) => {
        stream.on('error', () => {});
        stream.on('data', (d: Buffer) => (received += d.length));
      });
      ours.session.submitRequest(3, request('POST', '/upload'), bodyProvider(UP));
      ours.pump();
      await until(ours, () => received >= 65536, 'the first 64 KiB to reach them');
      // Their PING answer comes after any WINDOW_UPDATE those 64 KiB made them send.
      ours.session.submitPing();
      ours.pump();
      await until(ours, () => ours.log.frames('onCtrlRecvCb', PING).length > 0, 'the PING answer');

      assert.is(ours.session.getSessionRemoteWindowSize(), 0);
      assert.is(ours.session.getStreamInfo(1)!.deferred, 'flow-control');
      assert.is(received, 65536);
      close();
    });
  }

  bulk.run();

  const control = suite(`${label}: PING, RST_STREAM and GOAWAY between our Session and spdy-transport`);

  for (const side of [CLIENT, SERVER] as const) {
    const us = side === CLIENT ? 'client' : 'server';
    const them = side === CLIENT ? 'server' : 'client';
    control(`our ${us} and their ${them} each answer the other's PING with its id`, async () => {
      const { ours, theirs, close } = connect(side, version);
      const theirPings: number[] = [];
      theirs.conn.on('ping', (opaque: Buffer) => theirPings.push(opaque.readUInt32BE(0)));
      let answered = false;
      ours.session.submitPing();
      ours.pump();
      theirs.conn.ping(() => {
        answered = true;
      });
      await until(ours, () => answered && ours.log.frames('onCtrlRecvCb', PING).length === 2, 'both PINGs to be answered');

      // Clients number their PINGs odd, servers even, on both sides.
      const mine = side === CLIENT ? 1 : 2;
      const theirsId = side === CLIENT ? 2 : 1;
      assert.equal(theirPings, [mine]);
      const seen = (ours.log.frames('onCtrlRecvCb', PING) as PingFrame[]).map((f) => f.uniqueId).sort();
      assert.equal(seen, [1, 2]);
      const sent = (ours.log.frames('onCtrlSendCb', PING) as PingFrame[]).map((f) => f.uniqueId);
      assert.equal(sent.sort(), [mine, theirsId].sort());
      assert.equal(theirs.errors, []);
      close();
    });
  }

  control('RST_STREAM from our client reaches their server with its status, and our stream closes with it', async () => {
    const { ours, theirs, close } = connect(CLIENT, version);
    const errors: string[] = [];
    let opened = false;
    theirs.conn.on('stream', (stream: Any) => {
      opened = true;
      stream.on('error', (err: Error) => errors.push(err.message));
    });
    ours.session.submitRequest(3, request('POST', '/held'), never());
    ours.pump();
    await until(ours, () => opened, 'their server to see our request');
    ours.session.submitRstStream(1, INTERNAL_ERROR);
    ours.pump();
    await until(ours, () => theirs.frames.some((f) => f.type === 'RST'), 'their server to receive RST_STREAM');

    const rst = theirs.frames.find((f) => f.type === 'RST');
    assert.equal([rst.id, rst.code], [1, 'INTERNAL_ERROR']);
    assert.equal(errors, ['Got RST: INTERNAL_ERROR']);
    assert.equal(closes(ours.log), [[1, INTERNAL_ERROR]]);
    assert.is(ours.session.numOpenStreams, 0);
    close();
  });

  control('RST_STREAM from their server reaches our client with its status, and our stream closes with it', async () => {
    const { ours, theirs, close } = connect(CLIENT, version);
    theirs.conn.on('stream', (stream: Any) => {
      stream.on('error', () => {});
      stream.abort('REFUSED_STREAM');
    });
    ours.session.submitRequest(3, request('POST', '/refused'), never(), 'refused');
    ours.pump();
    await until(ours, () => ours.log.count('onStreamCloseCb') > 0, 'our stream to close');

    const rst = ours.log.frames('onCtrlRecvCb', RST_STREAM) as RstStreamFrame[];
    assert.equal(rst.map((f) => [f.streamId, f.statusCode]), [[1, REFUSED_STREAM]]);
    assert.equal(closes(ours.log), [[1, REFUSED_STREAM]]);
    assert.is(ours.session.numOpenStreams, 0);
    close();
  });

  control('RST_STREAM from our server reaches their client with its status', async () => {
    const { ours, theirs, close } = connect(SERVER, version, {
      onCtrlRecvCb: (s, frame) => {
        if (frame.frameType === SYN_STREAM) s.submitRstStream(frame.streamId, REFUSED_STREAM);
      },
    });
    const req = theirs.conn.request({ method: 'POST', path: '/refused', host: 'localhost', headers: {} });
    const errors: string[] = [];
    req.on('error', (err: Error) => errors.push(err.message));
    req.write(Buffer.from('part of a body'));
    await until(ours, () => errors.length > 0, 'their request to be reset');

    const rst = theirs.frames.find((f) => f.type === 'RST');
    assert.equal([rst.id, rst.code], [1, 'REFUSED_STREAM']);
    assert.equal(errors, ['Got RST: REFUSED_STREAM']);
    assert.equal(closes(ours.log), [[1, REFUSED_STREAM]]);
    close();
  });

  control('RST_STREAM from their client reaches our server with its status, and our stream closes with it', async () => {
    const { ours, theirs, close } = connect(SERVER, version);
    const req = theirs.conn.request({ method: 'POST', path: '/abandoned', host: 'localhost', headers: {} });
    req.on('error', () => {});
    req.write(Buffer.from('part of a body'));
    await until(ours, () => ours.log.frames('onCtrlRecvCb', SYN_STREAM).length > 0, 'our server to see their request');
    req.abort('INTERNAL_ERROR');
    await until(ours, () => ours.log.count('onStreamCloseCb') > 0, 'our stream to close');

    const rst = ours.log.frames('onCtrlRecvCb', RST_STREAM) as RstStreamFrame[];
    assert.equal(rst.map((f) => [f.streamId, f.statusCode]), [[1, INTERNAL_ERROR]]);
    assert.equal(closes(ours.log), [[1, INTERNAL_ERROR]]);
    assert.is(ours.session.numOpenStreams, 0);
    assert.equal(ours.log.of('onRequestRecvCb'), []);
    close();
  });

  control('GOAWAY from their server reaches our client with its last stream id, and no new stream starts', async () => {
    const { ours, theirs, close } = connect(CLIENT, version);
    theirs.conn.on('stream', (stream: Any) => {
      stream.on('error', () => {});
      stream.respond(200, {});
      stream.end('done');
    });
    ours.session.submitRequest(3, request('GET', '/'));
    ours.pump();
    await until(ours, () => ours.log.count('onStreamCloseCb') > 0, 'our first request to finish');
    theirs.conn.end();
    await until(ours, () => ours.session.goawayState.received, 'their GOAWAY');

    const [goaway] = ours.log.frames('onCtrlRecvCb', GOAWAY) as GoawayFrame[];
    assert.equal([goaway!.lastGoodStreamId, goaway!.statusCode], [1, GOAWAY_OK]);
    assert.is(ours.session.wantRead(), false);
    ours.session.submitRequest(3, request('GET', '/too-late'), null, 'too late');
    ours.pump();
    const notSent = ours.log.of('onCtrlNotSendCb');
    assert.equal(notSent.map((a) => [(a[0] as SynStreamFrame).frameType, a[1], a[2]]), [[SYN_STREAM, ERR_SYN_STREAM_NOT_ALLOWED, 'too late']]);
    assert.is(ours.log.frames('onCtrlSendCb', SYN_STREAM).length, 1);
    close();
  });

  if (version === PROTO_SPDY2) {
    control('GOAWAY from our server: their parser wants 8 bytes in SPDY/2 too and fails on our 4-byte one (the spec\'s)', async () => {
      const { ours, theirs, close } = connect(SERVER, version);
      theirs.conn.ping(() => {});
      await until(ours, () => ours.log.frames('onCtrlRecvCb', PING).length > 0, 'their PING');
      ours.session.submitGoaway(GOAWAY_OK);
      ours.pump();
      await until(ours, () => theirs.errors.length > 0, 'their parser to fail');

      const [sent] = ours.log.frames('onCtrlSendCb', GOAWAY) as GoawayFrame[];
      assert.is(sent!.length, 4);
      assert.match(theirs.errors[0]!.message, /GOAWAY/);
      assert.not.ok(theirs.frames.some((f) => f.type === 'GOAWAY'));
      close();
    });
  } else {
    control('GOAWAY from our server reaches their client with its last stream id and status', async () => {
      const { ours, theirs, close } = connect(SERVER, version, {
        onRequestRecvCb: (s, id) => s.submitResponse(id, ok()),
      });
      let closed: Error | undefined | null = null;
      theirs.conn.on('close', (err?: Error) => {
        closed = err;
      });
      const req = theirs.conn.request({ method: 'GET', path: '/', host: 'localhost', headers: {} });
      req.on('error', () => {});
      await until(ours, () => ours.log.count('onStreamCloseCb') > 0, 'the request to finish');
      ours.session.submitGoaway(GOAWAY_INTERNAL_ERROR);
      ours.pump();
      await until(ours, () => closed !== null, 'their connection to close');

      const goaway = theirs.frames.find((f) => f.type === 'GOAWAY');
      assert.equal([goaway.lastId, goaway.code], [1, 'INTERNAL_ERROR']);
      assert.match(String(closed), /INTERNAL_ERROR/);
      assert.ok(ours.session.goawayState.sent);
      close();
    });

    control('GOAWAY from our client reaches their server with its last stream id and status', async () => {
      const { ours, theirs, close } = connect(CLIENT, version);
      let closed: Error | undefined | null = null;
      theirs.conn.on('close', (err?: Error) => {
        closed = err;
      });
      ours.session.submitGoaway(GOAWAY_OK);
      ours.pump();
      await until(ours, () => closed !== null, 'their connection to close');

      const goaway = theirs.frames.find((f) => f.type === 'GOAWAY');
      assert.equal([goaway.lastId, goaway.code], [0, 'OK']);
      assert.is(ours.session.wantRead(), false);
      assert.is(ours.session.wantWrite(), false);
      close();
    });
  }

  control.run();

  const push = suite(`${label}: server push between our Session and spdy-transport`);

  push('our server pushes a resource with its request; their client gets the promise, the response and the body', async () => {
    const pushed = bytes(256 * 1024, 29);
    const { ours, theirs, close } = connect(SERVER, version, {
      onRequestRecvCb: (s, id) => {
        s.submitSynStream(CTRL_FLAG_UNIDIRECTIONAL, 0, [...request('GET', '/pushed.css'), ...ok(['content-type', 'text/css'])], id, 'push');
        s.submitResponse(id, ok(), bodyProvider(new TextEncoder().encode('<html>')));
      },
      onCtrlSendCb: (s, frame) => {
        if (frame.frameType === SYN_STREAM) s.submitData(frame.streamId, DATA_FLAG_FIN, bodyProvider(pushed));
      },
    });
    const req = theirs.conn.request({ method: 'GET', path: '/', host: 'localhost', headers: {} });
    req.on('error', () => {});
    const page = readAll(req);
    const promised: Array<{ id: number; path: string; status?: number; type?: string; body: ReturnType<typeof readAll> }> = [];
    req.on('pushPromise', (stream: Any) => {
      stream.on('error', () => {});
      // The promise carries the pushed request's headers; their 'response' event has only the status.
      const entry: (typeof promised)[number] = { id: stream.id, path: stream.path, type: stream.headers['content-type'], body: readAll(stream) };
      stream.on('response', (status: number) => {
        entry.status = status;
      });
      promised.push(entry);
    });
    await until(ours, () => page.ended && promised[0]?.body.ended === true && ours.session.numOpenStreams === 0, 'the page and the push to arrive');

    const [syn] = ours.log.frames('onCtrlSendCb', SYN_STREAM) as SynStreamFrame[];
    assert.equal([syn!.streamId, syn!.assocStreamId, syn!.flags], [2, 1, CTRL_FLAG_UNIDIRECTIONAL]);
    assert.is(page.body().toString(), '<html>');
    assert.is(promised.length, 1);
    const [promise] = promised;
    assert.equal([promise!.id, promise!.path, promise!.status, promise!.type], [2, '/pushed.css', 200, 'text/css']);
    assert.is(sha256(promise!.body.body()), sha256(pushed));
    assert.equal(closes(ours.log).sort(), [[1, OK], [2, OK]]);
    assert.equal(theirs.errors, []);
    close();
  });

  push('their server\'s push lacks FLAG_UNIDIRECTIONAL: our client refuses it with RST_STREAM PROTOCOL_ERROR and the page still arrives', async () => {
    const { ours, theirs, close } = connect(CLIENT, version);
    theirs.conn.on('stream', (stream: Any) => {
      stream.on('error', () => {});
      const promise = stream.pushPromise({
        path: '/pushed.css', method: 'GET', host: 'localhost', status: 200, request: {}, response: { 'content-type': 'text/css' },
      });
      promise.on('error', () => {});
      promise.end('body { }');
      stream.respond(200, {});
      stream.end('<html>');
    });
    ours.session.submitRequest(3, request('GET', '/'));
    ours.pump();
    const refusal = () => theirs.frames.find((f) => f.type === 'RST');
    await until(ours, () => ours.log.count('onStreamCloseCb') > 0 && refusal() !== undefined, 'the page, and the push to be refused');

    const [[refused, status]] = ours.log.of('onInvalidCtrlRecvCb') as [[SynStreamFrame, number]];
    assert.equal([refused.frameType, refused.streamId, refused.assocStreamId], [SYN_STREAM, 2, 1]);
    assert.is(refused.flags & CTRL_FLAG_UNIDIRECTIONAL, 0);
    assert.is(status, PROTOCOL_ERROR);
    assert.equal([refusal().id, refusal().code], [2, 'PROTOCOL_ERROR']);
    assert.is(new TextDecoder().decode(bodyOf(ours.log, 1)), '<html>');
    assert.equal(bodyOf(ours.log, 2).length, 0);
    assert.equal(closes(ours.log), [[1, OK]]);
    assert.is(ours.session.numOpenStreams, 0);
    close();
  });

  push.run();
}
