/**
 * spdyFetch(): fetch over SPDY with one pooled session per origin.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSpdyFetchSessions, spdyFetch } from '../../src/node/http/spdy-fetch.js';
import { serve, type SpdyServer } from '../../src/node/http/serve.js';

async function countingServer(): Promise<{ server: SpdyServer; connections: () => number }> {
  let connections = 0;
  const server = serve(
    { port: 0, hostname: '127.0.0.1', plain: true, onConnection: () => connections++ },
    (req) => new Response(`${req.method} ${new URL(req.url).pathname}`),
  );
  await server.ready;
  return { server, connections: () => connections };
}

test('requests to one origin share one session; another origin gets its own', async () => {
  const { server, connections } = await countingServer();
  try {
    const a = `http://localhost:${server.port}`;
    const b = `http://127.0.0.1:${server.port}`;
    const texts = await Promise.all([
      spdyFetch(`${a}/1`).then((r) => r.text()),
      spdyFetch(`${a}/2`).then((r) => r.text()),
    ]);
    assert.equal(texts, ['GET /1', 'GET /2']);
    assert.is(await (await spdyFetch(`${a}/3`, { method: 'POST', body: 'x' })).text(), 'POST /3');
    assert.is(connections(), 1, 'one session for every request to the origin');
    assert.is(await (await spdyFetch(new URL('/4', b))).text(), 'GET /4');
    assert.is(connections(), 2, 'a second origin, a second session');
    assert.is(await (await spdyFetch(`${a}/5`)).text(), 'GET /5');
    assert.is(connections(), 2);
  } finally {
    await closeSpdyFetchSessions();
    await server.close();
  }
});

test('after closeSpdyFetchSessions, or once a pooled session has ended, the next request connects again', async () => {
  const { server, connections } = await countingServer();
  try {
    const url = `http://localhost:${server.port}/`;
    await (await spdyFetch(url)).text();
    await closeSpdyFetchSessions();
    await (await spdyFetch(url)).text();
    assert.is(connections(), 2);
  } finally {
    await closeSpdyFetchSessions();
    await server.close();
  }
  const again = await countingServer();
  try {
    const url = `http://localhost:${again.server.port}/`;
    await (await spdyFetch(url)).text();
    // The server goes away (GOAWAY, then the connection closes): the pooled session ends.
    const port = again.server.port;
    await again.server.close();
    const reopened = serve({ port, hostname: '127.0.0.1', plain: true }, () => new Response('back'));
    await reopened.ready;
    try {
      let text = '';
      for (let i = 0; i < 50 && text !== 'back'; i++) {
        text = await spdyFetch(url).then((r) => r.text(), () => '');
        if (text !== 'back') await new Promise((r) => setTimeout(r, 10));
      }
      assert.is(text, 'back', 'the ended session left the pool');
    } finally {
      await closeSpdyFetchSessions();
      await reopened.close();
    }
  } finally {
    await again.server.close().catch(() => undefined);
  }
});

test('a URL that is not absolute is refused', async () => {
  await spdyFetch('/relative').then(
    () => assert.unreachable('spdyFetch needs an absolute URL'),
    (err) => assert.instance(err, TypeError),
  );
});

test.run();
