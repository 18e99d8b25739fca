/**
 * The send path of a Session: the outbound queue's next item made the
 * active frame (a control frame encoded, or DATA read from its provider
 * within the flow-control windows), written through `sendCb` or
 * `sendDataCb`, and the bookkeeping once a frame has gone.
 */
import {
  CTRL_FLAG_FIN, CTRL_FLAG_UNIDIRECTIONAL, DATA_FLAG_FIN, ERR_DEFERRED, ERR_FRAME_TOO_LARGE,
  ERR_GOAWAY_ALREADY_SENT, ERR_STREAM_CLOSED, ERR_STREAM_CLOSING, ERR_STREAM_ID_NOT_AVAILABLE,
  ERR_SYN_STREAM_NOT_ALLOWED, GOAWAY, GOAWAY_INTERNAL_ERROR, HEADERS, INTERNAL_ERROR, MAX_STREAM_ID, PING,
  READ_EOF, RST_STREAM, SYN_REPLY, SYN_STREAM, WINDOW_UPDATE,
} from '../base/constants.js';
import type { ControlFrame, SynStreamFrame } from '../codec/frames.js';
import { writeDataHead, type FrameEncoder } from '../codec/frame-encoder.js';
import { CallbackFailureError, FrameError, TemporalCallbackFailureError } from '../base/errors.js';
import type { SessionCallbacks } from './callbacks.js';
import type { ReadCtrl } from './data-provider.js';
import type { CtrlItem, DataItem, OutboundItem } from './outbound-queue.js';
import type { SessionContext } from './session-context.js';
import type { Stream } from './stream.js';
import { dataBlocked, headersBlocked, synReplyBlocked } from './stream-rules.js';

const HEAD = 8;

/**
 * The frame being written: its bytes, how far `sendCb` got, and for DATA its
 * flags. DATA for `sendDataCb` keeps its header apart in `head`, `bytes`
 * being the payload as the read callback gave it.
 */
interface ActiveFrame {
  readonly item: OutboundItem;
  readonly head: Uint8Array | null;
  readonly bytes: Uint8Array;
  offset: number;
  readonly dataFlags: number;
}

/** What preparing a queued item gave: bytes to write, a reason it cannot go, or nothing yet. */
type Prepared = { head: Uint8Array | null; bytes: Uint8Array; dataFlags: number } | { error: number } | 'parked';

/** Session's send path. */
export class SendPath {
  /** The frame being written, if one is part way. */
  private active: ActiveFrame | null = null;

  constructor(private readonly ctx: SessionContext, private readonly encoder: FrameEncoder) {}

  /** A frame is part way out. */
  get busy(): boolean {
    return this.active !== null;
  }

  /** The loop of `send()`: writes the queue through `sendCb` until it is empty or `sendCb` would block. */
  write(sendCb: NonNullable<SessionCallbacks['sendCb']>): void {
    for (;;) {
      if (this.ctx.conn.over) return;
      if (!this.active && !this.activateNext()) return;
      const active = this.active!;
      if (active.head) {
        if (!this.sendWhole(active.head, active.bytes)) return;
        active.offset = active.bytes.length;
      } else {
        const rest = active.bytes.subarray(active.offset);
        const taken = sendCb(this.ctx.session, rest);
        if (taken === null || taken === undefined || taken === 0) return;
        if (typeof taken !== 'number' || !Number.isInteger(taken) || taken < 0) {
          throw new CallbackFailureError(`sendCb returned ${String(taken)}`);
        }
        active.offset += Math.min(taken, rest.length);
      }
      if (active.offset === active.bytes.length) {
        this.active = null;
        if (active.item.kind === 'ctrl') this.afterCtrlSent(active.item);
        else this.afterDataSent(active.item, active.dataFlags, active.bytes.length - (active.head ? 0 : HEAD));
      }
    }
  }

  /** Offers a DATA frame to `sendDataCb`: true when it took the frame whole. */
  private sendWhole(head: Uint8Array, payload: Uint8Array): boolean {
    const taken = this.ctx.cb.sendDataCb!(this.ctx.session, head, payload);
    if (taken === null || taken === undefined || taken === 0) return false;
    if (taken !== head.length + payload.length) {
      throw new CallbackFailureError(`sendDataCb returned ${String(taken)}, not 0 or the frame's ${head.length + payload.length} bytes`);
    }
    return true;
  }

