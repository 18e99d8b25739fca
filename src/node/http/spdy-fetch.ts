/**
 * `spdyFetch()`: `fetch` over SPDY with one session per origin, opened on
 * first use and kept for the requests that follow.
 */
import type { SpdyRequestInit } from '../../http/client.js';
import { connect, type ConnectedClient, type ConnectOptions } from './connect.js';

const pool = new Map<string, Promise<ConnectedClient>>();

function pooled(origin: string, options: ConnectOptions): Promise<ConnectedClient> {
  let client = pool.get(origin);
  if (!client) {
    client = connect(origin, options);
    pool.set(origin, client);
    const forget = (): void => {
      if (pool.get(origin) === client) pool.delete(origin);
    };
    // A failed connection or an ended session leaves the pool; the next request reconnects.
    client.then((c) => c.closed.then(forget, forget), forget);
  }
  return client;
}

/**
 * Fetches `input` (an absolute `http:` or `https:` URL) over the pooled
 * session of its origin. `options` apply when that session is opened.
 */
export async function spdyFetch(input: string | URL | Request, init: SpdyRequestInit = {}, options: ConnectOptions = {}): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const client = await pooled(url.origin, options);
  return client.fetch(input, init);
}

/** Closes every pooled session (GOAWAY, then the connections once their streams finish). */
export async function closeSpdyFetchSessions(): Promise<void> {
  const clients = [...pool.values()];
  pool.clear();
  await Promise.allSettled(clients.map(async (c) => (await c).close()));
}
