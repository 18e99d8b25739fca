// Our HTTP client against a server that means harm: header zlib bombs in
// SYN_REPLY and HEADERS, push floods, a window shut to zero and never
// opened, DATA past our window, and a server that never answers. Each gets
// the right RST_STREAM or GOAWAY on the wire, a body in a content coding
// it got wrong fails with a ZlibError, the request fails with the
// library's own errors, memory stays bounded, and other sessions go on.
import { test } from 'uvu';
import { deflateSync, gzipSync } from 'node:zlib';
import * as assert from 'uvu/assert';
import {
  CTRL_FLAG_FIN, CTRL_FLAG_UNIDIRECTIONAL, CANCEL, DATA, DATA_FLAG_FIN, ERR_ZLIB, FLOW_CONTROL_ERROR, FRAME_TOO_LARGE,
  GOAWAY_PROTOCOL_ERROR, HEADERS, INTERNAL_ERROR, PROTOCOL_ERROR, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, REFUSED_STREAM, RST_STREAM,
  SETTINGS, SETTINGS_INITIAL_WINDOW_SIZE, SYN_REPLY, SYN_STREAM, SpdyError, type DecodedFrame, type ProtocolVersion,
} from '../../src/index.js';
import { SpdyClient, SpdyFetchError } from '../../src/http/client.js';
import { RESPONSE } from '../session/harness.js';
import { rejectionOf, tick } from '../streams/session-pair.js';
import { concatBytes } from '../../src/base/bytes.js';
import { assertHealthySpdySessions, goaways, hostileTransportPeer, statusesOf } from './hostile-peer.js';

const ORIGIN = 'https://hostile.test';
const VERSIONS = [PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1] as const;

/** Our client over a SpdySession whose peer is a server writing crafted frames. */
function hostileServer(version: ProtocolVersion, config: Record<string, unknown> = {}) {
  const peer = hostileTransportPeer('client', { version, config });
  const client = new SpdyClient(peer.session, { origin: ORIGIN });
  return { ...peer, client };
}

/** Waits until a frame matching `pred` has been read from our side. */
async function frameFrom(frames: readonly DecodedFrame[], pred: (f: any) => boolean, what: string): Promise<any> {
  for (let i = 0; i < 5000; i++) {
    const found = frames.find(pred);
    if (found) return found;
    await tick();
  }
  throw new Error(`never saw ${what}`);
}

const synStream = (f: any): boolean => f.frameType === SYN_STREAM;
const rstOn = (id: number) => (f: any): boolean => f.frameType === RST_STREAM && f.streamId === id;

/** The cause of a failed fetch: the library's own error, with the status the wire carried. */
function assertSpdyFailure(err: unknown): SpdyError {
  assert.instance(err, SpdyFetchError, `fetch rejected with ${String(err)}`);
  const cause = (err as SpdyFetchError).cause;
  assert.instance(cause, SpdyError, `cause ${String(cause)}`);
  return cause as SpdyError;
}

/** Headers of `n` bytes that deflate to almost nothing (in values short enough for SPDY/2). */
const bomb = (n: number): Array<[string, string]> => [
  ...RESPONSE,
  ...Array.from({ length: Math.ceil(n / 60_000) }, (_, i) => [`x-bomb-${i}`, 'a'.repeat(60_000)] as [string, string]),
];

for (const version of VERSIONS) {
  const tooLarge = version === PROTO_SPDY2 ? PROTOCOL_ERROR : FRAME_TOO_LARGE;

  test(`v${version}: a SYN_REPLY that inflates past maxHeaderBlockSize gets RST_STREAM ${tooLarge}; fetch fails; the next request on the session works`, async () => {
    const { client, frames, send, session } = hostileServer(version);
    const bystander = assertHealthySpdySessions(version);
    const first = client.fetch('/bomb').catch((e: unknown) => e);
    const syn = await frameFrom(frames, synStream, 'the request');
    await send({ frameType: SYN_REPLY, streamId: syn.streamId, nv: bomb(200_000) });
    await frameFrom(frames, rstOn(syn.streamId), 'RST_STREAM');
    assert.equal(statusesOf(frames, RST_STREAM), [tooLarge]);
    const cause = assertSpdyFailure(await first);
    assert.is(cause.statusCode, tooLarge);
    // The header zlib stream is still in step: a normal reply on the next stream reads fine.
    const second = client.fetch('/next');
    const next = await frameFrom(frames, (f) => synStream(f) && f.streamId !== syn.streamId, 'the second request');
    await send({ frameType: SYN_REPLY, streamId: next.streamId, flags: CTRL_FLAG_FIN, nv: RESPONSE });
    assert.is((await second).status, 200);
    assert.is(goaways(frames).length, 0);
    await bystander;
    session.destroy();
  });

  test(`v${version}: a SYN_REPLY that inflates without bound gets GOAWAY PROTOCOL_ERROR; every fetch fails with a SpdyError`, async () => {
    const { client, frames, send, session } = hostileServer(version);
    const bystander = assertHealthySpdySessions(version);
    const first = client.fetch('/bomb').catch((e: unknown) => e);
    const syn = await frameFrom(frames, synStream, 'the request');
    await send({ frameType: SYN_REPLY, streamId: syn.streamId, nv: bomb(8 * 1024 * 1024) });
    const [goaway] = goaways([await frameFrom(frames, (f) => goaways([f]).length > 0, 'GOAWAY')]);
    if (version !== PROTO_SPDY2) assert.is(goaway.statusCode, GOAWAY_PROTOCOL_ERROR);
    assertSpdyFailure(await first);
    assert.instance(await rejectionOf(session.closed), SpdyError);
    assert.is(session.bufferedBytes, 0);
    await bystander;
  });

  test(`v${version}: HEADERS that inflate past maxHeaderBlockSize get RST_STREAM ${tooLarge}; the response body fails with a SpdyError`, async () => {
    const { client, frames, send, session } = hostileServer(version);
    const response = client.fetch('/trailers');
    const syn = await frameFrom(frames, synStream, 'the request');
    await send({ frameType: SYN_REPLY, streamId: syn.streamId, nv: RESPONSE });
    const res = await response;
    await send({ frameType: DATA, streamId: syn.streamId, flags: 0, data: new Uint8Array(10) });
    await send({ frameType: HEADERS, streamId: syn.streamId, nv: bomb(200_000).slice(RESPONSE.length) });
    await frameFrom(frames, rstOn(syn.streamId), 'RST_STREAM');
    assert.equal(statusesOf(frames, RST_STREAM), [tooLarge]);
    const err = await rejectionOf(res.arrayBuffer());
    assert.instance(err, SpdyError, `body failed with ${String(err)}`);
    assert.is(goaways(frames).length, 0);
    await assertHealthySpdySessions(version);
    session.destroy();
  });
}