  /** Makes the next sendable item active; false when there is none. */
  private activateNext(): boolean {
    for (;;) {
      const item = this.ctx.outbox.pop();
      if (!item) return false;
      const prepared = item.kind === 'ctrl' ? this.prepareCtrl(item) : this.prepareData(item);
      if (prepared === 'parked') continue;
      if ('error' in prepared) {
        if (item.kind === 'ctrl' && item.frame.frameType !== WINDOW_UPDATE) {
          this.ctx.cb.onCtrlNotSendCb?.(this.ctx.session, item.frame, prepared.error, item.streamUserData);
        }
        continue;
      }
      this.active = { item, head: prepared.head, bytes: prepared.bytes, offset: 0, dataFlags: prepared.dataFlags };
      if (item.kind === 'ctrl') this.ctx.cb.beforeCtrlSendCb?.(this.ctx.session, item.frame);
      return true;
    }
  }

  private prepareCtrl(item: CtrlItem): Prepared {
    const frame = item.frame;
    let error = 0;
    switch (frame.frameType) {
      case SYN_STREAM:
        return this.prepareSynStream(item, frame);
      case SYN_REPLY:
        error = synReplyBlocked(this.ctx.streams.get(frame.streamId), this.ctx.conn.isMine(frame.streamId));
        break;
      case HEADERS:
        error = headersBlocked(this.ctx.streams.get(frame.streamId), this.ctx.conn.isMine(frame.streamId));
        break;
      case WINDOW_UPDATE:
        if (frame.streamId !== 0 || !this.ctx.flow.connectionWindowInForce) {
          const stream = this.ctx.streams.get(frame.streamId);
          error = !stream ? ERR_STREAM_CLOSED : stream.state === 'closing' ? ERR_STREAM_CLOSING : 0;
        }
        break;
      case GOAWAY:
        if (this.ctx.conn.goawaySent) error = ERR_GOAWAY_ALREADY_SENT;
        break;
    }
    if (error !== 0) return { error };
    const bytes = this.encode(frame);
    return bytes ? { head: null, bytes, dataFlags: 0 } : { error: ERR_FRAME_TOO_LARGE };
  }

  private prepareSynStream(item: CtrlItem, frame: SynStreamFrame): Prepared {
    const { conn, streams } = this.ctx;
    if (conn.goingAway) return { error: ERR_SYN_STREAM_NOT_ALLOWED };
    if (frame.assocStreamId !== 0 && !streams.has(frame.assocStreamId)) return { error: ERR_STREAM_CLOSED };
    if (conn.nextStreamId > MAX_STREAM_ID) return { error: ERR_STREAM_ID_NOT_AVAILABLE };
    frame.streamId = conn.nextStreamId;
    conn.nextStreamId += 2;
    const bytes = this.encode(frame);
    if (!bytes) return { error: ERR_FRAME_TOO_LARGE };
    streams.open(frame.streamId, frame.pri, 'initial', item.streamUserData, frame.assocStreamId);
    return { head: null, bytes, dataFlags: 0 };
  }

  /**
   * Encodes a control frame, or returns null when it is too large. The
   * header compressor may have taken the block in already, so the peer's
   * decompressor could not follow us any more: the session is given up.
   */
  private encode(frame: ControlFrame): Uint8Array | null {
    try {
      return this.encoder.encode(frame);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      this.ctx.failSession(GOAWAY_INTERNAL_ERROR);
      return null;
    }
  }

  private dataBlocked(streamId: number): number {
    return dataBlocked(this.ctx.streams.get(streamId), this.ctx.conn.isMine(streamId));
  }

  private prepareData(item: DataItem): Prepared {
    const error = this.dataBlocked(item.streamId);
    if (error !== 0) return { error };
    return this.readChunk(item, this.ctx.streams.get(item.streamId)!);
  }

