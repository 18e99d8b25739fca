// npm start: a SPDY server and a client talking over TLS on localhost, with
// every frame shown as `spdycat -v` shows it. No setup: the server uses the
// package's development-only localhost certificate, which the client trusts.
import { formatTracedFrame } from '../dist/esm/index.js';
import {
  connect, serve, DEV_ONLY_LOCALHOST_CERT as cert, DEV_ONLY_LOCALHOST_KEY as key,
} from '../dist/esm/node/index.js';

const started = performance.now();
const show = (who) => (direction, frame) =>
  console.log(`${who} ${formatTracedFrame(direction, frame, performance.now() - started).replace(/\n/g, `\n${who} `)}`);

const server = serve({ port: 0, hostname: '127.0.0.1', cert, key }, async (request, ctx) => {
  const { pathname } = new URL(request.url);
  if (pathname === '/') {
    await ctx.push('/style.css', new Response('h1 { color: teal }\n', { headers: { 'content-type': 'text/css' } }));
    return new Response('<h1>Hello over SPDY</h1>\n', { headers: { 'content-type': 'text/html' } });
  }
  if (pathname === '/echo') return new Response(`you sent ${(await request.text()).length} bytes\n`);
  return new Response('not here\n', { status: 404 });
});
await server.ready;
console.log(`server: listening on https://localhost:${server.port} (TLS, ALPN spdy/3.1 spdy/3 spdy/2)`);

const client = await connect(`https://localhost:${server.port}`, {
  ca: cert,
  onHandshake: ({ alpnProtocol }) => console.log(`client: TLS handshake complete, ALPN chose ${alpnProtocol}`),
  onFrame: show('client:'),
});

const page = await client.fetch('/');
console.log(`client: GET / -> ${page.status} ${page.statusText}: ${JSON.stringify(await page.text())}`);
const pushed = await client.fetch('/style.css'); // answered by the push, no request sent
console.log(`client: pushed /style.css -> ${pushed.status}: ${JSON.stringify(await pushed.text())}`);
const echo = await client.fetch('/echo', { method: 'POST', body: 'x'.repeat(100000) });
console.log(`client: POST /echo -> ${echo.status}: ${JSON.stringify(await echo.text())}`);
const missing = await client.fetch('/missing');
console.log(`client: GET /missing -> ${missing.status} ${missing.statusText}`);
await missing.body?.cancel();

await client.close();
await server.close();
console.log('done: client and server closed cleanly');
