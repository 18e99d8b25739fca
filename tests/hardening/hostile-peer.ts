// What the hardening tests share: a clock they move by hand, a raw peer
// that writes crafted frames at a SpdySession over the in-memory transport,
// and the check that another session in the same process still works.
import { concatBytes } from '../../src/base/bytes.js';
import * as assert from 'uvu/assert';
import {
  CLIENT, FrameDecoder, FrameEncoder, GOAWAY, PROTO_SPDY3_1, SERVER, SpdySession, createMemoryTransportPair,
  type DecodedFrame, type FrameInit, type ProtocolVersion, type SpdyConfig,
} from '../../src/index.js';
import { Pair, RawPeer, REQUEST, RESPONSE, bodyProvider, bytes } from '../session/harness.js';
import { nextIncoming, ok, readAll, request, sessionPair } from '../streams/session-pair.js';

/** A clock for the rate limits that only moves when the test says so. */
export class ManualClock {
  ms = 1_000_000;
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** The GOAWAY frames a list of decoded frames holds. */
export const goaways = (frames: readonly DecodedFrame[]): any[] =>
  frames.filter((f) => f.frameType === GOAWAY && !(f as any).error);

/** Statuses of the frames of `type` in `frames`. */
export const statusesOf = (frames: readonly DecodedFrame[], type: number): number[] =>
  frames.filter((f) => f.frameType === type && !(f as any).error).map((f) => (f as any).statusCode);

/**
 * A SpdySession of `side` and, on the other end of an in-memory transport,
 * a peer that writes whatever bytes it is given and decodes what it reads.
 * `read: false` leaves our output unread until `startReading()`.
 */
export function hostileTransportPeer(
  side: 'client' | 'server',
  options: { version?: ProtocolVersion; config?: SpdyConfig; read?: boolean; highWaterMark?: number } = {},
) {
  const version = options.version ?? PROTO_SPDY3_1;
  const [ours, theirs] = createMemoryTransportPair({ highWaterMark: options.highWaterMark });
  const session = new SpdySession(ours, { side, version, config: options.config });
  const peerSide = side === 'client' ? SERVER : CLIENT;
  const encoder = new FrameEncoder({ version, side: peerSide });
  const decoder = new FrameDecoder({ version, side: peerSide, config: { maxHeaderBlockSize: 0xffffff } });
  const frames: DecodedFrame[] = [];
  const writer = theirs.writable.getWriter();
  writer.closed.catch(() => {});
  let reading: Promise<void> | null = null;
  const startReading = (): Promise<void> => {
    reading ??= (async () => {
      const reader = theirs.readable.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        frames.push(...decoder.push(value));
      }
    })().catch(() => {});
    return reading;
  };
  if (options.read !== false) startReading();
  return {
    session,
    frames,
    writer,
    startReading,
    encode: (...inits: FrameInit[]): Uint8Array => concatBytes(inits.map((f) => encoder.encode(f))),
    /** Writes frames without waiting for the transport to accept them. */
    send: (...inits: FrameInit[]): Promise<void> => writer.write(concatBytes(inits.map((f) => encoder.encode(f)))),
  };
}

/** A fresh pair of sans-IO sessions completes a request with a body: the process is fine. */
export function assertHealthySessionPair(version: ProtocolVersion = PROTO_SPDY3_1): void {
  const pair = new Pair(version, {
    server: {
      onRequestRecvCb: (s, id) => s.submitResponse(id, RESPONSE, bodyProvider(bytes(10_000, 7))),
    },
  });
  pair.client.submitRequest(3, REQUEST);
  pair.pump();
  const got = pair.clientLog.of('onDataChunkRecvCb').reduce((n, a) => n + (a[2] as Uint8Array).length, 0);
  assert.is(got, 10_000, 'the healthy session got its whole response');
  assert.ok(pair.clientLog.of('onStreamCloseCb').some((a) => a[0] === 1 && a[1] === 0), 'stream 1 closed OK');
}

/** A fresh SpdySession pair completes a request with a body: the process is fine. */
export async function assertHealthySpdySessions(version: ProtocolVersion = PROTO_SPDY3_1): Promise<void> {
  const { client, server } = sessionPair({ version });
  const body = bytes(100_000, 3);
  const served = (async () => {
    const stream = await nextIncoming(server);
    await stream.respond(ok());
    const w = stream.writable.getWriter();
    await w.write(body);
    await w.close();
  })();
  const stream = await client.openStream({ headers: request('/healthy'), endStream: true });
  const got = await readAll(stream.readable);
  await served;
  assert.is(got.length, body.length, 'the healthy session got its whole response');
  await client.close();
  await server.closed;
}

/** A peer whose frames are crafted by hand, against a sans-IO Session (see tests/session/harness.ts). */
export function rawSessionPeer(side: typeof CLIENT | typeof SERVER, version: ProtocolVersion, config: SpdyConfig = {}) {
  return new RawPeer(side, version, { config });
}
