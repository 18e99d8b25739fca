/**
 * `serveKubeExecWebSocket` over a scripted message transport, without a
 * socket: the messages it sends and their order, stdin ended by the close
 * signal, the end of the exchange when the handler leaves megabytes of
 * stdin unread, and the abort signal when the client goes away first.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReadableStream, WritableStream } from '../../src/base/web-streams.js';
import { serveKubeExecWebSocket } from '../../src/kubernetes/server-exec-websocket.js';
import type { KubeExecHandler } from '../../src/kubernetes/server-exec.js';
import { parseKubeRequest, type KubeServerRequest } from '../../src/kubernetes/server-request.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const request = (query: string): KubeServerRequest => parseKubeRequest({
  url: `/api/v1/namespaces/default/pods/web-0/exec?${query}`,
  headers: [['Upgrade', 'websocket'], ['Sec-WebSocket-Protocol', 'v5.channel.k8s.io']],
})!;

const message = (channel: number, text = ''): Uint8Array => {
  const bytes = encoder.encode(text);
  const out = new Uint8Array(bytes.length + 1);
  out[0] = channel;
  out.set(bytes, 1);
  return out;
};

/** A transport whose incoming messages are `incoming` (then it stays open until our side closes, like a socket, unless `goAway`). */
function script(incoming: Uint8Array[], goAway = false) {
  const sent: Uint8Array[] = [];
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const readable = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      for (const m of incoming) c.enqueue(m);
      if (goAway) c.close();
    },
  }, { highWaterMark: 0 });
  let closed = false;
  const writable = new WritableStream<Uint8Array>({
    write: (chunk) => void sent.push(chunk),
    close() {
      closed = true;
      // The socket's close ends the reading too.
      if (!goAway) controller.close();
    },
  });
  return { transport: { readable, writable }, sent, isClosed: () => closed };
}

function within<T>(p: Promise<T>, ms = 5000): Promise<T> {
  return Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not done in ${ms} ms`)), ms))]);
}

test('messages: the empty first one on stdout, the output, the status on channel 3; stdin ends at the close signal', async () => {
  const { transport, sent, isClosed } = script([message(0, 'ab'), message(0, 'c'), Uint8Array.of(255, 0)]);
  const handler: KubeExecHandler = async ({ stdin, stdout, protocol }) => {
    assert.is(protocol, 'v5.channel.k8s.io');
    let text = '';
    for await (const chunk of stdin!) text += decoder.decode(chunk);
    const w = stdout!.getWriter();
    await w.write(encoder.encode(text.toUpperCase()));
    w.releaseLock();
    return 3;
  };
  await within(serveKubeExecWebSocket(transport, request('command=x&stdin=true&stdout=true'), handler));
  assert.equal(sent.map((m) => m[0]), [1, 1, 3]);
  assert.is(sent[0]!.length, 1);
  assert.is(decoder.decode(sent[1]!.subarray(1)), 'ABC');
  const status = JSON.parse(decoder.decode(sent[2]!.subarray(1))) as { reason: string; details: { causes: Array<{ message: string }> } };
  assert.equal([status.reason, status.details.causes[0]!.message], ['NonZeroExitCode', '3']);
  assert.ok(isClosed());
});

test('a handler that leaves 4 MiB of stdin unread: the exchange still ends', async () => {
  const chunk = message(0, 'x'.repeat(256 * 1024));
  const { transport, sent } = script(Array.from({ length: 16 }, () => chunk));
  const handler: KubeExecHandler = ({ stdin }) => {
    stdin!.getReader();
    return 0;
  };
  await within(serveKubeExecWebSocket(transport, request('command=x&stdin=true&stdout=true'), handler));
  assert.equal(JSON.parse(decoder.decode(sent.at(-1)!.subarray(1))), { metadata: {}, status: 'Success' });
});

test('the client going away first aborts the signal, and no status is sent', async () => {
  const { transport, sent } = script([message(0, 'partial')], true);
  let aborted = false;
  const handler: KubeExecHandler = async ({ stdin, signal }) => {
    for await (const _ of stdin!) {
      // Read to the end, which the client's leaving brings.
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
    aborted = signal.aborted;
    return 0;
  };
  await within(serveKubeExecWebSocket(transport, request('command=x&stdin=true&stdout=true'), handler));
  assert.ok(aborted);
  assert.equal(sent.map((m) => m[0]), [1]);
});

test.run();
