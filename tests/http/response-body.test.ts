// A reply's body: read whole (text, json, arrayBuffer, bytes) with no stream
// made, or as a stream (body, blob, formData, clone) that behaves as the
// runtime's own Response.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { responseFromNv, type ReplyBody } from '../../src/http/response.js';
import { loopback } from './loopback.js';

/** A ReplyBody of `bytes` that counts the streams asked of it. */
function replyBody(bytes: Uint8Array): ReplyBody & { streamsMade: number } {
  let made: ReadableStream<Uint8Array> | null = null;
  let gathered = false;
  return {
    streamsMade: 0,
    get readable() {
      if (!made) {
        this.streamsMade++;
        made = gathered
          ? new ReadableStream({ start: (c) => c.error(new TypeError('read whole already')) })
          : new ReadableStream({ start: (c) => { c.enqueue(bytes); c.close(); } });
      }
      return made;
    },
    bytes: () => {
      if (made) return Promise.reject(new TypeError('a stream was made already'));
      gathered = true;
      return Promise.resolve(bytes);
    },
  };
}

/** Asserts that `promise` rejects with a TypeError. */
async function rejectsWithTypeError(promise: Promise<unknown>): Promise<void> {
  const err = await promise.then(() => null, (e: unknown) => e);
  assert.ok(err instanceof TypeError, `expected a TypeError, got ${String(err)}`);
}

const OK_JSON: Array<[string, string]> = [[':status', '200 OK'], ['content-type', 'application/json']];
const encode = (s: string): Uint8Array => new TextEncoder().encode(s);

test('text(), json(), arrayBuffer() and bytes() read the body whole without making a stream', async () => {
  for (const read of ['text', 'json', 'arrayBuffer', 'bytes'] as const) {
    const source = replyBody(encode('{"a":[1,2]}'));
    const res = responseFromNv(OK_JSON, source, 'https://h/x');
    assert.ok(res instanceof Response);
    assert.is(res.bodyUsed, false);
    const got = await res[read]();
    const text = typeof got === 'string' ? got : read === 'json' ? JSON.stringify(got) : new TextDecoder().decode(got as ArrayBuffer);
    assert.is(text, '{"a":[1,2]}', read);
    assert.is(source.streamsMade, 0, read);
    assert.is(res.bodyUsed, true);
    assert.is(res.url, 'https://h/x');
    assert.is(res.status, 200);
  }
});

test('a body read whole cannot be read again, cloned, or read as a stream', async () => {
  const res = responseFromNv(OK_JSON, replyBody(encode('x')), 'https://h/');
  const first = res.text();
  assert.is(res.bodyUsed, true, 'used from the call on, as the runtime does');
  await rejectsWithTypeError(res.text());
  await rejectsWithTypeError(res.arrayBuffer());
  await rejectsWithTypeError(res.blob());
  assert.throws(() => res.clone());
  assert.is(await first, 'x');
  await rejectsWithTypeError(res.body!.getReader().read());
});

test('arrayBuffer() holds only the body even when the body is a view into a larger buffer', async () => {
  const backing = encode('....body....');
  const res = responseFromNv(OK_JSON, replyBody(backing.subarray(4, 8)), 'https://h/');
  const buf = await res.arrayBuffer();
  assert.is(buf.byteLength, 4);
  assert.is(new TextDecoder().decode(buf), 'body');
});

test('body makes the stream once; the whole-body methods then read through it', async () => {
  const source = replyBody(encode('streamed'));
  const res = responseFromNv(OK_JSON, source, 'https://h/');
  assert.ok(res.body instanceof ReadableStream);
  assert.is(res.body, res.body);
  assert.is(res.bodyUsed, false);
  assert.is(await res.text(), 'streamed');
  assert.is(res.bodyUsed, true);
  assert.is(source.streamsMade, 1);
  await rejectsWithTypeError(res.text());
});

