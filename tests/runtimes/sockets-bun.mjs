// Bun's sockets as transports through connectBun (spdy-streams/bun):
// cleartext, and TLS with ALPN. Arguments: the servers' JSON from run.mjs.
import * as lib from '../../dist/esm/index.js';
import { connectBun } from '../../dist/esm/runtimes/bun.js';
import { runSocketCases } from './sockets.mjs';

const { plainPort, tlsPort, ca } = JSON.parse(process.argv[2]);
const results = await runSocketCases(lib, [
  {
    label: 'Bun.connect through connectBun, cleartext SPDY/3.1',
    open: async () => ({ transport: await connectBun({ hostname: '127.0.0.1', port: plainPort }), version: lib.PROTO_SPDY3_1, origin: `http://localhost:${plainPort}` }),
  },
  {
    label: 'Bun.connect through connectBun, TLS, version chosen by ALPN',
    open: async () => {
      const transport = await connectBun({ hostname: 'localhost', port: tlsPort, tls: { ca, alpnProtocols: lib.getNpnProtocols() } });
      return { transport, version: lib.npnGetVersion(transport.alpnProtocol), origin: `https://localhost:${tlsPort}` };
    },
  },
]);
console.log(`RESULTS ${JSON.stringify(results)}`);
