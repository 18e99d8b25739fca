// fetch() with bodies: streamed uploads past the windows, duplex streaming, body types.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isPattern, loopback, patternStream, unlessStalled } from './loopback.js';

test('a POST body given as a ReadableStream reaches the handler whole, past the flow-control windows', async () => {
  const total = 1_000_000;
  const lb = await loopback(async (req) => {
    const got = new Uint8Array(await req.arrayBuffer());
    return new Response(`${got.length} ${isPattern(got)}`);
  });
  try {
    const res = await lb.client.fetch('/upload', { method: 'POST', body: patternStream(total, 10_000) });
    assert.is(await res.text(), `${total} true`);
  } finally {
    await lb.close();
  }
});

test('a handler that answers without reading the body does not hold the connection up: after four connection windows of such POSTs, a body still gets through', async () => {
  // SPDY/3.1 over one connection; the server's connection window is 1 MiB.
  const lb = await loopback(async (req) => new URL(req.url).pathname === '/count'
    ? new Response(String((await req.arrayBuffer()).byteLength))
    : new Response(null, { status: 204 }));
  try {
    const body = new Uint8Array(64 * 1024);
    for (let i = 0; i < 64; i++) {
      const res = await lb.client.fetch('/webhook', { method: 'POST', body });
      assert.is(res.status, 204);
    }
    // Were those bodies still holding the connection window, this one could not arrive.
    const counted = lb.client.fetch('/count', { method: 'POST', body: new Uint8Array(256 * 1024) }).then((r) => r.text());
    assert.is(await unlessStalled(counted), String(256 * 1024));
  } finally {
    await lb.close();
  }
});

test('an upload answered without being read (413) has the rest of it refused: the answer arrives whole, the upload is cancelled, and the connection moves on', async () => {
  const lb = await loopback(async (req) => new URL(req.url).pathname === '/count'
    ? new Response(String((await req.arrayBuffer()).byteLength))
    : new Response('too large', { status: 413 }));
  try {
    // Twelve uploads of 1 MiB: each past a stream window, and together past the connection window.
    for (let i = 0; i < 12; i++) {
      let cancelled = false;
      const upload = new ReadableStream<Uint8Array>({
        pull: (c) => c.enqueue(new Uint8Array(64 * 1024)),
        cancel: () => void (cancelled = true),
      }, { highWaterMark: 0 });
      const res = await lb.client.fetch('/upload', { method: 'POST', body: upload });
      assert.is(res.status, 413);
      assert.is(await res.text(), 'too large');
      for (let turns = 0; turns < 200 && !cancelled; turns++) await new Promise((r) => setTimeout(r, 5));
      assert.ok(cancelled, `upload ${i} cancelled`);
    }
    const counted = lb.client.fetch('/count', { method: 'POST', body: new Uint8Array(300_000) }).then((r) => r.text());
    assert.is(await unlessStalled(counted), '300000');
  } finally {
    await lb.close();
  }
});

test('request and response bodies stream: the handler answers before the upload ends', async () => {
  // The server echoes each chunk as it arrives; the client sends the next only
  // after reading the previous echo, which cannot work unless both stream.
  const lb = await loopback((req) => new Response(req.body));
  try {
    let push!: ReadableStreamDefaultController<Uint8Array>;
    const upload = new ReadableStream<Uint8Array>({ start: (c) => void (push = c) });
    push.enqueue(new TextEncoder().encode('ping 0'));
    const res = await lb.client.fetch('/echo', { method: 'POST', body: upload });
    const reader = res.body!.getReader();
    const echoed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { value } = await reader.read();
      echoed.push(new TextDecoder().decode(value));
      if (i < 4) push.enqueue(new TextEncoder().encode(`ping ${i + 1}`));
    }
    push.close();
    assert.is((await reader.read()).done, true);
    assert.equal(echoed, ['ping 0', 'ping 1', 'ping 2', 'ping 3', 'ping 4']);
  } finally {
    await lb.close();
  }
});

test('string, URLSearchParams and Blob bodies are sent with their content type', async () => {
  const lb = await loopback(async (req) => new Response(`${req.headers.get('content-type')}|${await req.text()}`));
  try {
    assert.is(await (await lb.client.fetch('/', { method: 'PUT', body: 'text' })).text(), 'text/plain;charset=UTF-8|text');
    assert.is(
      await (await lb.client.fetch('/', { method: 'POST', body: new URLSearchParams({ a: '1' }) })).text(),
      'application/x-www-form-urlencoded;charset=UTF-8|a=1',
    );
    assert.is(await (await lb.client.fetch('/', { method: 'POST', body: new Blob(['blob']) })).text(), 'null|blob');
  } finally {
    await lb.close();
  }
});

test('a request body that errors resets the stream and fails the fetch', async () => {
  let serverSaw: unknown = null;
  const lb = await loopback(async (req) => {
    try {
      await req.arrayBuffer();
    } catch (err) {
      serverSaw = err;
    }
    return new Response('late');
  });
  try {
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(10));
      },
      pull(c) {
        c.error(new Error('disk on fire'));
      },
    });
    await lb.client.fetch('/', { method: 'POST', body }).then(
      async (res) => {
        await res.text();
        assert.unreachable('the fetch should fail');
      },
      (err) => assert.ok(err instanceof Error),
    );
    // The server's request body failed rather than ending as if complete.
    for (let i = 0; i < 50 && serverSaw === null; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(serverSaw !== null);
  } finally {
    await lb.close();
  }
});

test.run();
