// Every failure of connection start, and every bad argument of the Node
// adapters, is a SpdyError subclass with a stable code: callers tell them
// apart by class and code, never by message.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ERR_CONNECTION_CLOSED, ERR_HANDSHAKE, ERR_MALFORMED_HEAD, ERR_NOT_HTTP, ERR_UPGRADE_REFUSED,
} from '../../src/base/constants.js';
import { ConnectionClosedError, HandshakeError, InvalidArgumentError, SpdyError } from '../../src/base/errors.js';
import { parseHead } from '../../src/handshake/http1.js';
import { PrefaceReader } from '../../src/handshake/preface.js';
import { UpgradeRefusedError, requestUpgrade } from '../../src/handshake/upgrade.js';
import { createMemoryTransportPair } from '../../src/streams/memory-transport.js';
import { dial } from '../../src/node/dial.js';
import { rejectionOf } from '../streams/session-pair.js';
import { serve } from '../../src/node/http/serve.js';
import { dialKube } from '../../src/node/kubernetes/dial.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

test('a head that does not start like HTTP/1.x is a HandshakeError with ERR_NOT_HTTP', () => {
  assert.throws(() => parseHead(text('SSH-2.0-x\r\n\r\n')), (e: any) => e instanceof HandshakeError && e.code === ERR_NOT_HTTP);
});

test('a header line with no name is a HandshakeError with ERR_MALFORMED_HEAD', () => {
  assert.throws(
    () => parseHead(text('HTTP/1.1 101 Switching Protocols\r\n: nameless\r\n\r\n')),
    (e: any) => e instanceof HandshakeError && e.code === ERR_MALFORMED_HEAD,
  );
});

test('a preface longer than its bound is a HandshakeError; one the connection cuts short, a ConnectionClosedError', async () => {
  const [a, b] = createMemoryTransportPair();
  const writer = b.writable.getWriter();
  void writer.write(new Uint8Array(64));
  const long = await rejectionOf(new PrefaceReader(a).readUntil(() => undefined, 16));
  assert.instance(long, HandshakeError);
  assert.is(long.code, ERR_HANDSHAKE);

  const [c, d] = createMemoryTransportPair();
  await d.writable.getWriter().close();
  const cut = await rejectionOf(new PrefaceReader(c).readUntil(() => undefined, 16));
  assert.instance(cut, ConnectionClosedError);
  assert.is(cut.code, ERR_CONNECTION_CLOSED);
});

test('a server that answers the Upgrade with something not HTTP refuses it: UpgradeRefusedError, a HandshakeError', async () => {
  const [client, server] = createMemoryTransportPair();
  const writer = server.writable.getWriter();
  void writer.write(text('SPDY? no.\r\n\r\n'));
  const err = await rejectionOf(requestUpgrade(client, { host: 'example.test' }));
  assert.instance(err, UpgradeRefusedError);
  assert.instance(err, HandshakeError);
  assert.instance(err, SpdyError);
  assert.is(err.code, ERR_UPGRADE_REFUSED);
  assert.is(err.status, 0);
  assert.is(err.name, 'UpgradeRefusedError');
});

test('bad arguments to the Node adapters are InvalidArgumentErrors', async () => {
  assert.instance(await rejectionOf(dial(new URL('ftp://example.test/'))), InvalidArgumentError);
  assert.throws(() => serve({ port: 0 } as never, () => new Response('x')), (e: unknown) => e instanceof InvalidArgumentError);
  const kube = await rejectionOf(Promise.resolve().then(() => dialKube(new URL('ftp://example.test'), { server: 'ftp://example.test', namespace: 'n', pod: 'p' } as never)));
  assert.instance(kube, InvalidArgumentError);
});

test.run();
