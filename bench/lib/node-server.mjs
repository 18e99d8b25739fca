// What the Node-stream stacks (raw, node:http2, spdy-transport) share on the
// server side: listening on loopback, answering a path with its body, and
// counting an upload.
import { once } from 'node:events';
import { HOST, route, small } from './settings.mjs';
import { writeNode } from './load.mjs';

/** Listens on HOST, any free port; resolves with the port. */
export async function listenLoopback(server) {
  server.listen(0, HOST);
  await once(server, 'listening');
  return server.address().port;
}

/** Counts the bytes of a Node readable stream to its end; resolves with the count. */
export function countBody(stream) {
  let n = 0;
  stream.on('data', (d) => { n += d.length; });
  return once(stream, 'end').then(() => n);
}

/** Writes the body `path` asks for (see `route`) on a Node writable stream and ends it. */
export function sendBody(stream, path) {
  const { kind, bytes } = route(path);
  if (kind === 'bulk') return writeNode(stream, bytes);
  stream.end(small);
  return undefined;
}
