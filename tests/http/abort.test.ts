// The HTTP client's AbortSignal: before the response, during the body, already aborted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loopback } from './loopback.js';

test('aborting before the response rejects with the abort reason and the server sees the stream cancelled', async () => {
  const seen: { signal: AbortSignal | null } = { signal: null };
  const lb = await loopback((req) => {
    seen.signal = req.signal;
    return new Promise<Response>(() => undefined); // never answers
  });
  try {
    const controller = new AbortController();
    const pending = lb.client.fetch('/slow', { signal: controller.signal });
    while (seen.signal === null) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await pending.then(
      () => assert.unreachable('fetch should reject'),
      (err) => assert.is((err as Error).name, 'AbortError'),
    );
    while (!seen.signal.aborted) await new Promise((r) => setTimeout(r, 5));
    assert.is((seen.signal.reason as { statusCode?: number }).statusCode, 5); // CANCEL
    // The session is still good.
    assert.ok((await lb.client.ping()) >= 0);
  } finally {
    await lb.close();
  }
});

test('a request made from the handler\'s request (a proxy\'s) aborts with it when the client resets', async () => {
  const seen: { forwarded: Request | null } = { forwarded: null };
  const lb = await loopback((req) => {
    seen.forwarded = new Request('http://upstream.invalid/x', req);
    return new Promise<Response>(() => undefined);
  });
  try {
    const controller = new AbortController();
    const pending = lb.client.fetch('/slow', { signal: controller.signal }).catch(() => undefined);
    while (seen.forwarded === null) await new Promise((r) => setTimeout(r, 5));
    assert.not.ok(seen.forwarded.signal.aborted);
    controller.abort();
    await pending;
    while (!seen.forwarded.signal.aborted) await new Promise((r) => setTimeout(r, 5));
  } finally {
    await lb.close();
  }
});

test('aborting while the body streams errors the body with the abort reason', async () => {
  const lb = await loopback(() => new Response(new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode('first'));
    },
  })));
  try {
    const controller = new AbortController();
    const res = await lb.client.fetch('/stream', { signal: controller.signal });
    const reader = res.body!.getReader();
    assert.is(new TextDecoder().decode((await reader.read()).value), 'first');
    controller.abort(new Error('user gave up'));
    await reader.read().then(
      () => assert.unreachable('read should fail'),
      (err) => assert.is((err as Error).message, 'user gave up'),
    );
  } finally {
    await lb.close();
  }
});

test('a handler that first looks at its request\'s signal after the client reset the stream finds it aborted', async () => {
  const seen: { request: Request | null; signal: AbortSignal | null } = { request: null, signal: null };
  const lb = await loopback((req) => {
    seen.request = req;
    return new Promise<Response>(() => undefined); // never answers
  });
  try {
    const controller = new AbortController();
    const pending = lb.client.fetch('/slow', { signal: controller.signal }).catch(() => undefined);
    while (seen.request === null) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await pending;
    // Long enough for the RST_STREAM to have reached the server.
    await new Promise((r) => setTimeout(r, 100));
    seen.signal = seen.request.signal;
    for (let i = 0; i < 400 && !seen.signal.aborted; i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(seen.signal.aborted, 'the signal aborted');
    assert.is((seen.signal.reason as { statusCode?: number }).statusCode, 5); // CANCEL
    assert.is(seen.request.signal, seen.signal, 'one signal per request');
  } finally {
    await lb.close();
  }
});

test('an already aborted signal sends nothing', async () => {
  let requests = 0;
  const lb = await loopback(() => {
    requests++;
    return new Response('x');
  });
  try {
    await lb.client.fetch('/', { signal: AbortSignal.abort() }).then(
      () => assert.unreachable('fetch should reject'),
      (err) => assert.is((err as Error).name, 'AbortError'),
    );
    await lb.client.ping();
    assert.is(requests, 0);
  } finally {
    await lb.close();
  }
});

test.run();
