// The conformance cases inside workerd: a fetch handler that runs them and
// answers with their results; /sockets?port=N runs the socket case with
// `connect()` from cloudflare:sockets against the Node server on port N.
// run.mjs bundles this with esbuild.
import { connect } from 'cloudflare:sockets';
import * as lib from '../../dist/esm/index.js';
import { runConformance } from './exchange.mjs';
import { runSocketCases } from './sockets.mjs';

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname !== '/sockets') return Response.json(await runConformance(lib));
    const port = Number(url.searchParams.get('port'));
    return Response.json(await runSocketCases(lib, [
      {
        label: 'connect() from cloudflare:sockets, cleartext SPDY/3.1',
        open: async () => ({ transport: connect({ hostname: '127.0.0.1', port }), version: lib.PROTO_SPDY3_1, origin: `http://localhost:${port}` }),
      },
    ]));
  },
};
