// A megabyte each way between our own client and server, in every version:
// flow control, chunking and stream life must all work together.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, DATA, WINDOW_UPDATE, DATA_FLAG_FIN, concatBytes, type ProtocolVersion,
} from '../../src/index.js';
import { Pair, RESPONSE, bodyProvider, bytes } from './harness.js';

const MIB = 1 << 20;

function collect(chunks: unknown[][]): Uint8Array {
  return concatBytes(chunks.map((a) => a[2] as Uint8Array));
}

for (const [version, name] of [[PROTO_SPDY2, 'SPDY/2'], [PROTO_SPDY3, 'SPDY/3'], [PROTO_SPDY3_1, 'SPDY/3.1']] as const) {
  test(`${name}: a 1 MiB upload and a 1 MiB download go through whole`, () => {
    const up = bytes(MIB, 7);
    const down = bytes(MIB, 11);
    const pair = new Pair(version as ProtocolVersion, {
      server: { onRequestRecvCb: (s, id) => s.submitResponse(id, RESPONSE, bodyProvider(down)) },
    });
    pair.client.submitRequest(3, [[':method', 'POST'], [':path', '/upload']], bodyProvider(up));
    pair.pump();
    assert.equal(collect(pair.serverLog.of('onDataChunkRecvCb')), up);
    assert.equal(collect(pair.clientLog.of('onDataChunkRecvCb')), down);
    assert.is(pair.client.numOpenStreams + pair.server.numOpenStreams, 0);
    for (const sent of [pair.clientSent, pair.serverSent]) {
      const data = sent.filter((f: any) => f.frameType === DATA) as any[];
      assert.ok(data.every((f) => f.data.length <= 4096));
      assert.is(data.filter((f) => f.flags & DATA_FLAG_FIN).length, 1);
      const updates = sent.filter((f: any) => f.frameType === WINDOW_UPDATE) as any[];
      if (version === PROTO_SPDY2) assert.is(updates.length, 0);
      else assert.ok(updates.some((u) => u.streamId !== 0));
      if (version === PROTO_SPDY3_1) assert.ok(updates.some((u) => u.streamId === 0));
    }
  });
}

test.run();
