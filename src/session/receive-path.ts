/**
 * The receive path of a Session: decoded frames checked against the
 * streams' states and the peer's limits, one handler per frame type, and
 * the answers they call for (RST_STREAM, GOAWAY, PING echoes). Windows are
 * the flow-control part's: this path tells it what arrived.
 */
import {
  CTRL_FLAG_FIN, CTRL_FLAG_UNIDIRECTIONAL, DATA, DATA_FLAG_FIN, FLOW_CONTROL_ERROR, GOAWAY,
  GOAWAY_PROTOCOL_ERROR, HEADERS, INVALID_STREAM, MAX_WINDOW_SIZE, OK, PING, PROTOCOL_ERROR, REFUSED_STREAM,
  RST_STREAM, SERVER, SETTINGS, SETTINGS_INITIAL_WINDOW_SIZE, SETTINGS_MAX, STREAM_IN_USE, SYN_REPLY,
  SYN_STREAM, UNSUPPORTED_VERSION, WINDOW_UPDATE,
} from '../base/constants.js';
import {
  DataFrame, PingFrame, type ControlFrame, type GoawayFrame, type HeadersFrame, type RstStreamFrame,
  type SettingsFrame, type SynReplyFrame, type SynStreamFrame, type WindowUpdateFrame,
} from '../codec/frames.js';
import { InvalidFrame, UnknownFrame, type DecodedFrame, type FrameDecoder } from '../codec/frame-decoder.js';
import { FrameError } from '../base/errors.js';
import type { SessionContext } from './session-context.js';
import type { Stream } from './stream.js';
import { dataReceivable } from './stream-rules.js';

const EMPTY = new Uint8Array(0);

/** Session's receive path. */
export class ReceivePath {
  /**
   * Made at the first `feed`: a Session fed decoded frames (`recvFrame`, as
   * the streams layer does) needs no decoder of its own.
   */
  private decoder: FrameDecoder | null = null;
  /** The DATA frame arriving in pieces passed its checks at its first piece: the rest is delivered. */
  private pieceTaken = false;

  constructor(private readonly ctx: SessionContext, private readonly makeDecoder: () => FrameDecoder) {}

  /** Decodes received bytes and processes the frames they complete. */
  feed(data: Uint8Array): void {
    const { conn } = this.ctx;
    if (conn.inputBroken || conn.failOnSend) return;
    try {
      this.decoder ??= this.makeDecoder();
      this.decoder.write(data, (frame) => this.frame(frame));
    } catch (err) {
      if (!(err instanceof FrameError)) {
        // A callback threw mid-chunk: the rest of the chunk is lost, so later
        // input could only be read out of step. Ignore it from now on.
        conn.inputBroken = true;
        throw err;
      }
      this.decodeError(err);
    }
  }

  /** What `recvDecodeError()` does. */
  decodeError(err: FrameError): void {
    const { conn, cb, session } = this.ctx;
    if (conn.inputBroken) return;
    conn.inputBroken = true;
    if (err.frameType !== undefined && err.head) {
      cb.onCtrlRecvParseErrorCb?.(session, err.frameType, err.head, err.payload ?? EMPTY, err.code);
    }
    this.ctx.failSession(err.statusCode ?? GOAWAY_PROTOCOL_ERROR);
  }

