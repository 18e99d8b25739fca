// Server push through the HTTP layer: pushed responses, pushes(), the push limit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loopback, unlessStalled } from './loopback.js';

const page = (ctx: { push(path: string, r: Response): Promise<void> }) =>
  ctx.push('/app.css', new Response('body { margin: 0 }', { headers: { 'content-type': 'text/css' } }))
    .then(() => new Response('<link rel=stylesheet href=/app.css>', { headers: { 'content-type': 'text/html' } }));

test('a pushed resource answers a later fetch of its URL, with no request sent', async () => {
  let requests = 0;
  const lb = await loopback((req, ctx) => {
    requests++;
    return new URL(req.url).pathname === '/' ? page(ctx) : new Response('from the server');
  });
  try {
    const html = await lb.client.fetch('/');
    assert.is(await html.text(), '<link rel=stylesheet href=/app.css>');
    const css = await lb.client.fetch('/app.css');
    assert.is(css.status, 200);
    assert.is(css.headers.get('content-type'), 'text/css');
    assert.is(css.url, `${lb.origin}/app.css`);
    assert.is(await css.text(), 'body { margin: 0 }');
    assert.is(requests, 1);
    // Claimed once: the next fetch goes to the server.
    assert.is(await (await lb.client.fetch('/app.css')).text(), 'from the server');
    assert.is(requests, 2);
  } finally {
    await lb.close();
  }
});

test('pushes() yields each push with its URL and associated stream', async () => {
  const lb = await loopback((_req, ctx) => page(ctx));
  try {
    const iterator = lb.client.pushes();
    const html = await lb.client.fetch('/');
    await html.text();
    const { value: push } = await iterator.next();
    assert.is(push.url, `${lb.origin}/app.css`);
    assert.is(push.associatedStreamId, 1);
    assert.is(push.streamId % 2, 0);
    assert.is(await push.response.text(), 'body { margin: 0 }');
  } finally {
    await lb.close();
  }
});

test('pushes beyond maxPushes are refused and the page still loads', async () => {
  const lb = await loopback(async (_req, ctx) => {
    for (let i = 0; i < 4; i++) await ctx.push(`/r${i}`, new Response(`r${i}`));
    return new Response('page');
  }, { client: { maxPushes: 2 } });
  try {
    assert.is(await (await lb.client.fetch('/')).text(), 'page');
    // Give the refused pushes' resets time to be exchanged, then count the kept ones.
    await lb.client.ping();
    const kept: string[] = [];
    for (const path of ['/r0', '/r1']) kept.push(await (await lb.client.fetch(path)).text());
    assert.equal(kept, ['r0', 'r1']);
  } finally {
    await lb.close();
  }
});

test('unclaimed pushes do not hold the connection: ten of 1 MiB pushed with a page, and the next fetch still gets its body', async () => {
  let requests = 0;
  const lb = await loopback(async (req, ctx) => {
    requests++;
    if (new URL(req.url).pathname !== '/') return new Response(new Uint8Array(300_000));
    for (let i = 0; i < 10; i++) ctx.push(`/big${i}`, new Response(new Uint8Array(1 << 20))).catch(() => undefined);
    return new Response('page');
  });
  try {
    assert.is(await (await lb.client.fetch('/')).text(), 'page');
    const other = lb.client.fetch('/other').then(async (r) => (await r.arrayBuffer()).byteLength);
    assert.is(await unlessStalled(other), 300_000);
    // Each was larger than what a kept push may hold (a stream window): given up, and fetched from the server if asked for.
    await lb.client.ping();
    assert.is((await (await lb.client.fetch('/big3')).arrayBuffer()).byteLength, 300_000);
    assert.is(requests, 3);
  } finally {
    await lb.close();
  }
});

test('a push claimed while its body is coming gets all of it, however large', async () => {
  const body = new Uint8Array(3 << 20).map((_, i) => i % 251);
  const lb = await loopback(async (_req, ctx) => {
    ctx.push('/big', new Response(body)).catch(() => undefined);
    return new Response('page');
  });
  try {
    const iterator = lb.client.pushes();
    const page = lb.client.fetch('/');
    const { value: push } = await iterator.next();
    const got = new Uint8Array(await push.response.arrayBuffer());
    assert.is(got.length, body.length);
    assert.ok(got.every((b, i) => b === i % 251));
    assert.is(await (await page).text(), 'page');
  } finally {
    await lb.close();
  }
});

test('a small pushed body is kept whole while unclaimed, and answers a later fetch', async () => {
  const lb = await loopback(async (req, ctx) => {
    if (new URL(req.url).pathname !== '/') return new Response('from the server');
    ctx.push('/small', new Response(new Uint8Array(100_000).fill(7))).catch(() => undefined);
    return new Response('page');
  });
  try {
    assert.is(await (await lb.client.fetch('/')).text(), 'page');
    await lb.client.ping();
    const got = new Uint8Array(await (await lb.client.fetch('/small')).arrayBuffer());
    assert.is(got.length, 100_000);
    assert.ok(got.every((b) => b === 7));
  } finally {
    await lb.close();
  }
});

test.run();