  /** Reads the next DATA frame of an item from its provider. */
  private readChunk(item: DataItem, stream: Stream): Prepared {
    // At most one frame's worth, and 0 when a window is spent.
    const max = Math.min(this.ctx.config.maxDataFrameSize, this.ctx.flow.sendable(stream));
    if (max === 0) {
      stream.deferred = { item, reason: 'flow-control' };
      return 'parked';
    }
    const readCtrl: ReadCtrl = { flags: 0 };
    let chunk: Uint8Array | number;
    try {
      chunk = item.provider.readCb(this.ctx.session, item.streamId, max, readCtrl, item.provider.source);
    } catch (err) {
      if (!(err instanceof TemporalCallbackFailureError)) throw err;
      this.ctx.outbox.rstStream(item.streamId, INTERNAL_ERROR);
      return 'parked';
    }
    if (chunk === ERR_DEFERRED) {
      stream.deferred = { item, reason: 'application' };
      return 'parked';
    }
    if (!(chunk instanceof Uint8Array) || chunk.length > max) {
      throw new CallbackFailureError(`read callback gave ${chunk instanceof Uint8Array ? `${chunk.length} bytes, over ${max}` : String(chunk)}`);
    }
    let dataFlags = 0;
    if (readCtrl.flags & READ_EOF) {
      item.eof = true;
      dataFlags = item.flags & DATA_FLAG_FIN;
    }
    this.ctx.flow.spend(stream, chunk.length);
    if (this.ctx.cb.sendDataCb) {
      const head = new Uint8Array(HEAD);
      writeDataHead(head, item.streamId, dataFlags, chunk.length);
      return { head, bytes: chunk, dataFlags };
    }
    const bytes = new Uint8Array(HEAD + chunk.length);
    writeDataHead(bytes, item.streamId, dataFlags, chunk.length);
    bytes.set(chunk, HEAD);
    return { head: null, bytes, dataFlags };
  }

  private afterCtrlSent(item: CtrlItem): void {
    const { cb, session, streams, conn, outbox } = this.ctx;
    const frame = item.frame;
    this.ctx.limits.sent(frame);
    cb.onCtrlSendCb?.(session, frame);
    switch (frame.frameType) {
      case SYN_STREAM:
      case SYN_REPLY:
      case HEADERS: {
        const stream = streams.get(frame.streamId);
        if (!stream) break;
        if (frame.frameType === SYN_STREAM) stream.state = 'opening';
        if (frame.frameType === SYN_REPLY) stream.state = 'opened';
        if (frame.flags & CTRL_FLAG_FIN) stream.shutWrite = true;
        if (frame.frameType === SYN_STREAM && frame.flags & CTRL_FLAG_UNIDIRECTIONAL) stream.shutRead = true;
        // The body submitted with a request or a response follows it.
        if (item.dataPrd && !stream.shutBoth) outbox.data(frame.streamId, DATA_FLAG_FIN, item.dataPrd);
        streams.closeIfDone(stream);
        break;
      }
      case RST_STREAM:
        streams.closePushed(frame.streamId, frame.statusCode);
        streams.close(frame.streamId, frame.statusCode);
        break;
      case PING:
        if (conn.isMine(frame.uniqueId)) conn.lastPingId = frame.uniqueId;
        break;
      case GOAWAY:
        conn.goawaySent = true;
        break;
    }
  }

  private afterDataSent(item: DataItem, dataFlags: number, length: number): void {
    const { cb, session, streams, outbox } = this.ctx;
    cb.onDataSendCb?.(session, dataFlags, item.streamId, length);
    const stream = streams.get(item.streamId);
    if (stream && dataFlags & DATA_FLAG_FIN) {
      stream.shutWrite = true;
      streams.closeIfDone(stream);
    }
    if (item.eof || this.dataBlocked(item.streamId) !== 0) return;
    const next = outbox.peek();
    if (next && next.pri <= item.pri) {
      // Something as urgent waits: go behind it (round robin among equals).
      outbox.push(item);
      return;
    }
    // Nothing more urgent: read the next frame now, as spdylay does.
    const prepared = this.readChunk(item, stream!);
    if (prepared !== 'parked' && !('error' in prepared)) {
      this.active = { item, head: prepared.head, bytes: prepared.bytes, offset: 0, dataFlags: prepared.dataFlags };
    }
  }
}
