// Test harness: sessions wired together in memory, a scripted raw peer, and
// recorders of what the callbacks saw.
import {
  CLIENT, SERVER, PROTO_SPDY3_1, READ_EOF, ERR_DEFERRED, SYN_STREAM, SYN_REPLY, HEADERS, wireVersion,
  FrameDecoder, FrameEncoder, HeaderDeflater, Session, DataProvider, concatBytes,
  type DecodedFrame, type FrameInit, type ProtocolVersion, type SessionCallbacks,
  type SessionOptions, type Side, type Frame,
} from '../../src/index.js';

export type Call = { readonly cb: keyof SessionCallbacks; readonly args: unknown[] };

const RECORDED: Array<keyof SessionCallbacks> = [
  'onCtrlRecvCb', 'onInvalidCtrlRecvCb', 'onDataChunkRecvCb', 'onDataRecvCb', 'beforeCtrlSendCb',
  'onCtrlSendCb', 'onCtrlNotSendCb', 'onDataSendCb', 'onStreamCloseCb', 'onRequestRecvCb',
  'onCtrlRecvParseErrorCb', 'onUnknownCtrlRecvCb',
];

/** Records every callback (arguments after `session`), then calls the test's own one. */
export class Log {
  readonly calls: Call[] = [];

  wrap(own: SessionOptions = {}): SessionOptions {
    const out: Record<string, unknown> = { ...own };
    for (const name of RECORDED) {
      const user = own[name] as ((...a: unknown[]) => void) | undefined;
      out[name] = (session: Session, ...args: unknown[]) => {
        this.calls.push({ cb: name, args: args.map((a) => (a instanceof Uint8Array ? a.slice() : a)) });
        user?.(session, ...args);
      };
    }
    return out as SessionOptions;
  }

  of(cb: keyof SessionCallbacks): unknown[][] {
    return this.calls.filter((c) => c.cb === cb).map((c) => c.args);
  }

  count(cb: keyof SessionCallbacks): number {
    return this.of(cb).length;
  }

  /** Frames given to a frame callback, optionally of one type. */
  frames(cb: 'onCtrlRecvCb' | 'onCtrlSendCb' | 'beforeCtrlSendCb' | 'onInvalidCtrlRecvCb' | 'onCtrlNotSendCb', type?: number): any[] {
    return this.of(cb).map((a) => a[0] as any).filter((f) => type === undefined || f.frameType === type);
  }

  clear(): void {
    this.calls.length = 0;
  }
}

/** A client and a server session joined in memory. */
export class Pair {
  readonly client: Session;
  readonly server: Session;
  readonly clientLog = new Log();
  readonly serverLog = new Log();
  private readonly toServer: Uint8Array[] = [];
  private readonly toClient: Uint8Array[] = [];
  /** Every frame each side sent, decoded. */
  readonly clientSent: DecodedFrame[] = [];
  readonly serverSent: DecodedFrame[] = [];

  constructor(readonly version: ProtocolVersion, opts: { client?: SessionOptions; server?: SessionOptions } = {}) {
    const watchClient = new FrameDecoder({ version, side: SERVER, config: opts.client?.config ?? {} });
    const watchServer = new FrameDecoder({ version, side: CLIENT, config: opts.server?.config ?? {} });
    this.client = new Session(CLIENT, version, {
      ...this.clientLog.wrap(opts.client),
      sendCb: (_s, data) => {
        const copy = data.slice();
        this.toServer.push(copy);
        this.clientSent.push(...watchClient.push(copy));
        return data.length;
      },
    });
    this.server = new Session(SERVER, version, {
      ...this.serverLog.wrap(opts.server),
      sendCb: (_s, data) => {
        const copy = data.slice();
        this.toClient.push(copy);
        this.serverSent.push(...watchServer.push(copy));
        return data.length;
      },
    });
  }

