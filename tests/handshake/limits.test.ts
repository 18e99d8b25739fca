// The handshake's bounds come from the config: an Upgrade request whose head
// grows past maxUpgradeHeadSize is refused, and the HTTP client holds at
// most config.maxPushes unclaimed pushes unless told otherwise.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROTO_SPDY3_1 } from '../../src/base/constants.js';
import { acceptPreface } from '../../src/handshake/accept.js';
import { SpdyClient } from '../../src/http/client.js';
import { SpdySession } from '../../src/streams/spdy-session.js';
import { createMemoryTransportPair } from '../../src/streams/memory-transport.js';

const upgradeRequest = (padding: number): Uint8Array => new TextEncoder().encode(
  `GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Padding: ${'a'.repeat(padding)}\r\n\r\n`,
);

test('an Upgrade request whose head grows past maxUpgradeHeadSize is refused; a shorter one is accepted', async () => {
  const limits = { maxUpgradeHeadSize: 256 };
  // A whole head within the bound.
  const [c1, s1] = createMemoryTransportPair();
  void c1.writable.getWriter().write(upgradeRequest(100)).catch(() => undefined);
  void c1.readable.getReader().read().catch(() => undefined);
  const ok = await acceptPreface(s1, { version: PROTO_SPDY3_1, config: limits });
  assert.is(ok?.version, PROTO_SPDY3_1);
  // A head that has not ended by the bound: no more of it is held.
  const [c2, s2] = createMemoryTransportPair();
  const endless = upgradeRequest(400);
  void c2.writable.getWriter().write(endless.subarray(0, endless.length - 4)).catch(() => undefined);
  void c2.readable.getReader().read().catch(() => undefined);
  assert.is(await acceptPreface(s2, { version: PROTO_SPDY3_1, config: limits }), null);
});

test('the HTTP client takes its push limit from the session config', () => {
  const [a] = createMemoryTransportPair();
  const session = new SpdySession(a, { side: 'client', config: { maxPushes: 3 } });
  const client = new SpdyClient(session, { origin: 'https://example.test' });
  assert.is((client as any).store.limit, 3);
  session.destroy();
});

test.run();
