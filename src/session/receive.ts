/**
 * The receive path of a Session: decoded frames checked against the
 * streams' states and the peer's limits, one handler per frame type, the
 * answers they call for (RST_STREAM, GOAWAY, PING echoes), and the
 * accounting of our receive windows.
 */
import {
  CTRL_FLAG_FIN, CTRL_FLAG_UNIDIRECTIONAL, DATA, DATA_FLAG_FIN, DEFAULT_WINDOW_SIZE, FLOW_CONTROL_ERROR, GOAWAY,
  GOAWAY_PROTOCOL_ERROR, HEADERS, INVALID_STREAM, MAX_WINDOW_SIZE, OK, PING, PROTOCOL_ERROR, REFUSED_STREAM,
  RST_STREAM, SERVER, SETTINGS, SETTINGS_INITIAL_WINDOW_SIZE, SETTINGS_MAX, SETTINGS_MAX_CONCURRENT_STREAMS,
  STREAM_IN_USE, SYN_REPLY, SYN_STREAM, UNSUPPORTED_VERSION, WINDOW_UPDATE,
} from '../base/constants.js';
import {
  PingFrame, type ControlFrame, type DataFrame, type GoawayFrame, type HeadersFrame, type RstStreamFrame,
  type SettingsFrame, type SynReplyFrame, type SynStreamFrame, type WindowUpdateFrame,
} from '../codec/frames.js';
import { FrameDecoder, InvalidFrame, UnknownFrame, type DecodedFrame } from '../codec/frame-decoder.js';
import { FrameError } from '../base/errors.js';
import type { RecvWindow } from './recv-window.js';
import { SendPath } from './send.js';
import type { Stream } from './stream.js';
import { dataReceivable } from './stream-rules.js';

const EMPTY = new Uint8Array(0);

/**
 * Session's receive path. It sits over the send path only so that the
 * layers make one class; it uses nothing of it but the shared state.
 */
export abstract class ReceivePath extends SendPath {
  /** Decodes received bytes and processes the frames they complete. */
  protected feed(data: Uint8Array): void {
    if (this.inputBroken || this.failOnSend) return;
    try {
      this.decoder ??= new FrameDecoder(this.codecOptions);
      this.decoder.write(data, (frame) => this.receiveFrame(frame));
    } catch (err) {
      if (!(err instanceof FrameError)) {
        // A callback threw mid-chunk: the rest of the chunk is lost, so later
        // input could only be read out of step. Ignore it from now on.
        this.inputBroken = true;
        throw err;
      }
      this.receiveDecodeError(err);
    }
  }

  /** What `recvDecodeError()` does. */
  protected receiveDecodeError(err: FrameError): void {
    if (this.inputBroken) return;
    this.inputBroken = true;
    if (err.frameType !== undefined && err.head) {
      this.cb.onCtrlRecvParseErrorCb?.(this.self, err.frameType, err.head, err.payload ?? EMPTY, err.code);
    }
    this.failSession(err.statusCode ?? GOAWAY_PROTOCOL_ERROR);
  }

  /** What `recvFrame()` does. */
  protected receiveFrame(frame: DecodedFrame): void {
    if (this.inputBroken || this.failOnSend) return;
    // A flood of frames that cost us work and the peer nothing ends the session.
    if (this.limits.admit(frame, this.streams) !== null) return this.failSession(GOAWAY_PROTOCOL_ERROR);
    if (frame instanceof InvalidFrame) return this.onInvalidFrame(frame);
    if (frame instanceof UnknownFrame) {
      this.cb.onUnknownCtrlRecvCb?.(this.self, frame.head, frame.payload);
      return;
    }
    switch (frame.frameType) {
      case DATA: return this.onData(frame);
      case SYN_STREAM: return this.onSynStream(frame);
      case SYN_REPLY: return this.onSynReply(frame);
      case HEADERS: return this.onHeaders(frame);
      case RST_STREAM: return this.onRstStream(frame);
      case SETTINGS: return this.onSettings(frame);
      case PING: return this.onPing(frame);
      case GOAWAY: return this.onGoaway(frame);
      case WINDOW_UPDATE: return this.onWindowUpdate(frame);
      // NOOP is nothing by definition, and CREDENTIAL is ignored as spdylay does.
    }
  }

