// A Node-only ES module consumer (no DOM library): the root under the `node`
// condition, both sub-paths, and the README's `for await` loops.
import { connect, serve, SpdySession, createMemoryTransportPair, type SpdyRequestInit } from 'spdy-streams';
import { FrameEncoder, PingFrame } from 'spdy-streams/codec';
import { socketToWeb, type SocketStreamOptions } from 'spdy-streams/node';

const init: SpdyRequestInit = { priority: 'high' };
const options: SocketStreamOptions = { readHighWaterMark: 1 };
export async function use(): Promise<void> {
  const [a] = createMemoryTransportPair();
  const session = new SpdySession(a, { side: 'client' });
  for await (const stream of session.incoming) void stream;
  void new PingFrame({ uniqueId: 1 });
  void FrameEncoder;
  void [connect, serve, socketToWeb, init, options];
}
