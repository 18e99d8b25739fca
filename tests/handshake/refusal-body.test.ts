/**
 * `requestUpgrade`'s refusal body (`maxRefusalBody`): read by
 * `Content-Length`, chunked or to the end of the connection, cut at the
 * bound, null unless asked for; and the Kubernetes client's Upgrade built
 * on it: the metav1.Status of a refusal in its `KubeError`, SPDY bytes that
 * came with the 101 kept, and a transport's gathered `writev` kept.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReadableStream, WritableStream } from '../../src/base/web-streams.js';
import { requestUpgrade, UpgradeRefusedError } from '../../src/handshake/upgrade.js';
import { KubeError } from '../../src/kubernetes/errors.js';
import { requestKubeUpgrade } from '../../src/kubernetes/upgrade.js';
import type { Transport } from '../../src/streams/transport.js';
import { rejectionOf } from '../streams/session-pair.js';

const encoder = new TextEncoder();
const text = (b: Uint8Array | null): string | null => (b === null ? null : new TextDecoder().decode(b));

/** A connection whose peer sends `chunks` one read at a time, then ends (unless `open`); what is written is kept. */
function scripted(chunks: Array<string | Uint8Array>, options: { open?: boolean; writev?: boolean } = {}) {
  const written: Uint8Array[] = [];
  let i = 0;
  const readable = new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < chunks.length) {
        const chunk = chunks[i++]!;
        c.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      } else if (!options.open) {
        c.close();
      }
    },
  }, { highWaterMark: 0 });
  const writable = new WritableStream<Uint8Array>({ write: (chunk) => void written.push(chunk) });
  const gathered: Uint8Array[][] = [];
  const transport: Transport = options.writev
    ? { readable, writable, writev: async (parts) => void gathered.push([...parts]) }
    : { readable, writable };
  return { transport, written, gathered };
}

async function refusedWith(chunks: Array<string | Uint8Array>, maxRefusalBody?: number): Promise<UpgradeRefusedError> {
  const { transport } = scripted(chunks);
  const err = await rejectionOf(requestUpgrade(transport, { host: 'h', ...(maxRefusalBody !== undefined ? { maxRefusalBody } : {}) }));
  assert.instance(err, UpgradeRefusedError);
  return err as UpgradeRefusedError;
}

test('the refusal body is read as far as Content-Length says, across reads, and not past it', async () => {
  const err = await refusedWith(['HTTP/1.1 403 Forbidden\r\nContent-Length: 11\r\n\r\nhello', ' world', 'NEXT'], 1024);
  assert.is(err.status, 403);
  assert.is(text(err.body), 'hello world');
});

test('a chunked refusal body is decoded, its chunks split anywhere', async () => {
  const err = await refusedWith(['HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhe', 'llo\r\n6;x=y\r\n', ' world\r\n0\r\n\r\n'], 1024);
  assert.is(text(err.body), 'hello world');
});

test('a body with neither length nor chunks runs to the end of the connection; the bound cuts it', async () => {
  assert.is(text((await refusedWith(['HTTP/1.1 500 Oops\r\n\r\nuntil', ' the end'], 1024)).body), 'until the end');
  assert.is(text((await refusedWith(['HTTP/1.1 403 Forbidden\r\nContent-Length: 100\r\n\r\n0123456789'], 4)).body), '0123');
});

test('the body is not read, and is null, unless maxRefusalBody asks for it', async () => {
  const { transport } = scripted(['HTTP/1.1 403 Forbidden\r\nContent-Length: 3\r\n\r\n'], { open: true });
  const err = await rejectionOf(requestUpgrade(transport, { host: 'h' })) as UpgradeRefusedError;
  assert.is(err.status, 403);
  assert.is(err.body, null);
});

test('Kubernetes: a chunked metav1.Status refusal becomes a KubeError with the status and body', async () => {
  const status = JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'Forbidden', message: 'pods "p" is forbidden', code: 403 });
  const { transport, written } = scripted([
    'HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nX-Accepted-Stream-Protocol-Versions: v4.channel.k8s.io\r\n',
    `Transfer-Encoding: chunked\r\n\r\n${status.length.toString(16)}\r\n${status}\r\n0\r\n\r\n`,
  ]);
  const err = await rejectionOf(requestKubeUpgrade(transport, {
    method: 'POST', host: 'api', path: '/api/v1/namespaces/n/pods/p/exec', protocols: ['v4.channel.k8s.io', 'v3.channel.k8s.io'],
    headers: [['Authorization', 'Bearer t']],
  })) as KubeError;
  assert.instance(err, KubeError);
  assert.is(err.status, 403);
  assert.is((err.body as { reason: string }).reason, 'Forbidden');
  assert.equal(err.acceptedProtocols, ['v4.channel.k8s.io']);
  const head = new TextDecoder().decode(written[0]);
  assert.match(head, /^POST \/api\/v1\/namespaces\/n\/pods\/p\/exec HTTP\/1\.1\r\nHost: api\r\n/);
  assert.match(head, /\r\nUpgrade: SPDY\/3\.1\r\n/);
  // Offered protocols as repeated headers, as kubectl sends them.
  assert.match(head, /\r\nX-Stream-Protocol-Version: v4\.channel\.k8s\.io\r\nX-Stream-Protocol-Version: v3\.channel\.k8s\.io\r\n/);
  assert.match(head, /\r\nAuthorization: Bearer t\r\nContent-Length: 0\r\n\r\n$/);
});

test('Kubernetes: an answer that is not HTTP, or a close before any, is a KubeError', async () => {
  const req = { method: 'POST' as const, host: 'api', path: '/x', protocols: [] };
  const notHttp = await rejectionOf(requestKubeUpgrade(scripted(['SSH-2.0-OpenSSH\r\n\r\n']).transport, req));
  assert.instance(notHttp, KubeError);
  assert.is((notHttp as KubeError).status, 0);
  assert.instance(await rejectionOf(requestKubeUpgrade(scripted([]).transport, req)), KubeError);
  assert.instance(await rejectionOf(requestKubeUpgrade(scripted([]).transport, { ...req, path: '/x\r\nEvil: 1' })), KubeError);
});

test('Kubernetes: after the 101 the SPDY bytes that came with it are read first, and writev is kept', async () => {
  const req = { method: 'POST' as const, host: 'api', path: '/x', protocols: ['portforward.k8s.io'] };
  for (const withWritev of [true, false]) {
    const { transport, gathered } = scripted([
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\nAB',
      'CD',
    ], { writev: withWritev });
    const up = await requestKubeUpgrade(transport, req);
    assert.is(up.protocol, 'portforward.k8s.io');
    assert.is(up.head.status, 101);
    assert.is(typeof up.transport.writev, withWritev ? 'function' : 'undefined');
    if (withWritev) {
      await up.transport.writev!([encoder.encode('x'), encoder.encode('y')]);
      assert.is(gathered.length, 1);
    }
    let got = '';
    for await (const chunk of up.transport.readable) got += new TextDecoder().decode(chunk);
    assert.is(got, 'ABCD');
  }
});

test.run();
