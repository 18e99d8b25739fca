// What the Node-stream stacks (raw, node:http2, spdy-transport) share on the
// server side: listening on loopback, and answering a path with its body.
import { once } from 'node:events';
import { HOST, route, small } from './settings.mjs';
import { writeNode } from './load.mjs';

/** Listens on HOST, any free port; resolves with the port. */
export async function listenLoopback(server) {
  server.listen(0, HOST);
  await once(server, 'listening');
  return server.address().port;
}

/** Writes the body `path` asks for (see `route`) on a Node writable stream and ends it. */
export function sendBody(stream, path) {
  const { kind, bytes } = route(path);
  if (kind === 'bulk') return writeNode(stream, bytes);
  stream.end(small);
  return undefined;
}
