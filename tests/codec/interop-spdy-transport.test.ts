/**
 * Codec-level interop with spdy-transport 3.0.0 (npm), driving its SPDY
 * framer and parser directly: its bytes through our decoder, ours through
 * its parser, in SPDY/2, SPDY/3 and SPDY/3.1.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire } from 'node:module';
import {
  CLIENT, DATA, DataFrame, FrameDecoder, FrameEncoder, GOAWAY, GoawayFrame, HEADERS, HeadersFrame, PING,
  PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, PingFrame, RST_STREAM, RstStreamFrame, SERVER, SETTINGS, SYN_REPLY,
  SYN_STREAM, SettingsFrame, SynReplyFrame, SynStreamFrame, WINDOW_UPDATE, WindowUpdateFrame, type DecodedFrame,
  type FrameInit, type ProtocolVersion, type Side, CANCEL, GOAWAY_PROTOCOL_ERROR, InvalidFrame, concatBytes,
} from '../../src/codec/index.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const spdy: Any = require('spdy-transport').protocol.spdy;

/** Flow control is the session's business: a window that never blocks. */
const openWindow = { send: { update: (_d: number, cb?: () => void) => cb?.() }, recv: { update: () => {} } };

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Their version numbers: 2, 3 and 3.1. */
const theirVersion = (v: ProtocolVersion): number => (v === PROTO_SPDY2 ? 2 : v === PROTO_SPDY3 ? 3 : 3.1);

/** spdy-transport's framer, with every byte it writes collected. */
function theirFramer(version: ProtocolVersion, compress: boolean) {
  const framer = spdy.framer.create({ window: openWindow, timeout: null });
  framer.setVersion(theirVersion(version));
  framer.setCompression(spdy.compressionPool.create(compress).get(theirVersion(version)));
  framer.enablePush(true);
  const chunks: Buffer[] = [];
  framer.on('data', (c: Buffer) => chunks.push(c));
  return {
    /** Calls a framer method and waits until its frame is written. */
    async frame(method: string, args: object): Promise<void> {
      await new Promise<void>((resolve, reject) => framer[method](args, (err: unknown) => (err ? reject(err) : resolve())));
      await tick();
    },
    /** Everything written so far, taken. */
    take(): Uint8Array {
      const out = Buffer.concat(chunks.splice(0));
      return new Uint8Array(out.buffer, out.byteOffset, out.length);
    },
  };
}

/** spdy-transport's parser: bytes in, its frame objects (or its error) out. */
async function theirParse(version: ProtocolVersion, isServer: boolean, bytes: Uint8Array): Promise<Any[]> {
  const parser = spdy.parser.create({ window: openWindow, isServer });
  parser.setVersion(theirVersion(version));
  parser.setCompression(spdy.compressionPool.create(false).get(theirVersion(version)));
  const frames: Any[] = [];
  parser.on('data', (f: Any) => frames.push(f));
  await new Promise<void>((resolve, reject) => {
    parser.once('error', reject);
    parser.write(Buffer.from(bytes), (err: unknown) => (err ? reject(err) : resolve()));
  });
  let error: unknown;
  parser.once('error', (err: unknown) => (error = err));
  for (let i = 0; i < 5; i++) await tick();
  if (error) throw error;
  return frames;
}

const VERSIONS: [string, ProtocolVersion][] = [['SPDY/2', PROTO_SPDY2], ['SPDY/3', PROTO_SPDY3], ['SPDY/3.1', PROTO_SPDY3_1]];

