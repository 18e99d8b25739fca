import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { headersFromNv, parseStatus, requestNv, responseNv } from '../../src/http/headers.js';
import { responseFromNv } from '../../src/http/response.js';
import { pushedUrl } from '../../src/http/push-store.js';

test('repeated response headers are joined with NUL in one entry; set-cookie values stay apart', () => {
  const headers = new Headers();
  headers.append('set-cookie', 'a=1');
  headers.append('set-cookie', 'b=2');
  headers.append('Vary', 'accept');
  const nv = responseNv({ status: 200, statusText: '', headers });
  assert.equal(nv.slice(0, 2), [[':status', '200 OK'], [':version', 'HTTP/1.1']]);
  assert.ok(nv.some(([n, v]) => n === 'set-cookie' && v === 'a=1\0b=2'));
  assert.ok(nv.some(([n, v]) => n === 'vary' && v === 'accept'));
  assert.equal(headersFromNv([['set-cookie', 'a=1\0b=2']]).getSetCookie(), ['a=1', 'b=2']);
});

test('a request list starts with the five required headers, taken from the URL', () => {
  const nv = requestNv(new URL('https://example.com:8443/p?q#frag'), 'PUT', new Headers({ Host: 'evil' }));
  assert.equal(nv, [
    [':method', 'PUT'], [':path', '/p?q'], [':version', 'HTTP/1.1'], [':host', 'example.com:8443'], [':scheme', 'https'],
  ]);
});

test(':status parses with and without a reason; the reason survives into the Response', () => {
  assert.equal(parseStatus('200 OK'), { status: 200, statusText: 'OK' });
  assert.equal(parseStatus('204'), { status: 204, statusText: '' });
  assert.equal(parseStatus('418 I am a teapot'), { status: 418, statusText: 'I am a teapot' });
  assert.is(parseStatus('OK 200'), null);
  assert.is(parseStatus(undefined), null);
  const r = responseFromNv([[':status', '304 Not Modified'], ['etag', '"x"']], new ReadableStream(), 'https://h/');
  assert.is(r.status, 304);
  assert.is(r.body, null);
  assert.is(r.url, 'https://h/');
});

test('a push URL comes from :scheme :host :path, or a whole URL in :path (SPDY/2)', () => {
  const base = new URL('https://origin.test/');
  assert.is(pushedUrl([[':scheme', 'https'], [':host', 'a.test'], [':path', '/x.css']], base), 'https://a.test/x.css');
  assert.is(pushedUrl([[':path', 'https://b.test/y.js']], base), 'https://b.test/y.js');
  assert.is(pushedUrl([[':host', 'a.test']], base), null);
});

test.run();
