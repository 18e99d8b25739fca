/**
 * BaseSPDYRequestHandler behind ThreadedSPDYServer: what a handler class
 * sees and what its answers look like on the client.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type ConnectedClient } from '../../src/node/http/connect.js';
import { BaseSPDYRequestHandler } from '../../src/node/http/request-handler.js';
import { ThreadedSPDYServer, type RequestHandlerClass } from '../../src/node/http/threaded-server.js';
import { isPattern, patternStream } from './loopback.js';

async function withServer(
  HandlerClass: RequestHandlerClass,
  body: (client: ConnectedClient) => Promise<void>,
  options: { maxRequestBodySize?: number } = {},
): Promise<void> {
  const server = new ThreadedSPDYServer(['127.0.0.1', 0], HandlerClass, { plain: true, ...options });
  await server.start();
  const client = await connect(`http://127.0.0.1:${server.port}`);
  try {
    await body(client);
  } finally {
    await client.close();
    await server.shutdown();
  }
}

test('do_<METHOD> is chosen by the request method, may be async, and a method without one gets 501', async () => {
  class Methods extends BaseSPDYRequestHandler {
    do_GET(): void {
      this.sendResponse(200);
      this.wfile.write(`get ${this.path}`);
    }
    async do_PUT(): Promise<void> {
      await new Promise((r) => setImmediate(r));
      this.sendResponse(201, 'Made');
      this.wfile.write(`put ${this.rfile!.text()}`);
    }
  }
  await withServer(Methods, async (client) => {
    assert.is(await (await client.fetch('/g?x=1')).text(), 'get /g?x=1');
    const put = await client.fetch('/p', { method: 'PUT', body: 'thing' });
    assert.is(put.status, 201);
    assert.is(put.statusText, 'Made');
    assert.is(await put.text(), 'put thing');
    const patch = await client.fetch('/p', { method: 'PATCH', body: 'x' });
    assert.is(patch.status, 501);
    assert.match(await patch.text(), /Unsupported method \(PATCH\)/);
  });
});

test('sendError answers a complete HTML page, escaping the message, and drops what was written before', async () => {
  class Failing extends BaseSPDYRequestHandler {
    do_GET(): void {
      this.sendResponse(200);
      this.sendHeader('x-dropped', 'yes');
      this.wfile.write('half an answer');
      this.sendError(403, 'no <script> for "you"');
    }
  }
  await withServer(Failing, async (client) => {
    const res = await client.fetch('/secret');
    assert.is(res.status, 403);
    assert.is(res.statusText, 'Forbidden');
    assert.is(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.is(res.headers.get('x-dropped'), null);
    const page = await res.text();
    assert.match(page, /^<!DOCTYPE html>\n<html>/);
    assert.match(page, /<title>403 Forbidden<\/title>/);
    assert.match(page, /<h1>403 Forbidden<\/h1>/);
    assert.ok(page.includes('<p>no &#60;script&#62; for &#34;you&#34;</p>'), page);
    assert.match(page, /<\/body><\/html>\n$/);
    assert.not.ok(page.includes('half an answer'));
  });
});

test('rfile holds the whole POST body, past the flow-control windows; an oversized one is 413', async () => {
  const SIZE = 1 << 20;
  class Upload extends BaseSPDYRequestHandler {
    do_POST(): void {
      const head = this.rfile!.read(10);
      const rest = this.rfile!.read();
      const whole = new Uint8Array(head.length + rest.length);
      whole.set(head);
      whole.set(rest, head.length);
      this.sendResponse(200);
      this.wfile.write(`${this.rfile!.length} ${head.length} ${isPattern(whole)}`);
    }
  }
  await withServer(Upload, async (client) => {
    const res = await client.fetch('/up', { method: 'POST', body: patternStream(SIZE, 50000) });
    assert.is(await res.text(), `${SIZE} 10 true`);
    const tooBig = await client.fetch('/up', { method: 'POST', body: new Uint8Array(SIZE + 1) });
    assert.is(tooBig.status, 413);
    await tooBig.text();
  }, { maxRequestBodySize: SIZE });
});

test('serverVersion and sysVersion make the server header, and a subclass may change them', async () => {
  class Plain extends BaseSPDYRequestHandler {
    do_GET(): void {
      this.sendResponse(204);
    }
  }
  class Branded extends Plain {
    static override serverVersion = 'Branded/2.0';
    static override sysVersion = 'Test/1';
  }
  await withServer(Plain, async (client) => {
    const res = await client.fetch('/');
    assert.is(res.headers.get('server'), `${BaseSPDYRequestHandler.serverVersion} ${BaseSPDYRequestHandler.sysVersion}`);
    assert.match(BaseSPDYRequestHandler.sysVersion, /^Node\.js\/\d+\./);
    assert.ok(res.headers.has('date'));
  });
  await withServer(Branded, async (client) => {
    const res = await client.fetch('/');
    assert.is(res.headers.get('server'), 'Branded/2.0 Test/1');
  });
});

test.run();
