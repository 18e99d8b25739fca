// The runtimes' own sockets as SPDY transports, against the Node server that
// run.mjs starts on the loopback interface (GET /hello, POST echoes): each
// dialer opens a connection, and a SpdyClient over it fetches, posts 1 MiB
// and pings. Plain JavaScript; the package comes in as an argument, as in
// exchange.mjs.
import { ensure, runCase } from './exchange.mjs';

/** One case per dialer: `{ label, open(): Promise<{ transport, version, origin }> }`. */
export async function runSocketCases(lib, dialers, timeoutMs = 30000) {
  const results = [];
  for (const { label, open } of dialers) {
    const name = `sockets: ${label}: GET, 1 MiB POST echoed, PING against the Node server`;
    results.push(await runCase(name, () => exchange(lib, open), timeoutMs));
  }
  return results;
}

async function exchange(lib, open) {
  const { transport, version, origin } = await open();
  ensure(version, `no SPDY version negotiated (${version})`);
  const session = new lib.SpdySession(transport, { side: 'client', version });
  const client = new lib.SpdyClient(session, { origin });
  const hello = await client.fetch('/hello');
  ensure(hello.status === 200, `GET /hello: ${hello.status}`);
  const text = await hello.text();
  ensure(text === 'hello over SPDY', `GET /hello said ${JSON.stringify(text)}`);
  const body = new Uint8Array(1 << 20);
  for (let i = 0; i < body.length; i++) body[i] = (i * 31) % 251;
  const echoed = new Uint8Array(await (await client.fetch('/echo', { method: 'POST', body })).arrayBuffer());
  ensure(echoed.length === body.length && echoed.every((v, i) => v === body[i]), `POST /echo gave back ${echoed.length} bytes, not the 1 MiB sent`);
  const rtt = await session.ping();
  ensure(typeof rtt === 'number', `ping() resolved with ${rtt}`);
  await session.close();
}