  /** What `recvFrame()` does. */
  frame(frame: DecodedFrame): void {
    const { conn, cb, session } = this.ctx;
    if (conn.inputBroken || conn.failOnSend) return;
    // A DATA frame in pieces was checked and counted once, at its first piece.
    if (frame instanceof DataFrame && frame.part && !frame.part.first) return this.onDataPiece(frame);
    // A flood of frames that cost us work and the peer nothing ends the session.
    if (this.ctx.limits.admit(frame, this.ctx.streams) !== null) return this.ctx.failSession(GOAWAY_PROTOCOL_ERROR);
    if (frame instanceof InvalidFrame) return this.onInvalidFrame(frame);
    if (frame instanceof UnknownFrame) {
      cb.onUnknownCtrlRecvCb?.(session, frame.head, frame.payload);
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

  /** A valid control frame arrived. */
  private accepted(frame: ControlFrame): void {
    this.ctx.cb.onCtrlRecvCb?.(this.ctx.session, frame);
  }

  /** Answers a frame that opens or uses a stream wrongly: RST_STREAM and the invalid-frame callback. */
  private refuseStreamFrame(streamId: number, frame: ControlFrame | InvalidFrame, statusCode: number): void {
    const rst = this.ctx.outbox.rstStream(streamId, statusCode);
    this.ctx.cb.onInvalidCtrlRecvCb?.(this.ctx.session, frame, statusCode);
    this.ctx.outbox.reply(rst);
  }

  /** Answers a frame that breaks the session: the invalid-frame callback and GOAWAY. */
  private refuseSession(frame: ControlFrame): void {
    this.ctx.cb.onInvalidCtrlRecvCb?.(this.ctx.session, frame, PROTOCOL_ERROR);
    this.ctx.failSession(GOAWAY_PROTOCOL_ERROR);
  }

  private onInvalidFrame(frame: InvalidFrame): void {
    const status = frame.error.statusCode ?? PROTOCOL_ERROR;
    // Another version's frames are ignored, except a SYN_STREAM, which must be refused.
    if (status === UNSUPPORTED_VERSION && frame.frameType !== SYN_STREAM) return;
    if (frame.streamId === 0) return;
    this.refuseStreamFrame(frame.streamId, frame, status);
  }

  private isNewPeerStreamId(streamId: number): boolean {
    const { conn } = this.ctx;
    return streamId !== 0 && !conn.isMine(streamId) && streamId > conn.lastRecvStreamId;
  }

  private onSynStream(frame: SynStreamFrame): void {
    const { conn, streams } = this.ctx;
    if (conn.goingAway) return;
    const id = frame.streamId;
    if (id === conn.lastRecvStreamId) return this.refuseStreamFrame(id, frame, PROTOCOL_ERROR);
    if (!this.isNewPeerStreamId(id)) return this.refuseSession(frame);
    conn.lastRecvStreamId = id;
    const status = this.synStreamStatus(frame);
    if (status !== 0) return this.refuseStreamFrame(id, frame, status);
    const fin = (frame.flags & CTRL_FLAG_FIN) !== 0;
    const uni = (frame.flags & CTRL_FLAG_UNIDIRECTIONAL) !== 0;
    let stream: Stream | undefined;
    // A push that is unidirectional and finished at once never needs opening.
    if (!(fin && uni)) {
      stream = streams.open(id, frame.pri, 'opening', undefined, frame.assocStreamId);
      stream.shutRead = fin;
      stream.shutWrite = uni;
    }
    this.accepted(frame);
    if (fin) {
      if (stream) this.requestReceived(stream);
      if (uni) this.ctx.cb.onStreamCloseCb?.(this.ctx.session, id, OK);
    }
  }

  /** 0 if a peer's SYN_STREAM may open its stream, else the RST_STREAM status that refuses it. */
  private synStreamStatus(frame: SynStreamFrame): number {
    const { streams } = this.ctx;
    if (this.ctx.side === SERVER) {
      if (frame.assocStreamId !== 0 || frame.flags & CTRL_FLAG_UNIDIRECTIONAL) return PROTOCOL_ERROR;
    } else {
      if (frame.assocStreamId === 0) return INVALID_STREAM;
      if (!(frame.flags & CTRL_FLAG_UNIDIRECTIONAL) || !streams.has(frame.assocStreamId)) return PROTOCOL_ERROR;
    }
    return streams.mayAcceptIncoming ? 0 : REFUSED_STREAM;
  }

  private requestReceived(stream: Stream): void {
    if (this.ctx.side !== SERVER || this.ctx.conn.isMine(stream.id) || stream.requestReceived) return;
    stream.requestReceived = true;
    this.ctx.cb.onRequestRecvCb?.(this.ctx.session, stream.id);
  }

  private onSynReply(frame: SynReplyFrame): void {
    const { streams, conn } = this.ctx;
    const stream = streams.get(frame.streamId);
    let status = PROTOCOL_ERROR;
    if (stream && !stream.shutRead && conn.isMine(frame.streamId)) {
      if (stream.state === 'opening') {
        stream.state = 'opened';
        this.accepted(frame);
        if (frame.flags & CTRL_FLAG_FIN) {
          stream.shutRead = true;
          streams.closeIfDone(stream);
        }
        return;
      }
      // Our RST_STREAM is on its way: the reply crossed it.
      if (stream.state === 'closing') return;
      if (this.ctx.wire === 3) status = STREAM_IN_USE;
    }
    this.refuseStreamFrame(frame.streamId, frame, status);
  }

  private onHeaders(frame: HeadersFrame): void {
    const { streams, conn } = this.ctx;
    const stream = streams.get(frame.streamId);
    const usable = stream && !stream.shutRead &&
      (!conn.isMine(frame.streamId) || stream.state === 'opened' || stream.state === 'closing');
    if (!stream || !usable) return this.refuseStreamFrame(frame.streamId, frame, PROTOCOL_ERROR);
    // Our RST_STREAM is on its way: whatever crossed it is dropped.
    if (stream.state === 'closing') return;
    this.accepted(frame);
    if (frame.flags & CTRL_FLAG_FIN) {
      this.requestReceived(stream);
      stream.shutRead = true;
      streams.closeIfDone(stream);
    }
  }

  private onRstStream(frame: RstStreamFrame): void {
    this.accepted(frame);
    this.ctx.streams.closePushed(frame.streamId, frame.statusCode);
    this.ctx.streams.close(frame.streamId, frame.statusCode);
  }

  private onSettings(frame: SettingsFrame): void {
    const { settings } = this.ctx;
    const windowBefore = settings.initialSendWindow;
    for (const [id, , value] of frame.iv) {
      // Entries apply in order, so the last value of a repeated id counts (our
      // checklist's rule; spdylay's own code keeps the first). Unknown ids are ignored.
      if (id === 0 || id > SETTINGS_MAX) continue;
      if (id === SETTINGS_INITIAL_WINDOW_SIZE && value > MAX_WINDOW_SIZE) continue;
      settings.remote[id] = value;
    }
    // Windows move once per frame, not once per entry: a frame of thousands
    // of repeated entries must not cost thousands of passes over the streams.
    this.ctx.flow.peerInitialWindowChanged(settings.initialSendWindow - windowBefore);
    this.accepted(frame);
  }

  private onPing(frame: PingFrame): void {
    const { conn } = this.ctx;
    const id = frame.uniqueId;
    if (id === 0) return;
    if (id === conn.lastPingId) {
      conn.lastPingId = 0;
      this.accepted(frame);
    } else if (!conn.isMine(id)) {
      const echo = new PingFrame({ version: this.ctx.wire, uniqueId: id });
      this.ctx.outbox.urgent(echo);
      this.accepted(frame);
      this.ctx.outbox.reply(echo);
    }
  }

  private onGoaway(frame: GoawayFrame): void {
    const { conn, streams } = this.ctx;
    conn.peerLastGoodStreamId = frame.lastGoodStreamId;
    conn.goawayRecv = true;
    this.accepted(frame);
    // Streams of ours past the peer's last good id were not processed and never will be.
    for (const stream of [...streams.values()]) {
      if (conn.isMine(stream.id) && stream.id > frame.lastGoodStreamId && stream.state === 'opening') {
        streams.close(stream.id, REFUSED_STREAM);
      }
    }
  }

  private onWindowUpdate(frame: WindowUpdateFrame): void {
    switch (this.ctx.flow.peerUpdate(frame.streamId, frame.deltaWindowSize)) {
      case 'applied': return this.accepted(frame);
      case 'ignored': return;
      case 'connection-overflow': return this.refuseSession(frame);
      case 'stream-overflow': return this.refuseStreamFrame(frame.streamId, frame, FLOW_CONTROL_ERROR);
    }
  }

  /** A whole DATA frame, or the first piece of one: its checks and windows are for the whole payload. */
  private onData(frame: DataFrame): void {
    const { flow, streams, conn, cb, session } = this.ctx;
    const length = frame.part ? frame.part.length : frame.data.length;
    this.pieceTaken = false;
    if (!flow.receivedOnConnection(length)) return this.ctx.failSession(GOAWAY_PROTOCOL_ERROR);
    const stream = streams.get(frame.streamId);
    if (!stream || !dataReceivable(stream, conn.isMine(stream.id))) {
      flow.dropped(length);
      // DATA before our stream was answered, or after the peer's FIN, breaks the session.
      if (stream && stream.state !== 'closing') this.ctx.failSession(GOAWAY_PROTOCOL_ERROR);
      return;
    }
    const fin = (frame.flags & DATA_FLAG_FIN) !== 0;
    if (!flow.receivedOnStream(stream, length, fin)) {
      flow.dropped(length);
      this.ctx.outbox.rstStream(stream.id, FLOW_CONTROL_ERROR);
      return;
    }
    cb.onDataChunkRecvCb?.(session, frame.flags, frame.streamId, frame.data);
    if (frame.part && !frame.part.last) {
      this.pieceTaken = true;
      return;
    }
    this.dataEnded(stream, frame.flags, length);
  }

  /**
   * A later piece of a DATA frame. Its bytes were counted against the
   * windows at the first piece; if the stream has gone since (reset by the
   * application, say), they are dropped and the connection window given back.
   */
  private onDataPiece(frame: DataFrame): void {
    const { flow, streams, conn, cb, session } = this.ctx;
    const part = frame.part!;
    const taken = this.pieceTaken;
    if (part.last) this.pieceTaken = false;
    if (!taken) return;
    const stream = streams.get(frame.streamId);
    if (!stream || !dataReceivable(stream, conn.isMine(stream.id))) {
      flow.dropped(frame.data.length);
      return;
    }
    cb.onDataChunkRecvCb?.(session, frame.flags, frame.streamId, frame.data);
    if (part.last) this.dataEnded(stream, frame.flags, part.length);
  }

  /** The whole of a DATA frame has arrived: its callback, and its FIN. */
  private dataEnded(stream: Stream, flags: number, length: number): void {
    const { streams, cb, session } = this.ctx;
    cb.onDataRecvCb?.(session, flags, stream.id, length);
    if (flags & DATA_FLAG_FIN) {
      this.requestReceived(stream);
      stream.shutRead = true;
      streams.closeIfDone(stream);
    }
  }
}
