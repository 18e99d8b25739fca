/**
 * The Python binding's two examples, spdyclient.py and spdyserv.py, ported:
 * a urlfetch() handler that prints what it gets, and a request handler
 * answering GET with an HTML page (and /notfound with an error page).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OK, type Nv } from '../../src/index.js';
import { BaseSPDYStreamHandler } from '../../src/http/stream-handler.js';
import { BaseSPDYRequestHandler } from '../../src/node/http/request-handler.js';
import { ThreadedSPDYServer } from '../../src/node/http/threaded-server.js';
import { urlfetch } from '../../src/node/http/urlfetch.js';
import { connect } from '../../src/node/http/connect.js';
import { CERT, KEY } from './loopback.js';

const PAGE = '<html><head><title>SPDY</title></head><body><h1>SPDY is up</h1></body></html>\n';

// spdyserv.py: GET answers an HTML page; /notfound shows how to send an error.
class MySPDYRequestHandler extends BaseSPDYRequestHandler {
  do_GET(): void {
    if (this.path === '/notfound') {
      this.sendError(404);
      return;
    }
    this.sendResponse(200);
    this.sendHeader('content-type', 'text/html; charset=UTF-8');
    this.wfile.write(PAGE);
  }

  async do_POST(): Promise<void> {
    this.sendResponse(200);
    this.sendHeader('content-type', 'text/plain');
    this.wfile.write(`${this.command} ${this.path} ${this.requestVersion} got ${this.rfile!.text()}`);
  }
}

// spdyclient.py: prints each stream's headers, data and close.
const printed: string[] = [];
class MyStreamHandler extends BaseSPDYStreamHandler {
  override onHeader(nv: Nv): void {
    printed.push(`Stream#${this.streamId}`);
    for (const [k, v] of nv) printed.push(`${k}: ${v}`);
  }
  override onData(data: Uint8Array): void {
    printed.push(`Stream#${this.streamId}`, new TextDecoder().decode(data));
  }
  override onClose(statusCode: number): void {
    printed.push(`Stream#${this.streamId} closed (${statusCode})`);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'spdy-python-examples-'));
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');
writeFileSync(certFile, CERT);
writeFileSync(keyFile, KEY);

test('spdyserv.py: do_GET answers an HTML page and /notfound a complete HTML 404 page', async () => {
  const server = new ThreadedSPDYServer(['localhost', 0], MySPDYRequestHandler, { certFile, keyFile });
  await server.start();
  const client = await connect(`https://localhost:${server.port}`, { ca: CERT });
  try {
    const ok = await client.fetch('/');
    assert.is(ok.status, 200);
    assert.is(ok.headers.get('content-type'), 'text/html; charset=UTF-8');
    assert.match(ok.headers.get('server') ?? '', /^spdy-streams\/\S+ Node\.js\//);
    assert.ok(ok.headers.has('date'));
    assert.is(await ok.text(), PAGE);

    const missing = await client.fetch('/notfound');
    assert.is(missing.status, 404);
    assert.is(missing.statusText, 'Not Found');
    assert.is(missing.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(await missing.text(), /<title>404 Not Found<\/title>[\s\S]*<h1>404 Not Found<\/h1>/);

    const posted = await client.fetch('/form', { method: 'POST', body: 'a=1' });
    assert.is(await posted.text(), 'POST /form HTTP/1.1 got a=1');

    const unsupported = await client.fetch('/', { method: 'DELETE' });
    assert.is(unsupported.status, 501);
    assert.match(await unsupported.text(), /Unsupported method \(DELETE\)/);
  } finally {
    await client.close();
    await server.shutdown();
  }
});

test('the handler sees the client address, the server and the request headers', async () => {
  let seen: BaseSPDYRequestHandler | null = null;
  class Inspecting extends BaseSPDYRequestHandler {
    do_GET(): void {
      seen = this;
      this.sendResponse(204);
    }
  }
  const server = new ThreadedSPDYServer(['127.0.0.1', 0], Inspecting, { plain: true });
  await server.start();
  const client = await connect(`http://127.0.0.1:${server.port}`);
  try {
    const res = await client.fetch('/who?x=1', { headers: { 'x-test': 'hi' } });
    assert.is(res.status, 204);
    const h = seen as unknown as BaseSPDYRequestHandler;
    assert.is(h.command, 'GET');
    assert.is(h.path, '/who?x=1');
    assert.is(h.requestVersion, 'HTTP/1.1');
    assert.is(h.clientAddress[0], '127.0.0.1');
    assert.ok(h.clientAddress[1] > 0);
    assert.is(h.server, server);
    assert.ok(h.headers.some(([k, v]) => k === 'x-test' && v === 'hi'));
    assert.is(h.rfile, null);
  } finally {
    await client.close();
    await server.shutdown();
  }
});

test('spdyclient.py: urlfetch drives a handler per URL, sharing one session per origin', async () => {
  const server = new ThreadedSPDYServer(['localhost', 0], MySPDYRequestHandler, { certFile, keyFile });
  await server.start();
  try {
    printed.length = 0;
    const base = `https://localhost:${server.port}`;
    const handlers = await urlfetch([`${base}/`, `${base}/notfound`], MyStreamHandler, { ca: CERT });
    assert.equal(handlers.map((h) => [h.url, h.streamId]), [[`${base}/`, 1], [`${base}/notfound`, 3]]);
    const text = printed.join('\n');
    assert.match(text, /Stream#1\n:status: 200 OK/);
    assert.match(text, /Stream#3\n:status: 404 Not Found/);
    assert.ok(text.includes(`Stream#1\n${PAGE}`));
    assert.ok(printed.includes(`Stream#1 closed (${OK})`));
    assert.ok(printed.includes(`Stream#3 closed (${OK})`));
    // Every stream closed before urlfetch resolved: the close lines are in.
    assert.is(printed.filter((l) => l.endsWith('closed (0)')).length, 2);
  } finally {
    await server.shutdown();
  }
});

test('urlfetch: successive URLs of one origin share a session; an origin in between starts another', async () => {
  const { serve } = await import('../../src/node/http/serve.js');
  let connections = 0;
  const server = serve(
    { port: 0, hostname: '127.0.0.1', plain: true, onConnection: () => connections++ },
    (req) => new Response(new URL(req.url).pathname),
  );
  await server.ready;
  try {
    const a = `http://localhost:${server.port}`;
    const b = `http://127.0.0.1:${server.port}`;
    const bodies = new Map<string, string>();
    class Collect extends BaseSPDYStreamHandler {
      override onData(data: Uint8Array): void {
        bodies.set(this.url, (bodies.get(this.url) ?? '') + new TextDecoder().decode(data));
      }
    }
    const handlers = await urlfetch([`${a}/1`, `${a}/2`, `${b}/3`, `${a}/4`], Collect);
    assert.is(connections, 3, 'a, then b, then a again');
    assert.equal(handlers.map((h) => h.streamId), [1, 3, 1, 1]);
    assert.equal([...bodies.values()].sort(), ['/1', '/2', '/3', '/4']);
    assert.is(bodies.get(`${b}/3`), '/3');
  } finally {
    await server.close();
  }
});

test('urlfetch reports a reset stream to onClose with its status code', async () => {
  const { loopback } = await import('./loopback.js');
  const lb = await loopback((req) => {
    if (req.url.endsWith('/reset')) throw new Error('no');
    return new Response(new ReadableStream({ pull: (c) => c.error(new Error('broken body')) }));
  }, { server: { onError: () => undefined } });
  try {
    const codes: number[] = [];
    class Recorder extends BaseSPDYStreamHandler {
      override onClose(code: number): void {
        codes.push(code);
      }
    }
    await urlfetch([`${lb.origin}/broken`], Recorder, { ca: CERT });
    assert.equal(codes, [6]); // INTERNAL_ERROR: the body failed midway
  } finally {
    await lb.close();
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