test('a push flood: pushes past maxPushes get RST_STREAM REFUSED_STREAM, nothing piles up, and the page loads', async () => {
  const { client, frames, send, session, encode, writer } = hostileServer(PROTO_SPDY3_1);
  const page = client.fetch('/');
  const syn = await frameFrom(frames, synStream, 'the request');
  await send({ frameType: SYN_REPLY, streamId: syn.streamId, nv: RESPONSE });
  const pushes = 5000;
  const flood: Uint8Array[] = [];
  for (let i = 0; i < pushes; i++) {
    flood.push(encode({
      frameType: SYN_STREAM, streamId: 2 * i + 2, assocStreamId: syn.streamId, flags: CTRL_FLAG_UNIDIRECTIONAL,
      nv: [[':status', '200 OK'], [':version', 'HTTP/1.1'], [':scheme', 'https'], [':host', 'hostile.test'], [':path', `/p${i}`]],
    }));
  }
  await writer.write(concatBytes(flood));
  await send({ frameType: DATA, streamId: syn.streamId, flags: DATA_FLAG_FIN, data: new TextEncoder().encode('page') });
  assert.is(await (await page).text(), 'page');
  await frameFrom(frames, rstOn(2 * pushes), 'the last refusal');
  // The session refuses what is past its stream limit at once; the client's
  // own refusals of what is past maxPushes follow.
  const refusals = (): number => frames.filter((f: any) => f.frameType === RST_STREAM && f.statusCode === REFUSED_STREAM).length;
  for (let i = 0; i < 5000 && refusals() < pushes - 32; i++) await tick();
  const refused = refusals();
  assert.ok(refused >= pushes - 32, `${refused} refused`);
  assert.ok(session.numOpenStreams <= 33, `${session.numOpenStreams} streams open`);
  assert.ok(session.bufferedBytes <= 4, `${session.bufferedBytes} bytes held`);
  assert.is(goaways(frames).length, 0);
  await assertHealthySpdySessions();
  session.destroy();
});

for (const version of [PROTO_SPDY3, PROTO_SPDY3_1] as const) {
  test(`v${version}: a server that shuts our window to zero and never opens it: the upload waits within its buffer, and an abort resets it with CANCEL`, async () => {
    const { client, frames, send, session } = hostileServer(version);
    await send({ frameType: SETTINGS, iv: [[SETTINGS_INITIAL_WINDOW_SIZE, 0, 0]] });
    await tick();
    const controller = new AbortController();
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled += 16384;
        c.enqueue(new Uint8Array(16384));
      },
    });
    const upload = client.fetch('/upload', { method: 'POST', body, signal: controller.signal, duplex: 'half' } as any)
      .catch((e: unknown) => e);
    const syn = await frameFrom(frames, synStream, 'the request');
    for (let i = 0; i < 50; i++) await tick();
    assert.is(frames.filter((f) => f.frameType === DATA).length, 0, 'no DATA into a closed window');
    assert.ok(pulled <= 4 * 65536, `${pulled} bytes pulled from the body while the window is shut`);
    controller.abort();
    const err = await upload;
    assert.is((err as Error).name, 'AbortError');
    await frameFrom(frames, rstOn(syn.streamId), 'RST_STREAM');
    assert.equal(statusesOf(frames, RST_STREAM), [CANCEL]);
    session.destroy();
  });

  test(`v${version}: DATA past our stream window gets RST_STREAM FLOW_CONTROL_ERROR; the response body fails with a SpdyError`, async () => {
    const { client, frames, send, session } = hostileServer(version, { initialWindowSize: 65536 });
    const response = client.fetch('/big');
    const syn = await frameFrom(frames, synStream, 'the request');
    await send({ frameType: SYN_REPLY, streamId: syn.streamId, nv: RESPONSE });
    const res = await response;
    for (let i = 0; i < 5; i++) await send({ frameType: DATA, streamId: syn.streamId, flags: 0, data: new Uint8Array(16384) });
    await frameFrom(frames, rstOn(syn.streamId), 'RST_STREAM');
    assert.equal(statusesOf(frames, RST_STREAM), [FLOW_CONTROL_ERROR]);
    const err = await rejectionOf(res.arrayBuffer());
    assert.instance(err, SpdyError, `body failed with ${String(err)}`);
    assert.is(session.bufferedBytes <= 65536, true);
    await assertHealthySpdySessions(version);
    session.destroy();
  });
}

