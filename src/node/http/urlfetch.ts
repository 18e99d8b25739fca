/**
 * `urlfetch()`, the Python binding's simple client: fetches URLs and reports
 * each to its own handler object.
 */
import { runStreamHandler, type BaseSPDYStreamHandler, type StreamHandlerClass } from '../../http/stream-handler.js';
import { connect, type ConnectOptions } from './connect.js';

/** Successive URLs of one origin, fetched on one session. */
function groupByOrigin(urls: readonly string[]): string[][] {
  const groups: string[][] = [];
  let last = '';
  for (const url of urls) {
    const origin = new URL(url).origin;
    if (groups.length > 0 && origin === last) groups[groups.length - 1]!.push(url);
    else groups.push([url]);
    last = origin;
  }
  return groups;
}

/**
 * Fetches `urlOrUrls` with GET; for each URL makes a `HandlerClass` and
 * calls its `onHeader`, `onData` and `onClose`. Successive URLs with the same
 * origin share one session and are requested at once; groups of other
 * origins follow one after another. Resolves with the handlers when every
 * stream has closed; rejects only if a connection cannot be made.
 */
export async function urlfetch<H extends BaseSPDYStreamHandler>(
  urlOrUrls: string | readonly string[],
  HandlerClass: StreamHandlerClass<H>,
  options: ConnectOptions = {},
): Promise<H[]> {
  const urls = typeof urlOrUrls === 'string' ? [urlOrUrls] : [...urlOrUrls];
  const handlers: H[] = [];
  for (const group of groupByOrigin(urls)) {
    const client = await connect(group[0]!, options);
    try {
      const batch = group.map((url) => new HandlerClass(url, client));
      handlers.push(...batch);
      await Promise.all(batch.map((handler) => runStreamHandler(client.session, handler)));
    } finally {
      await client.close();
    }
  }
  return handlers;
}