for (const [label, version] of VERSIONS) {
  const wire = version === PROTO_SPDY2 ? 2 : 3;

  const theirs = suite(`spdy-transport's framer to our decoder in ${label}`);

  for (const compress of [false, true]) {
    theirs(`request, response and trailer headers (compression ${compress ? 'on' : 'off'}) decode with their fields`, async () => {
      const framer = theirFramer(version, compress);
      await framer.frame('requestFrame', {
        id: 1, fin: true, method: 'POST', path: '/upload?x=1', host: 'example.org', scheme: 'http',
        priority: { weight: 256 }, headers: { 'Content-Type': 'text/plain', 'x-many': ['a', 'b'] },
      });
      await framer.frame('responseFrame', { id: 1, status: 201, headers: { server: 'them' } });
      await framer.frame('headersFrame', { id: 1, headers: { 'x-trailer': 'done' } });
      const frames = new FrameDecoder({ version }).push(framer.take());
      assert.equal(frames.map((f) => f.constructor.name), ['SynStreamFrame', 'SynReplyFrame', 'HeadersFrame']);
      const [syn, reply, headers] = frames as [SynStreamFrame, SynReplyFrame, HeadersFrame];
      assert.equal([syn.version, syn.streamId, syn.assocStreamId, syn.flags], [wire, 1, 0, 1]);
      // They write a 3-bit priority in every version: the highest weight is priority 7 (SPDY/3), 3 (SPDY/2).
      assert.is(syn.pri, wire === 2 ? 3 : 7);
      const nv = new Map<string, string[]>();
      for (const [n, v] of syn.nv) nv.set(n, [...(nv.get(n) ?? []), v]);
      assert.equal(nv.get(':method'), ['POST']);
      assert.equal(nv.get(':path'), ['/upload?x=1']);
      assert.equal(nv.get(':host'), ['example.org']);
      assert.equal(nv.get(':scheme'), ['http']);
      assert.equal(nv.get(':version'), ['HTTP/1.1']);
      assert.equal(nv.get('content-type'), ['text/plain']);
      assert.equal(nv.get('x-many'), ['a', 'b']);
      assert.is(reply.streamId, 1);
      assert.equal(new Map(reply.nv).get(':status'), '201 Created');
      assert.equal(new Map(reply.nv).get('server'), 'them');
      assert.is(headers.streamId, 1);
      assert.equal(headers.nv, [['x-trailer', 'done']]);
    });
  }

  theirs('DATA, RST_STREAM, SETTINGS, PING and WINDOW_UPDATE decode with their fields', async () => {
    const framer = theirFramer(version, true);
    await framer.frame('dataFrame', { id: 3, fin: true, priority: 0, data: Buffer.from('hello') });
    await framer.frame('rstFrame', { id: 3, code: 'CANCEL' });
    await framer.frame('settingsFrame', { max_concurrent_streams: 100, initial_window_size: 1 << 20 });
    await framer.frame('pingFrame', { opaque: Buffer.from([0, 0, 0, 0, 0, 0, 0, 9]) });
    await framer.frame('windowUpdateFrame', { id: 0, delta: 32768 });
    const frames = new FrameDecoder({ version }).push(framer.take());
    const [data, rst, settings, ping, wu] = frames as [DataFrame, RstStreamFrame, SettingsFrame, PingFrame, WindowUpdateFrame];
    assert.instance(data, DataFrame);
    assert.equal([data.streamId, data.flags, new TextDecoder().decode(data.data)], [3, 1, 'hello']);
    assert.instance(rst, RstStreamFrame);
    assert.equal([rst.streamId, rst.statusCode], [3, CANCEL]);
    assert.instance(settings, SettingsFrame);
    // Each entry carries PERSIST_VALUE; SPDY/2 ids are little-endian on the wire and read back right.
    assert.equal(settings.iv, [[4, 1, 100], [7, 1, 1 << 20]]);
    assert.instance(ping, PingFrame);
    assert.is(ping.uniqueId, 9);
    assert.instance(wu, WindowUpdateFrame);
    assert.equal([wu.streamId, wu.deltaWindowSize], [0, 32768]);
  });

  theirs('GOAWAY decodes with its last stream id and status (8 bytes, in every version)', async () => {
    const framer = theirFramer(version, true);
    await framer.frame('goawayFrame', { lastId: 5, code: 'PROTOCOL_ERROR' });
    const [goaway] = new FrameDecoder({ version }).push(framer.take());
    assert.instance(goaway, GoawayFrame);
    assert.equal([(goaway as GoawayFrame).lastGoodStreamId, (goaway as GoawayFrame).statusCode], [5, GOAWAY_PROTOCOL_ERROR]);
  });

  theirs('a long run of their header frames keeps both zlib streams in step', async () => {
    const framer = theirFramer(version, true);
    for (let id = 1; id < 40; id += 2) {
      await framer.frame('requestFrame', { id, path: `/item/${id}`, host: 'h', headers: { cookie: `n=${id}` } });
    }
    const frames = new FrameDecoder({ version }).push(framer.take());
    assert.is(frames.length, 20);
    frames.forEach((f, i) => {
      assert.instance(f, SynStreamFrame);
      assert.equal(new Map((f as SynStreamFrame).nv).get(':path'), `/item/${2 * i + 1}`);
    });
  });

  theirs.run();

  const ours = suite(`our encoder to spdy-transport's parser in ${label}`);

  const encoders: [Side, number | undefined, string][] = [
    [CLIENT, undefined, 'a client (stored blocks)'], [SERVER, undefined, 'a server (level 1, our writer)'], [SERVER, 9, 'zlib level 9'],
  ];
  for (const [side, headerCompressionLevel, who] of encoders) {
    ours(`SYN_STREAM, SYN_REPLY and HEADERS from ${who} parse`, async () => {
      const encoder = new FrameEncoder({ version, side, config: { headerCompressionLevel } });
      const frames: FrameInit[] = [
        {
          frameType: SYN_STREAM, streamId: 1, pri: 0, flags: 1,
          nv: [[':method', 'GET'], [':path', '/a'], [':host', 'example.org'], [':scheme', 'https'], [':version', 'HTTP/1.1'], ['accept', 'x\0y']],
        },
        { frameType: SYN_REPLY, streamId: 1, nv: [[':status', '404 Not Found'], [':version', 'HTTP/1.1'], ['server', 'us']] },
        { frameType: HEADERS, streamId: 1, nv: [['x-trailer', 'done']] },
      ];
      const parsed = await theirParse(version, side === CLIENT, concatBytes(frames.map((f) => encoder.encode(f))));
      assert.equal(parsed.map((f) => f.type), ['HEADERS', 'HEADERS', 'HEADERS']);
      const [syn, reply, headers] = parsed;
      assert.equal([syn.id, syn.fin, syn.path], [1, true, '/a']);
      assert.is(syn.headers[':method'], 'GET');
      assert.is(syn.headers[':authority'], 'example.org');
      assert.is(syn.headers[':scheme'], 'https');
      // Two values of one name (NUL-joined on the wire) are joined with ', ' by Node's rules.
      assert.is(syn.headers.accept, 'x, y');
      assert.is(reply.id, 1);
      assert.is(reply.headers[':status'], '404');
      assert.is(reply.headers.server, 'us');
      assert.is(headers.headers['x-trailer'], 'done');
    });
  }

  ours('DATA, RST_STREAM, SETTINGS, PING and WINDOW_UPDATE parse', async () => {
    const encoder = new FrameEncoder({ version });
    const frames: FrameInit[] = [
      { frameType: DATA, streamId: 1, flags: 1, data: new TextEncoder().encode('body') },
      { frameType: RST_STREAM, streamId: 1, statusCode: CANCEL },
      { frameType: SETTINGS, iv: [[4, 0, 100], [7, 0, 1 << 20]] },
      { frameType: PING, uniqueId: 2 },
      { frameType: WINDOW_UPDATE, streamId: 0, deltaWindowSize: 4096 },
    ];
    const parsed = await theirParse(version, true, concatBytes(frames.map((f) => encoder.encode(f))));
    assert.equal(parsed.map((f) => f.type), ['DATA', 'RST', 'SETTINGS', 'PING', 'WINDOW_UPDATE']);
    const [data, rst, settings, ping, wu] = parsed;
    assert.equal([data.id, data.fin, data.data.toString()], [1, true, 'body']);
    assert.equal([rst.id, rst.code], [1, 'CANCEL']);
    assert.equal(settings.settings, { max_concurrent_streams: 100, initial_window_size: 1 << 20 });
    assert.equal([ping.opaque.readUInt32BE(0), ping.ack], [2, true]);
    assert.equal([wu.id, wu.delta], [0, 4096]);
  });

  if (version === PROTO_SPDY2) {
    ours('GOAWAY: SPDY/2\'s 4-byte frame (as spdylay sends it) is too short for their parser, which wants 8', async () => {
      const bytes = new FrameEncoder({ version }).encode({ frameType: GOAWAY, lastGoodStreamId: 3 });
      assert.is(bytes.length, 12);
      let error: unknown;
      try {
        await theirParse(version, true, bytes);
      } catch (err) {
        error = err;
      }
      assert.match(String(error), /GOAWAY/);
    });
  } else {
    ours('GOAWAY parses with its last stream id and status', async () => {
      const bytes = new FrameEncoder({ version }).encode({ frameType: GOAWAY, lastGoodStreamId: 3, statusCode: 2 });
      const [goaway] = await theirParse(version, true, bytes);
      assert.equal([goaway.type, goaway.lastId, goaway.code], ['GOAWAY', 3, 'INTERNAL_ERROR']);
    });
  }

  for (const level of [1, 9]) {
    ours(`a long run of our header frames at level ${level} keeps both zlib streams in step, past the 2 KiB window`, async () => {
      const encoder = new FrameEncoder({ version, side: SERVER, config: { headerCompressionLevel: level } });
      const frames: FrameInit[] = [];
      for (let id = 1; id < 400; id += 2) {
        frames.push({ frameType: SYN_STREAM, streamId: id, nv: [[':method', 'GET'], [':path', `/item/${id}`], ['cookie', `n=${id}`]] });
      }
      const parsed = await theirParse(version, true, concatBytes(frames.map((f) => encoder.encode(f))));
      assert.equal(parsed.map((f) => f.path), frames.map((_, i) => `/item/${2 * i + 1}`));
    });
  }

  ours.run();
}

const theirHeaders = suite('what spdy-transport accepts that we refuse');

theirHeaders('their upper-case header names are lower-cased before they reach the wire', async () => {
  const framer = theirFramer(PROTO_SPDY3, true);
  await framer.frame('responseFrame', { id: 1, status: 200, headers: { 'X-Upper': 'A' } });
  const [reply] = new FrameDecoder({ version: PROTO_SPDY3 }).push(framer.take()) as DecodedFrame[];
  assert.not.instance(reply, InvalidFrame);
  assert.equal(new Map((reply as SynReplyFrame).nv).get('x-upper'), 'A');
});

theirHeaders.run();