test('v3.1: DATA past our connection window gets GOAWAY PROTOCOL_ERROR; open fetches fail with a SpdyError', async () => {
  const { client, frames, send, session } = hostileServer(PROTO_SPDY3_1, { initialWindowSize: 65536, sessionWindowSize: 65536 });
  const a = client.fetch('/a');
  const b = client.fetch('/b').catch((e: unknown) => e);
  const synA = await frameFrom(frames, synStream, 'the first request');
  const synB = await frameFrom(frames, (f) => synStream(f) && f.streamId !== synA.streamId, 'the second request');
  await send({ frameType: SYN_REPLY, streamId: synA.streamId, nv: RESPONSE });
  const res = await a;
  for (let i = 0; i < 5; i++) await send({ frameType: DATA, streamId: synA.streamId, flags: 0, data: new Uint8Array(16000) });
  const goaway = await frameFrom(frames, (f) => goaways([f]).length > 0, 'GOAWAY');
  assert.is(goaway.statusCode, GOAWAY_PROTOCOL_ERROR);
  assertSpdyFailure(await b);
  assert.instance(await rejectionOf(res.arrayBuffer()), SpdyError);
  void synB;
  await assertHealthySpdySessions();
  session.destroy();
});

const CODED: ReadonlyArray<[coding: string, body: Uint8Array]> = [
  ['gzip', gzipSync(new Uint8Array(50_000).fill(0x61))],
  ['deflate', deflateSync(new Uint8Array(50_000).fill(0x61))],
];

for (const [coding, coded] of CODED) {
  test(`a ${coding} body cut short or corrupt fails with a ZlibError; a reset in the middle fails with the reset`, async () => {
    const { client, frames, send, session } = hostileServer(PROTO_SPDY3_1);
    const cases: Array<[what: string, data: Uint8Array, end: 'fin' | 'rst']> = [
      ['cut-short', coded.subarray(0, coded.length - 6), 'fin'],
      ['corrupt', Uint8Array.from(coded, (b, i) => (i > 12 ? b ^ 0x5a : b)), 'fin'],
      ['reset', coded.subarray(0, coded.length >> 1), 'rst'],
    ];
    for (const [what, data, end] of cases) {
      const response = client.fetch(`/${what}`);
      const syn = await frameFrom(frames, (f) => synStream(f) && f.nv.some(([n, v]: string[]) => n === ':path' && v === `/${what}`), what);
      await send({ frameType: SYN_REPLY, streamId: syn.streamId, nv: [...RESPONSE, ['content-encoding', coding]] });
      const res = await response;
      await send({ frameType: DATA, streamId: syn.streamId, flags: end === 'fin' ? DATA_FLAG_FIN : 0, data });
      if (end === 'rst') await send({ frameType: RST_STREAM, streamId: syn.streamId, statusCode: INTERNAL_ERROR });
      const err = await rejectionOf(res.arrayBuffer());
      assert.instance(err, SpdyError, `${what}: ${String(err)}`);
      if (end === 'rst') assert.is(err.statusCode, INTERNAL_ERROR, what);
      else assert.is(err.code, ERR_ZLIB, what);
    }
    assert.is(goaways(frames).length, 0);
    session.destroy();
  });
}

test('a server that never answers: the fetch waits until its AbortSignal fires, then resets the stream with CANCEL', async () => {
  const { client, frames, session } = hostileServer(PROTO_SPDY3_1);
  const controller = new AbortController();
  const pending = client.fetch('/silence', { signal: controller.signal }).catch((e: unknown) => e);
  const syn = await frameFrom(frames, synStream, 'the request');
  for (let i = 0; i < 20; i++) await tick();
  controller.abort();
  assert.is(((await pending) as Error).name, 'AbortError');
  await frameFrom(frames, rstOn(syn.streamId), 'RST_STREAM');
  assert.equal(statusesOf(frames, RST_STREAM), [CANCEL]);
  assert.is(session.numOpenStreams, 0);
  session.destroy();
});

test.run();