  /** Answers a frame that opens or uses a stream wrongly: RST_STREAM and the invalid-frame callback. */
  private refuseStreamFrame(streamId: number, frame: ControlFrame | InvalidFrame, statusCode: number): void {
    const rst = this.addRstStream(streamId, statusCode);
    this.cb.onInvalidCtrlRecvCb?.(this.self, frame, statusCode);
    this.addReply(rst);
  }

  /** Answers a frame that breaks the session: the invalid-frame callback and GOAWAY. */
  private refuseSession(frame: ControlFrame): void {
    this.cb.onInvalidCtrlRecvCb?.(this.self, frame, PROTOCOL_ERROR);
    this.failSession(GOAWAY_PROTOCOL_ERROR);
  }

  private onInvalidFrame(frame: InvalidFrame): void {
    const status = frame.error.statusCode ?? PROTOCOL_ERROR;
    // Another version's frames are ignored, except a SYN_STREAM, which must be refused.
    if (status === UNSUPPORTED_VERSION && frame.frameType !== SYN_STREAM) return;
    if (frame.streamId === 0) return;
    this.refuseStreamFrame(frame.streamId, frame, status);
  }

  private isNewPeerStreamId(streamId: number): boolean {
    return streamId !== 0 && !this.isMyStreamId(streamId) && streamId > this.lastRecvStreamId;
  }

  private onSynStream(frame: SynStreamFrame): void {
    if (this.goawaySent || this.goawayRecv) return;
    const id = frame.streamId;
    if (id === this.lastRecvStreamId) return this.refuseStreamFrame(id, frame, PROTOCOL_ERROR);
    if (!this.isNewPeerStreamId(id)) return this.refuseSession(frame);
    this.lastRecvStreamId = id;
    const status = this.synStreamStatus(frame);
    if (status !== 0) return this.refuseStreamFrame(id, frame, status);
    const fin = (frame.flags & CTRL_FLAG_FIN) !== 0;
    const uni = (frame.flags & CTRL_FLAG_UNIDIRECTIONAL) !== 0;
    let stream: Stream | undefined;
    // A push that is unidirectional and finished at once never needs opening.
    if (!(fin && uni)) {
      stream = this.openStream(id, frame.pri, 'opening', undefined, frame.assocStreamId);
      stream.shutRead = fin;
      stream.shutWrite = uni;
    }
    this.cb.onCtrlRecvCb?.(this.self, frame);
    if (fin) {
      if (stream) this.requestReceived(stream);
      if (uni) this.cb.onStreamCloseCb?.(this.self, id, OK);
    }
  }

  /** 0 if a peer's SYN_STREAM may open its stream, else the RST_STREAM status that refuses it. */
  private synStreamStatus(frame: SynStreamFrame): number {
    if (this.side === SERVER) {
      if (frame.assocStreamId !== 0 || frame.flags & CTRL_FLAG_UNIDIRECTIONAL) return PROTOCOL_ERROR;
    } else {
      if (frame.assocStreamId === 0) return INVALID_STREAM;
      if (!(frame.flags & CTRL_FLAG_UNIDIRECTIONAL) || !this.streams.has(frame.assocStreamId)) return PROTOCOL_ERROR;
    }
    if (this.streams.incoming >= this.localSettings[SETTINGS_MAX_CONCURRENT_STREAMS]!) return REFUSED_STREAM;
    return 0;
  }

  private requestReceived(stream: Stream): void {
    if (this.side !== SERVER || this.isMyStreamId(stream.id) || stream.requestReceived) return;
    stream.requestReceived = true;
    this.cb.onRequestRecvCb?.(this.self, stream.id);
  }