  /** Sends and delivers on both sides until neither has anything left to say. */
  pump(maxRounds = 100000): void {
    for (let round = 0; round < maxRounds; round++) {
      this.client.send();
      this.server.send();
      if (this.toServer.length === 0 && this.toClient.length === 0) return;
      for (const chunk of this.toServer.splice(0)) this.server.recv(chunk);
      for (const chunk of this.toClient.splice(0)) this.client.recv(chunk);
    }
    throw new Error('sessions did not go idle');
  }
}

/** The peer's side of a session under test: frames crafted by hand, frames read back. */
export class RawPeer {
  readonly session: Session;
  readonly log = new Log();
  /** What each sendCb call took, in order. */
  readonly chunks: Uint8Array[] = [];
  /** Every frame the session sent, decoded, in order. */
  readonly sent: DecodedFrame[] = [];
  private readonly encoder: FrameEncoder;
  private readonly deflater: HeaderDeflater;
  private readonly decoder: FrameDecoder;
  readonly wire: 2 | 3;
  /** sendCb takes at most this many more bytes, then blocks. */
  budget = Infinity;
  /** sendCb accepts this many more calls, then blocks. */
  callBudget = Infinity;

  constructor(readonly side: Side, readonly version: ProtocolVersion, opts: SessionOptions = {}) {
    const peerSide = side === CLIENT ? SERVER : CLIENT;
    this.wire = wireVersion(version);
    this.encoder = new FrameEncoder({ version, side: peerSide });
    this.deflater = new HeaderDeflater(this.wire, 0);
    this.decoder = new FrameDecoder({ version, side: peerSide });
    this.session = new Session(side, version, {
      ...this.log.wrap(opts),
      sendCb: (_s, data) => {
        const n = Math.min(data.length, this.budget);
        if (n === 0 || this.callBudget <= 0) return 0;
        this.budget -= n;
        this.callBudget--;
        const copy = data.slice(0, n);
        this.chunks.push(copy);
        this.sent.push(...this.decoder.push(copy));
        return n;
      },
    });
  }

  /** Feeds frames that carry no header block (header frames go through `headers`). */
  feed(...frames: FrameInit[]): void {
    for (const f of frames) {
      if (f.frameType === SYN_STREAM || f.frameType === SYN_REPLY || f.frameType === HEADERS) {
        this.session.recv(this.headerFrame(f.frameType, f, f.nv));
      } else {
        this.session.recv(this.encoder.encode(f));
      }
    }
  }

  /**
   * The bytes of a header frame whose block holds `pairs` exactly as given
   * (no lower-casing, no checks), compressed on this peer's zlib stream.
   */
  headerFrame(
    type: number,
    f: { flags?: number; streamId: number; assocStreamId?: number; pri?: number },
    pairs: ReadonlyArray<readonly [string, string]>,
  ): Uint8Array {
    return craftHeaderFrame(this.deflater, this.wire, type, f, pairs);
  }

  /** Runs `send()` and returns the frames written since the last call. */
  flush(): DecodedFrame[] {
    const before = this.sent.length;
    this.session.send();
    return this.sent.slice(before);
  }

  /** Control frames the session sent so far, of one type. */
  sentOf(type: number): any[] {
    return this.sent.filter((f) => (f as Frame).frameType === type && !(f as any).error);
  }
}

/**
 * The bytes of a header frame whose block holds `pairs` exactly as given
 * (no lower-casing, no checks), compressed on `deflater`'s zlib stream:
 * what a peer that breaks the rules on purpose would write.
 */
