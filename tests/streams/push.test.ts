// Server push as SpdyStreams: incoming pushes tied to their parent, bodies, who may push.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidArgumentError, StreamClosedError } from '../../src/index.js';
import {
  header, nextIncoming, ok, randomBytes, readAll, rejectionOf, request, sessionPair, sha256, writeAll,
} from './session-pair.js';

const pushHeaders = (path: string): Array<[string, string]> => [
  [':status', '200'], [':version', 'HTTP/1.1'], [':scheme', 'http'], [':host', 'localhost'], [':path', path],
];

test('a server push reaches the client as an incoming stream tied to its parent, with its body', async () => {
  const { client, server } = sessionPair();
  const body = randomBytes(100_000, 7);
  const served = (async () => {
    const parent = await nextIncoming(server);
    const pushed = await parent.push(pushHeaders('/style.css'));
    assert.is(pushed.id, 2);
    assert.is(pushed.origin, 'local-push');
    assert.is(pushed.associatedStreamId, parent.id);
    assert.is((await readAll(pushed.readable)).length, 0);
    await parent.respond(ok(), { endStream: true });
    await writeAll(pushed.writable, body);
    await pushed.closed;
  })();
  const stream = await client.openStream({ headers: request('/index.html'), endStream: true });
  const pushed = await nextIncoming(client);
  assert.is(pushed.origin, 'remote-push');
  assert.is(pushed.associatedStreamId, stream.id);
  assert.is(header(await pushed.headers, ':path'), '/style.css');
  assert.instance(await rejectionOf(pushed.writable.getWriter().write(new Uint8Array(1))), StreamClosedError);
  assert.is(sha256(await readAll(pushed.readable)), sha256(body));
  await pushed.closed;
  await stream.closed;
  await served;
  assert.is(client.numOpenStreams, 0);
  assert.is(server.numOpenStreams, 0);
  await client.close();
});

test('a push with endStream carries no body', async () => {
  const { client, server } = sessionPair();
  const served = (async () => {
    const parent = await nextIncoming(server);
    await parent.push(pushHeaders('/empty'), { endStream: true });
    await parent.respond(ok(), { endStream: true });
  })();
  await client.openStream({ headers: request(), endStream: true });
  const pushed = await nextIncoming(client);
  assert.is((await readAll(pushed.readable)).length, 0);
  await pushed.closed;
  await served;
  await client.close();
});

test('only a server pushes, and only under a stream the peer opened', async () => {
  const { client, server } = sessionPair();
  const stream = await client.openStream({ headers: request() });
  assert.instance(await rejectionOf(stream.push(pushHeaders('/x'))), InvalidArgumentError);
  const parent = await nextIncoming(server);
  const pushed = await parent.push(pushHeaders('/y'), { endStream: true });
  assert.instance(await rejectionOf(pushed.push(pushHeaders('/z'))), InvalidArgumentError);
  stream.reset();
  await client.close();
});

test.run();
