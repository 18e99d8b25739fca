// Response bodies in gzip or deflate content coding come out of fetch()
// decoded, whatever way the coded bytes are split across DATA frames
// (spdylay's gzip_inflate test, at the level of our HTTP client).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { decodeContentCoding } from '../../src/http/content-coding.js';
import { loopback } from './loopback.js';

const text = 'SPDY header compression is zlib; bodies may be too. '.repeat(40);
const plain = new TextEncoder().encode(text);
const CODED: Array<[coding: string, bytes: Uint8Array]> = [
  ['gzip', gzipSync(plain)],
  ['x-gzip', gzipSync(plain)],
  ['deflate', deflateSync(plain)],
  ['deflate', deflateRawSync(plain)],
];

function streamOf(pieces: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const p of pieces) controller.enqueue(p);
      controller.close();
    },
  });
}

async function decodedText(body: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(body).text();
}

for (const [coding, bytes] of CODED) {
  const form = coding === 'deflate' && bytes[0] !== 0x78 ? 'raw deflate' : coding;
  test(`${form}: every split of the coded body into two pieces decodes to the same text`, async () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const got = await decodedText(decodeContentCoding(streamOf([bytes.subarray(0, cut), bytes.subarray(cut)]), coding));
      assert.is(got, text, `cut at ${cut}`);
    }
  });

  test(`${form}: the coded body one byte at a time decodes to the same text`, async () => {
    const pieces = Array.from(bytes, (b) => Uint8Array.of(b));
    assert.is(await decodedText(decodeContentCoding(streamOf(pieces), coding)), text);
  });
}

test('other codings, and none, leave the body as it is', async () => {
  const raw = gzipSync(plain);
  for (const coding of ['br', 'identity', null]) {
    const out = new Uint8Array(await new Response(decodeContentCoding(streamOf([raw]), coding)).arrayBuffer());
    assert.equal(Array.from(out), Array.from(raw), String(coding));
  }
});

test('an empty deflate body is an empty body; a corrupt gzip body errors the read', async () => {
  assert.is(await decodedText(decodeContentCoding(streamOf([]), 'deflate')), '');
  try {
    await decodedText(decodeContentCoding(streamOf([Uint8Array.of(1, 2, 3, 4, 5)]), 'gzip'));
    assert.unreachable('a corrupt body decoded');
  } catch (err) {
    assert.instance(err, Error);
  }
});

test('fetch() asks for gzip and deflate, and hands the application the decoded body', async () => {
  let asked: string | null = null;
  const lb = await loopback((req) => {
    asked = req.headers.get('accept-encoding');
    return new Response(gzipSync(plain), { headers: { 'content-encoding': 'gzip', 'content-type': 'text/plain' } });
  });
  try {
    const res = await lb.client.fetch('/coded');
    assert.is(asked, 'gzip, deflate');
    assert.is(res.headers.get('content-encoding'), 'gzip');
    assert.is(await res.text(), text);
    // An application that names its own accept-encoding keeps it.
    await (await lb.client.fetch('/coded', { headers: { 'accept-encoding': 'identity' } })).arrayBuffer();
    assert.is(asked, 'identity');
  } finally {
    await lb.close();
  }
});

test.run();