  private onSynReply(frame: SynReplyFrame): void {
    const stream = this.streams.get(frame.streamId);
    let status = PROTOCOL_ERROR;
    if (stream && !stream.shutRead && this.isMyStreamId(frame.streamId)) {
      if (stream.state === 'opening') {
        stream.state = 'opened';
        this.cb.onCtrlRecvCb?.(this.self, frame);
        if (frame.flags & CTRL_FLAG_FIN) {
          stream.shutRead = true;
          this.streams.closeIfDone(stream);
        }
        return;
      }
      // Our RST_STREAM is on its way: the reply crossed it.
      if (stream.state === 'closing') return;
      if (this.wire === 3) status = STREAM_IN_USE;
    }
    this.refuseStreamFrame(frame.streamId, frame, status);
  }

  private onHeaders(frame: HeadersFrame): void {
    const stream = this.streams.get(frame.streamId);
    const usable = stream && !stream.shutRead &&
      (!this.isMyStreamId(frame.streamId) || stream.state === 'opened' || stream.state === 'closing');
    if (!stream || !usable) return this.refuseStreamFrame(frame.streamId, frame, PROTOCOL_ERROR);
    // Our RST_STREAM is on its way: whatever crossed it is dropped.
    if (stream.state === 'closing') return;
    this.cb.onCtrlRecvCb?.(this.self, frame);
    if (frame.flags & CTRL_FLAG_FIN) {
      this.requestReceived(stream);
      stream.shutRead = true;
      this.streams.closeIfDone(stream);
    }
  }

  private onRstStream(frame: RstStreamFrame): void {
    this.cb.onCtrlRecvCb?.(this.self, frame);
    this.streams.closePushed(frame.streamId, frame.statusCode);
    this.streams.close(frame.streamId, frame.statusCode);
  }

  private onSettings(frame: SettingsFrame): void {
    const windowBefore = this.remoteSettings[SETTINGS_INITIAL_WINDOW_SIZE]!;
    for (const [id, , value] of frame.iv) {
      // Entries apply in order, so the last value of a repeated id counts (our
      // checklist's rule; spdylay's own code keeps the first). Unknown ids are ignored.
      if (id === 0 || id > SETTINGS_MAX) continue;
      if (id === SETTINGS_INITIAL_WINDOW_SIZE && value > MAX_WINDOW_SIZE) continue;
      this.remoteSettings[id] = value;
    }
    // Windows move once per frame, not once per entry: a frame of thousands
    // of repeated entries must not cost thousands of passes over the streams.
    const windowAfter = this.remoteSettings[SETTINGS_INITIAL_WINDOW_SIZE]!;
    if (this.streamFlow && windowAfter !== windowBefore) this.shiftSendWindows(windowAfter - windowBefore);
    this.cb.onCtrlRecvCb?.(this.self, frame);
  }

  /** The peer's initial window changed: every open stream's window moves by the difference. */
  private shiftSendWindows(diff: number): void {
    for (const stream of this.streams.values()) {
      stream.sendWindow += diff;
      this.requeueFlowDeferred(stream);
    }
  }

  private onPing(frame: PingFrame): void {
    const id = frame.uniqueId;
    if (id === 0) return;
    if (id === this.lastPingId) {
      this.lastPingId = 0;
      this.cb.onCtrlRecvCb?.(this.self, frame);
    } else if (!this.isMyStreamId(id)) {
      const echo = new PingFrame({ version: this.wire, uniqueId: id });
      this.addUrgent(echo);
      this.cb.onCtrlRecvCb?.(this.self, frame);
      this.addReply(echo);
    }
  }

  private onGoaway(frame: GoawayFrame): void {
    this.peerLastGoodStreamId = frame.lastGoodStreamId;
    this.goawayRecv = true;
    this.cb.onCtrlRecvCb?.(this.self, frame);
    // Streams of ours past the peer's last good id were not processed and never will be.
    for (const stream of [...this.streams.values()]) {
      if (this.isMyStreamId(stream.id) && stream.id > frame.lastGoodStreamId && stream.state === 'opening') {
        this.streams.close(stream.id, REFUSED_STREAM);
      }
    }
  }