test('clone() gives two bodies, each with the status, headers and url', async () => {
  const res = responseFromNv([[':status', '201 Created'], ['x-a', 'b']], replyBody(encode('twice')), 'https://h/c');
  const copy = res.clone();
  assert.ok(copy instanceof Response);
  for (const r of [res, copy]) {
    assert.is(r.status, 201);
    assert.is(r.statusText, 'Created');
    assert.is(r.headers.get('x-a'), 'b');
    assert.is(r.url, 'https://h/c');
  }
  assert.is(await copy.text(), 'twice');
  assert.is(await res.text(), 'twice');
});

test('blob() carries the content-type; formData() parses a form', async () => {
  const blob = await responseFromNv([[':status', '200'], ['content-type', 'text/plain']], replyBody(encode('hi')), 'https://h/').blob();
  assert.is(blob.type, 'text/plain');
  assert.is(await blob.text(), 'hi');
  const form = await responseFromNv(
    [[':status', '200'], ['content-type', 'application/x-www-form-urlencoded']], replyBody(encode('a=1&b=two')), 'https://h/',
  ).formData();
  assert.is(form.get('b'), 'two');
});

test('a reply with an invalid header is refused without its body read', () => {
  const source = replyBody(encode('x'));
  assert.throws(() => responseFromNv([[':status', '200'], ['bad name', 'v']], source, 'https://h/'), /invalid response header/);
  assert.is(source.streamsMade, 0);
});

test('over a session: text() of a 1 MiB reply and json() of a small one, on one client', async () => {
  const big = 'spdy'.repeat(256 * 1024);
  const lb = await loopback((req) =>
    new URL(req.url).pathname === '/big' ? new Response(big) : Response.json({ ok: true }), { plain: true });
  try {
    const [text, json] = await Promise.all([
      lb.client.fetch('/big').then((r) => r.text()),
      lb.client.fetch('/small').then((r) => r.json()),
    ]);
    assert.is(text.length, big.length);
    assert.ok(text === big);
    assert.equal(json, { ok: true });
  } finally {
    await lb.close();
  }
});

test('over a session: a reply reset in the middle of its body rejects text() with the reset', async () => {
  const lb = await loopback(() => new Response(new ReadableStream({
    start(c) {
      c.enqueue(encode('part'));
      setTimeout(() => c.error(new Error('the source broke')), 20);
    },
  })), { plain: true });
  try {
    const res = await lb.client.fetch('/broken');
    const err = await res.text().then(() => null, (e: unknown) => e);
    assert.ok(err, 'text() rejected');
    assert.is(typeof (err as { statusCode?: unknown }).statusCode, 'number');
    const after = await lb.client.fetch('/again');
    assert.is(after.status, 200);
    await after.body!.cancel();
  } finally {
    await lb.close();
  }
});

test('connect() on Node makes bodies lazily; with lazyBodies off, the runtime\'s own Response holds the body', async () => {
  const lb = await loopback(() => new Response('whole'), { plain: true });
  const eager = await loopback(() => new Response('whole'), { plain: true, client: { lazyBodies: false } });
  try {
    const lazy = await lb.client.fetch('/');
    assert.is.not(Object.getPrototypeOf(lazy), Response.prototype);
    assert.is(await lazy.text(), 'whole');
    const own = await eager.client.fetch('/');
    assert.is(Object.getPrototypeOf(own), Response.prototype);
    // What Deno.serve or a Cache would do: read the body through the runtime's own methods.
    assert.is(await Response.prototype.text.call(own), 'whole');
  } finally {
    await lb.close();
    await eager.close();
  }
});

test('a fetched response that a serve() handler answers with is relayed whole', async () => {
  const body = 'relayed '.repeat(50000);
  const upstream = await loopback(() => new Response(body, { headers: { 'x-from': 'upstream' } }), { plain: true });
  const front = await loopback(() => upstream.client.fetch('/'), { plain: true });
  try {
    const res = await front.client.fetch('/');
    assert.is(res.headers.get('x-from'), 'upstream');
    assert.ok((await res.text()) === body);
  } finally {
    await front.close();
    await upstream.close();
  }
});

test.run();
