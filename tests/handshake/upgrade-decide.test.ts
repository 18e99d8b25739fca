// The application decides an Upgrade: it may add headers to the 101 (what
// kubectl needs: the chosen X-Stream-Protocol-Version) or refuse with its
// own status and headers (403 with X-Accepted-Stream-Protocol-Versions);
// the client sends repeated headers and reads the 101's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { PROTO_SPDY3_1 } from '../../src/base/constants.js';
import { InvalidArgumentError } from '../../src/base/errors.js';
import { headerTokens } from '../../src/handshake/http1.js';
import { UpgradeRefusedError, refusalResponse, requestUpgrade } from '../../src/handshake/upgrade.js';
import { acceptNodeUpgrade } from '../../src/node/http/upgrade-listener.js';
import { socketToWeb } from '../../src/node/socket-stream.js';
import type { SpdySession } from '../../src/streams/spdy-session.js';
import { rejectionOf } from '../streams/session-pair.js';

const OURS = ['v4.channel.k8s.io', 'v3.channel.k8s.io'];

/** A Node HTTP server whose Upgrade handler picks a stream protocol as the kubelet does. */
async function kubeletLike(): Promise<{ port: number; sessions: SpdySession[]; close(): Promise<void> }> {
  const sessions: SpdySession[] = [];
  const server = createServer();
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    const offered = req.headersDistinct['x-stream-protocol-version'] ?? [];
    const chosen = offered.find((p) => OURS.includes(p));
    const session = acceptNodeUpgrade(req, socket, head, {
      decide: () => chosen
        ? { headers: [['X-Stream-Protocol-Version', chosen]] }
        : { refuse: { status: 403, headers: [['X-Accepted-Stream-Protocol-Versions', OURS.join(', ')]], body: 'no protocol in common' } },
    });
    if (session) sessions.push(session);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    sessions,
    async close() {
      for (const s of sessions) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function dialRaw(port: number) {
  const socket = connect(port, '127.0.0.1');
  return { socket, transport: socketToWeb(socket) };
}

test('the 101 carries the headers the application chose, and the client reads them', async () => {
  const srv = await kubeletLike();
  try {
    const { socket, transport } = dialRaw(srv.port);
    const result = await requestUpgrade(transport, {
      host: 'localhost', method: 'POST', path: '/exec',
      headers: [['X-Stream-Protocol-Version', 'v5.channel.k8s.io'], ['X-Stream-Protocol-Version', 'v4.channel.k8s.io']],
    });
    assert.is(result.version, PROTO_SPDY3_1);
    assert.equal(headerTokens(result.head, 'x-stream-protocol-version'), ['v4.channel.k8s.io']);
    socket.destroy();
  } finally {
    await srv.close();
  }
});

test('a refusal goes on the wire with its status, headers and body, and the client gets UpgradeRefusedError', async () => {
  const srv = await kubeletLike();
  try {
    const { transport } = dialRaw(srv.port);
    const err = await rejectionOf(requestUpgrade(transport, {
      host: 'localhost', headers: [['X-Stream-Protocol-Version', 'v1.unknown']],
    }));
    assert.instance(err, UpgradeRefusedError);
    assert.is(err.status, 403);
    assert.equal(headerTokens(err.head, 'x-accepted-stream-protocol-versions'), OURS);
    assert.is(srv.sessions.length, 0);
  } finally {
    await srv.close();
  }
});

test('headers that could smuggle lines, and statuses that are not refusals, are InvalidArgumentError', () => {
  const invalid = (e: unknown): boolean => e instanceof InvalidArgumentError;
  assert.throws(() => refusalResponse({ status: 403, headers: [['X', 'a\r\nInjected: 1']] }), invalid);
  assert.throws(() => refusalResponse({ status: 403, headers: [['Bad Name', 'x']] }), invalid);
  assert.throws(() => refusalResponse({ status: 200 }), invalid);
});

test.run();
