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
import { writeDataHead } from '../codec/frame-encoder.js';
import { CallbackFailureError, FrameError, TemporalCallbackFailureError } from '../base/errors.js';
import type { SessionCallbacks } from './callbacks.js';
import type { ReadCtrl } from './data-provider.js';
import type { CtrlItem, DataItem } from './outbound-queue.js';
import { SessionState } from './session-state.js';
import type { Stream } from './stream.js';
import { dataBlocked, headersBlocked, synReplyBlocked } from './stream-rules.js';

const HEAD = 8;

/** What preparing a queued item gave: bytes to write, a reason it cannot go, or nothing yet. */
type Prepared = { head: Uint8Array | null; bytes: Uint8Array; dataFlags: number } | { error: number } | 'parked';

/** Session's send path, over its state. */
export abstract class SendPath extends SessionState {
  /** The loop of `send()`: writes the queue through `sendCb` until it is empty or `sendCb` would block. */
  protected writeQueued(sendCb: NonNullable<SessionCallbacks['sendCb']>): void {
    for (;;) {
      if (this.failOnSend && this.goawaySent) return;
      if (!this.active && !this.activateNext()) return;
      const active = this.active!;
      if (active.head) {
        if (!this.sendWhole(active.head, active.bytes)) return;
        active.offset = active.bytes.length;
      } else {
        const rest = active.bytes.subarray(active.offset);
        const taken = sendCb(this.self, rest);
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
    const taken = this.cb.sendDataCb!(this.self, head, payload);
    if (taken === null || taken === undefined || taken === 0) return false;
    if (taken !== head.length + payload.length) {
      throw new CallbackFailureError(`sendDataCb returned ${String(taken)}, not 0 or the frame's ${head.length + payload.length} bytes`);
    }
    return true;
  }

  /** Makes the next sendable item active; false when there is none. */
  private activateNext(): boolean {
    for (;;) {
      const item = this.queue.pop(this.mayOpenStream());
      if (!item) return false;
      const prepared = item.kind === 'ctrl' ? this.prepareCtrl(item) : this.prepareData(item);
      if (prepared === 'parked') continue;
      if ('error' in prepared) {
        if (item.kind === 'ctrl' && item.frame.frameType !== WINDOW_UPDATE) {
          this.cb.onCtrlNotSendCb?.(this.self, item.frame, prepared.error, item.streamUserData);
        }
        continue;
      }
      this.active = { item, head: prepared.head, bytes: prepared.bytes, offset: 0, dataFlags: prepared.dataFlags };
      if (item.kind === 'ctrl') this.cb.beforeCtrlSendCb?.(this.self, item.frame);
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
        error = synReplyBlocked(this.streams.get(frame.streamId), this.isMyStreamId(frame.streamId));
        break;
      case HEADERS:
        error = headersBlocked(this.streams.get(frame.streamId), this.isMyStreamId(frame.streamId));
        break;
      case WINDOW_UPDATE:
        if (frame.streamId !== 0 || !this.connFlow) {
          const stream = this.streams.get(frame.streamId);
          error = !stream ? ERR_STREAM_CLOSED : stream.state === 'closing' ? ERR_STREAM_CLOSING : 0;
        }
        break;
      case GOAWAY:
        if (this.goawaySent) error = ERR_GOAWAY_ALREADY_SENT;
        break;
    }
    if (error !== 0) return { error };
    const bytes = this.encode(frame);
    return bytes ? { head: null, bytes, dataFlags: 0 } : { error: ERR_FRAME_TOO_LARGE };
  }

  private prepareSynStream(item: CtrlItem, frame: SynStreamFrame): Prepared {
    if (this.goawaySent || this.goawayRecv) return { error: ERR_SYN_STREAM_NOT_ALLOWED };
    if (frame.assocStreamId !== 0 && !this.streams.has(frame.assocStreamId)) return { error: ERR_STREAM_CLOSED };
    if (this.nextStreamId > MAX_STREAM_ID) return { error: ERR_STREAM_ID_NOT_AVAILABLE };
    frame.streamId = this.nextStreamId;
    this.nextStreamId += 2;
    const bytes = this.encode(frame);
    if (!bytes) return { error: ERR_FRAME_TOO_LARGE };
    this.openStream(frame.streamId, frame.pri, 'initial', item.streamUserData, frame.assocStreamId);
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
      this.failSession(GOAWAY_INTERNAL_ERROR);
      return null;
    }
  }

  private dataBlocked(streamId: number): number {
    return dataBlocked(this.streams.get(streamId), this.isMyStreamId(streamId));
  }

  private prepareData(item: DataItem): Prepared {
    const error = this.dataBlocked(item.streamId);
    if (error !== 0) return { error };
    return this.readChunk(item, this.streams.get(item.streamId)!);
  }

  /** How much the next DATA frame of `stream` may carry: 0 when a window is spent. */
  private nextReadMax(stream: Stream): number {
    const size = this.config.maxDataFrameSize;
    if (!this.sendFlowControlled) return size;
    let max = Math.min(size, stream.sendWindow);
    if (this.connFlow) max = Math.min(max, this.connSendWindow);
    return Math.max(max, 0);
  }

  /** Reads the next DATA frame of an item from its provider. */
  private readChunk(item: DataItem, stream: Stream): Prepared {
    const max = this.nextReadMax(stream);
    if (max === 0) {
      stream.deferred = { item, reason: 'flow-control' };
      return 'parked';
    }
    const readCtrl: ReadCtrl = { flags: 0 };
    let chunk: Uint8Array | number;
    try {
      chunk = item.provider.readCb(this.self, item.streamId, max, readCtrl, item.provider.source);
    } catch (err) {
      if (!(err instanceof TemporalCallbackFailureError)) throw err;
      this.addRstStream(item.streamId, INTERNAL_ERROR);
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
    if (this.sendFlowControlled) {
      stream.sendWindow -= chunk.length;
      if (this.connFlow) this.connSendWindow -= chunk.length;
    }
    if (this.cb.sendDataCb) {
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
    const frame = item.frame;
    this.limits.sent(frame);
    this.cb.onCtrlSendCb?.(this.self, frame);
    switch (frame.frameType) {
      case SYN_STREAM: {
        const stream = this.streams.get(frame.streamId);
        if (!stream) break;
        stream.state = 'opening';
        if (frame.flags & CTRL_FLAG_FIN) stream.shutWrite = true;
        if (frame.flags & CTRL_FLAG_UNIDIRECTIONAL) stream.shutRead = true;
        if (item.dataPrd && !stream.shutBoth) this.submitData(frame.streamId, DATA_FLAG_FIN, item.dataPrd);
        this.streams.closeIfDone(stream);
        break;
      }
      case SYN_REPLY: {
        const stream = this.streams.get(frame.streamId);
        if (!stream) break;
        stream.state = 'opened';
        if (frame.flags & CTRL_FLAG_FIN) stream.shutWrite = true;
        if (item.dataPrd && !stream.shutBoth) this.submitData(frame.streamId, DATA_FLAG_FIN, item.dataPrd);
        this.streams.closeIfDone(stream);
        break;
      }
      case HEADERS: {
        const stream = this.streams.get(frame.streamId);
        if (!stream) break;
        if (frame.flags & CTRL_FLAG_FIN) stream.shutWrite = true;
        this.streams.closeIfDone(stream);
        break;
      }
      case RST_STREAM:
        this.streams.closePushed(frame.streamId, frame.statusCode);
        this.streams.close(frame.streamId, frame.statusCode);
        break;
      case PING:
        if (this.isMyStreamId(frame.uniqueId)) this.lastPingId = frame.uniqueId;
        break;
      case GOAWAY:
        this.goawaySent = true;
        break;
    }
  }

  private afterDataSent(item: DataItem, dataFlags: number, length: number): void {
    this.cb.onDataSendCb?.(this.self, dataFlags, item.streamId, length);
    const stream = this.streams.get(item.streamId);
    if (stream && dataFlags & DATA_FLAG_FIN) {
      stream.shutWrite = true;
      this.streams.closeIfDone(stream);
    }
    if (item.eof || this.dataBlocked(item.streamId) !== 0) return;
    const next = this.queue.peek(this.mayOpenStream());
    if (next && next.pri <= item.pri) {
      // Something as urgent waits: go behind it (round robin among equals).
      this.enqueue(item);
      return;
    }
    // Nothing more urgent: read the next frame now, as spdylay does.
    const prepared = this.readChunk(item, stream!);
    if (prepared !== 'parked' && !('error' in prepared)) {
      this.active = { item, head: prepared.head, bytes: prepared.bytes, offset: 0, dataFlags: prepared.dataFlags };
    }
  }
}