  private onWindowUpdate(frame: WindowUpdateFrame): void {
    if (!this.streamFlow) return;
    if (!this.config.peerFlowControl) {
      // We do not count our sending against windows, so there is nothing to update.
      this.cb.onCtrlRecvCb?.(this.self, frame);
      return;
    }
    const delta = frame.deltaWindowSize;
    if (frame.streamId === 0) this.connUpdateSeen = true;
    else this.watchForSpdy3Peer(delta);
    if (frame.streamId === 0 && this.connFlow) {
      if (this.connSendWindow > MAX_WINDOW_SIZE - delta) return this.refuseSession(frame);
      this.connSendWindow += delta;
      if (this.connSendWindow > 0) for (const stream of this.streams.values()) this.requeueFlowDeferred(stream);
      this.cb.onCtrlRecvCb?.(this.self, frame);
      return;
    }
    const stream = this.streams.get(frame.streamId);
    if (!stream) return;
    if (stream.sendWindow > MAX_WINDOW_SIZE - delta) {
      return this.refuseStreamFrame(frame.streamId, frame, FLOW_CONTROL_ERROR);
    }
    stream.sendWindow += delta;
    this.requeueFlowDeferred(stream);
    this.cb.onCtrlRecvCb?.(this.self, frame);
  }

  /**
   * `spdy3Fallback`: a SPDY/3.1 peer gives the connection window back no
   * later than any stream's, so one that has given back 64 KiB of stream
   * window and never the connection's speaks SPDY/3. Drop the connection
   * window then, which it never opens, and send what waited on it.
   */
  private watchForSpdy3Peer(delta: number): void {
    if (!this.connFlow || !this.config.spdy3Fallback || this.connUpdateSeen) return;
    this.streamUpdatesWithoutConn += delta;
    if (this.streamUpdatesWithoutConn < DEFAULT_WINDOW_SIZE) return;
    this.connFlow = false;
    for (const stream of this.streams.values()) this.requeueFlowDeferred(stream);
  }

  private onData(frame: DataFrame): void {
    const length = frame.data.length;
    const enforce = this.config.peerFlowControl;
    if (this.connFlow) {
      if (!this.connRecv.receive(length) && enforce) return this.failSession(GOAWAY_PROTOCOL_ERROR);
      if (this.autoUpdate) this.autoWindowUpdate(0, this.connRecv);
    }
    const stream = this.streams.get(frame.streamId);
    if (!stream || !dataReceivable(stream, this.isMyStreamId(stream.id))) {
      this.dropData(length);
      // DATA before our stream was answered, or after the peer's FIN, breaks the session.
      if (stream && stream.state !== 'closing') this.failSession(GOAWAY_PROTOCOL_ERROR);
      return;
    }
    const fin = (frame.flags & DATA_FLAG_FIN) !== 0;
    if (this.streamFlow) {
      if (!stream.recv.receive(length) && enforce) {
        this.dropData(length);
        this.addRstStream(stream.id, FLOW_CONTROL_ERROR);
        return;
      }
      // A stream's last frame needs no more window.
      if (this.autoUpdate && !fin) this.autoWindowUpdate(stream.id, stream.recv);
    }
    this.cb.onDataChunkRecvCb?.(this.self, frame.flags, frame.streamId, frame.data);
    this.cb.onDataRecvCb?.(this.self, frame.flags, frame.streamId, length);
    if (fin) {
      this.requestReceived(stream);
      stream.shutRead = true;
      this.streams.closeIfDone(stream);
    }
  }

  private autoWindowUpdate(streamId: number, window: RecvWindow): void {
    const due = window.dueUpdate();
    if (due > 0) this.queueWindowUpdate(streamId, due);
  }

  /**
   * DATA nobody will read still used the SPDY/3.1 connection window. When
   * the application gives windows back itself, the session gives back these.
   */
  private dropData(length: number): void {
    if (!this.connFlow || this.autoUpdate) return;
    this.connRecv.dropped += length;
    if (this.connRecv.dropped >= this.connRecv.size / 2) {
      const delta = this.connRecv.dropped;
      this.connRecv.dropped = 0;
      this.queueWindowUpdate(0, delta);
    }
  }
}
