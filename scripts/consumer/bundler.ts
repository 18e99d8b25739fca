// A bundler consumer for the browser or Workers: the runtime-neutral root
// and the codec, with the DOM library and no Node types.
import { SpdyClient, SpdySession, createMemoryTransportPair } from 'spdy-streams';
import { FrameDecoderStream } from 'spdy-streams/codec';

export async function use(): Promise<void> {
  const [a] = createMemoryTransportPair();
  const session = new SpdySession(a, { side: 'client' });
  for await (const stream of session.incoming) void stream;
  void [SpdyClient, FrameDecoderStream];
}

import { connectBun, type BunTransport } from 'spdy-streams/bun';
export const bun: (typeof connectBun) | BunTransport | null = null;
