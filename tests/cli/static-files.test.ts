// spdyd's static files: the document root holds, content types and lengths, 404s.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentTypeOf } from '../../src/cli/content-types.js';
import { filePathOf, staticFiles } from '../../src/cli/static-files.js';
import type { RequestContext } from '../../src/http/server.js';

const root = mkdtempSync(join(tmpdir(), 'spdyd-root-'));
writeFileSync(join(root, 'a.css'), 'x{}');
const handler = staticFiles(root);
const ctx = {} as RequestContext;

test('paths that climb out of the document root name no file', () => {
  assert.is(filePathOf(root, '/a.css'), join(root, 'a.css'));
  assert.is(filePathOf(root, '/../etc/passwd'), null);
  assert.is(filePathOf(root, '/%2e%2e/%2e%2e/etc/passwd'), null);
  assert.is(filePathOf(root, '/a%00b'), null);
  assert.is(filePathOf(root, '/%zz'), null);
});

test('files are served with their content type and length; others are 404', async () => {
  const ok = await handler(new Request('https://h/a.css'), ctx);
  assert.is(ok.status, 200);
  assert.is(ok.headers.get('content-type'), 'text/css; charset=utf-8');
  assert.is(ok.headers.get('content-length'), '3');
  assert.is(await ok.text(), 'x{}');
  const missing = await handler(new Request('https://h/nothing'), ctx);
  assert.is(missing.status, 404);
  assert.match(await missing.text(), /404 Not Found/);
  const up = await handler(new Request('https://h/%2e%2e/%2e%2e/etc/passwd'), ctx);
  assert.is(up.status, 404);
});

test('content types come from the extension, octet-stream when unknown', () => {
  assert.is(contentTypeOf('index.HTML'), 'text/html; charset=utf-8');
  assert.is(contentTypeOf('a.tar.gz'), 'application/gzip');
  assert.is(contentTypeOf('README'), 'application/octet-stream');
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