export function craftHeaderFrame(
  deflater: HeaderDeflater,
  v: 2 | 3,
  type: number,
  f: { flags?: number; streamId: number; assocStreamId?: number; pri?: number },
  pairs: ReadonlyArray<readonly [string, string]>,
): Uint8Array {
  const fixed = type === SYN_STREAM ? 10 : v === 2 ? 6 : 4;
  const out = deflater.deflate(packRaw(pairs, v), 8 + fixed);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const length = out.length - 8;
  view.setUint16(0, 0x8000 | v);
  view.setUint16(2, type);
  view.setUint32(4, length);
  out[4] = f.flags ?? 0;
  view.setUint32(8, f.streamId);
  if (type === SYN_STREAM) {
    view.setUint32(12, f.assocStreamId ?? 0);
    out[16] = v === 2 ? (f.pri ?? 0) << 6 : (f.pri ?? 0) << 5;
  }
  return out;
}

function packRaw(pairs: ReadonlyArray<readonly [string, string]>, v: 2 | 3): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const field = v === 2 ? 2 : 4;
  const num = (n: number) => {
    const b = new Uint8Array(field);
    const dv = new DataView(b.buffer);
    if (field === 2) dv.setUint16(0, n);
    else dv.setUint32(0, n);
    return b;
  };
  parts.push(num(pairs.length));
  for (const [n, val] of pairs) {
    const nb = enc.encode(n);
    const vb = enc.encode(val);
    parts.push(num(nb.length), nb, num(vb.length), vb);
  }
  return concatBytes(parts);
}

/**
 * A SPDY/3.1 client uploads `size` bytes to a server with automatic window
 * updates off, whose application reads at most 10000 bytes a round and then
 * calls `giveBack(server, bytesRead)`. Returns the bytes read, and the server.
 */
export function slowReaderUpload(size: number, giveBack: (server: Session, read: number) => void): { received: number; server: Session } {
  let received = 0;
  let unread = 0;
  const toServer: Uint8Array[] = [];
  const toClient: Uint8Array[] = [];
  const server = new Session(SERVER, PROTO_SPDY3_1, {
    config: { autoWindowUpdate: false },
    sendCb: (_s, d) => { toClient.push(d.slice()); return d.length; },
    onDataChunkRecvCb: (_s, _f, _id, data) => { unread += data.length; },
  });
  const client = new Session(CLIENT, PROTO_SPDY3_1, {
    sendCb: (_s, d) => { toServer.push(d.slice()); return d.length; },
  });
  client.submitRequest(3, REQUEST, bodyProvider(bytes(size)));
  for (let round = 0; round < 1000 && received < size; round++) {
    client.send();
    for (const c of toServer.splice(0)) server.recv(c);
    const read = Math.min(unread, 10000);
    if (read > 0) {
      unread -= read;
      received += read;
      giveBack(server, read);
    }
    server.send();
    for (const c of toClient.splice(0)) client.recv(c);
  }
  return { received, server };
}

/** A provider of `body`, read in whatever sizes the session asks for; `reads` counts calls. */
export function bodyProvider(body: Uint8Array): DataProvider<{ offset: number; reads: number }> {
  return new DataProvider({ offset: 0, reads: 0 }, (_s, _id, length, ctrl, src) => {
    src.reads++;
    const chunk = body.subarray(src.offset, src.offset + length);
    src.offset += chunk.length;
    if (src.offset >= body.length) ctrl.flags = READ_EOF;
    return chunk;
  });
}

/** A provider that answers ERR_DEFERRED while `gate.open` is false. */
export function gatedProvider(body: Uint8Array, gate: { open: boolean }): DataProvider<{ offset: number }> {
  return new DataProvider({ offset: 0 }, (_s, _id, length, ctrl, src) => {
    if (!gate.open) return ERR_DEFERRED;
    const chunk = body.subarray(src.offset, src.offset + length);
    src.offset += chunk.length;
    if (src.offset >= body.length) ctrl.flags = READ_EOF;
    return chunk;
  });
}

export function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export const REQUEST: Array<[string, string]> = [
  [':method', 'GET'], [':path', '/'], [':scheme', 'https'], [':version', 'HTTP/1.1'], [':host', 'localhost'],
];
export const RESPONSE: Array<[string, string]> = [[':status', '200 OK'], [':version', 'HTTP/1.1']];
