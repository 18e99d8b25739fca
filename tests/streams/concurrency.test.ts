// Many streams on one SpdySession at once, each with a random body both ways checked by sha256.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { header, iterate, ok, randomBytes, readAll, request, sessionPair, sha256, writeAll } from './session-pair.js';

const STREAMS = 1000;

test(`${STREAMS} concurrent streams each carry a random body both ways, checked by sha256`, async () => {
  // The server allows the default 100 concurrent streams: the rest wait in the client's queue.
  const { client, server } = sessionPair();
  // Until the server's SETTINGS arrive the client knows no limit, and the
  // server would refuse SYN_STREAMs past 100: one round trip brings them.
  await client.ping();
  const serving = (async () => {
    const handlers: Promise<void>[] = [];
    for await (const stream of iterate(server.incoming)) {
      handlers.push((async () => {
        const nv = await stream.headers;
        const upload = await readAll(stream.readable);
        const n = Number(header(nv, ':path')!.slice(1));
        await stream.respond(ok([['x-sha256', sha256(upload)]]));
        await writeAll(stream.writable, randomBytes(1000 + ((n * 7919) % 30000), n + 1_000_000), 4096);
      })());
    }
    await Promise.all(handlers);
  })();

  const results = await Promise.all(Array.from({ length: STREAMS }, async (_, n) => {
    const body = randomBytes(1000 + ((n * 104729) % 30000), n);
    const stream = await client.openStream({ headers: request(`/${n}`, 'POST') });
    const [, reply, download] = await Promise.all([
      writeAll(stream.writable, body, 4096), stream.headers, readAll(stream.readable),
    ]);
    await stream.closed;
    const expectedDown = randomBytes(1000 + ((n * 7919) % 30000), n + 1_000_000);
    return header(reply, 'x-sha256') === sha256(body) && sha256(download) === sha256(expectedDown);
  }));
  assert.is(results.filter(Boolean).length, STREAMS);
  assert.is(client.numOpenStreams, 0);
  assert.is(client.bufferedBytes, 0);
  await client.close();
  await serving;
  assert.is(server.numOpenStreams, 0);
});

test.run();
