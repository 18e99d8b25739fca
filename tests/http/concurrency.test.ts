// Many requests on one session, and a server closing while requests are open.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loopback } from './loopback.js';

test('200 concurrent requests on one session all complete with their own bodies', async () => {
  const lb = await loopback(
    async (req) => new Response(`${new URL(req.url).searchParams.get('n')}:${'x'.repeat(2000)}`),
    { config: { maxConcurrentStreams: 100 } },
  );
  try {
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, n) => (await lb.client.fetch(`/item?n=${n}`)).text()),
    );
    results.forEach((text, n) => assert.is(text, `${n}:${'x'.repeat(2000)}`));
  } finally {
    await lb.close();
  }
});

/** A server whose handler waits for `release()`; `inHandler` resolves once a request is there. */
async function slowServer() {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let started!: () => void;
  const inHandler = new Promise<void>((r) => (started = r));
  const lb = await loopback(async () => {
    started();
    await gate;
    return new Response('finished');
  });
  return { lb, inHandler, release };
}

test('server.close() lets an open request finish, then refuses new connections', async () => {
  const { lb, inHandler, release } = await slowServer();
  try {
    const pending = lb.client.fetch('/slow');
    await inHandler;
    const closing = lb.server.close();
    release();
    assert.is(await (await pending).text(), 'finished');
    await closing;
    const { connect } = await import('../../src/node/http/connect.js');
    await connect(lb.origin, { rejectUnauthorized: false }).then(
      () => assert.unreachable('the server should be gone'),
      (err) => assert.ok(err instanceof Error),
    );
  } finally {
    await lb.client.close().catch(() => undefined);
  }
});

test('server.close() sends GOAWAY on an open session: new requests are refused there while the open one finishes', async () => {
  const { lb, inHandler, release } = await slowServer();
  try {
    const pending = lb.client.fetch('/slow');
    await inHandler;
    const closing = lb.server.close();
    // The GOAWAY reaches the client; a PING round trip orders us after it.
    await lb.client.ping();
    await lb.client.fetch('/late').then(
      () => assert.unreachable('a request after GOAWAY should be refused'),
      (err) => assert.instance(err, Error),
    );
    release();
    assert.is(await (await pending).text(), 'finished');
    await closing;
    await lb.client.closed;
  } finally {
    await lb.client.close().catch(() => undefined);
  }
});

test.run();
