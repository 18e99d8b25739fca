/**
 * The request handler of `spdyd`: files under a document root, with
 * `index.html` for directories and an HTML 404 page for what is not there.
 */
import { WritableStream, ownReadable } from '../base/web-streams.js';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { statusText } from '../http/status-text.js';
import type { RequestHandler } from '../http/server.js';
import { contentTypeOf } from './content-types.js';

export const SERVER_NAME = 'spdyd spdy-streams';

function htmlError(status: number, detail: string): Response {
  const title = `${status} ${statusText(status)}`;
  const page = `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><h1>${title}</h1>\n<p>${detail}</p>\n<hr><address>${SERVER_NAME}</address></body></html>\n`;
  return new Response(page, {
    status,
    statusText: statusText(status),
    headers: { 'content-type': 'text/html; charset=utf-8', server: SERVER_NAME },
  });
}

/** The file a request path names under `root`, or null if it leaves the root. */
export function filePathOf(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = resolve(root, `.${decoded.startsWith('/') ? '' : '/'}${decoded}`);
  return full === root || full.startsWith(root.endsWith(sep) ? root : root + sep) ? full : null;
}

/**
 * Serves the files under `docroot`. Any method gets the file (as spdylay's
 * spdyd does); a request body is read and dropped.
 */
export function staticFiles(docroot: string): RequestHandler {
  const root = resolve(docroot);
  return async (request) => {
    if (request.body) await ownReadable(request.body).pipeTo(new WritableStream()).catch(() => undefined);
    const path = filePathOf(root, new URL(request.url).pathname);
    if (!path) return htmlError(404, 'The requested URL was not found on this server.');
    let file = path;
    let info = await stat(file).catch(() => null);
    if (info?.isDirectory()) {
      file = join(path, 'index.html');
      info = await stat(file).catch(() => null);
    }
    if (!info || !info.isFile()) return htmlError(404, 'The requested URL was not found on this server.');
    const body = request.method === 'HEAD' ? null : (Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>);
    return new Response(body as BodyInit | null, {
      status: 200,
      headers: {
        'content-type': contentTypeOf(file),
        'content-length': String(info.size),
        'last-modified': info.mtime.toUTCString(),
        'cache-control': 'max-age=3600',
        date: new Date().toUTCString(),
        server: SERVER_NAME,
      },
    });
  };
}
