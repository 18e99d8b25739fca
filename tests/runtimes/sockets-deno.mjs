// Deno's sockets as transports, as they are: Deno.connect (cleartext) and
// Deno.connectTls with ALPN. Arguments: the servers' JSON from run.mjs.
import * as lib from '../../dist/esm/index.js';
import { runSocketCases } from './sockets.mjs';

const { plainPort, tlsPort, ca } = JSON.parse(Deno.args[0]);
const results = await runSocketCases(lib, [
  {
    label: 'Deno.connect, cleartext SPDY/3.1',
    open: async () => ({ transport: await Deno.connect({ hostname: '127.0.0.1', port: plainPort }), version: lib.PROTO_SPDY3_1, origin: `http://localhost:${plainPort}` }),
  },
  {
    label: 'Deno.connectTls, version chosen by ALPN',
    open: async () => {
      const conn = await Deno.connectTls({ hostname: 'localhost', port: tlsPort, caCerts: [ca], alpnProtocols: lib.getNpnProtocols() });
      const { alpnProtocol } = await conn.handshake();
      return { transport: conn, version: lib.npnGetVersion(alpnProtocol), origin: `https://localhost:${tlsPort}` };
    },
  },
]);
console.log(`RESULTS ${JSON.stringify(results)}`);
