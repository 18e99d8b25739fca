/**
 * The event bridge: the Session's callbacks turned into stream controller
 * events. Frames received become streams, headers, DATA and GOAWAY state;
 * frames sent resolve what waits on them (a stream's id, a reply, a PING's
 * round trip); frames that could not be sent fail it. These run inside the
 * Session: whatever they ask of it goes through the driver's `act`, which
 * holds it until the Session has returned.
 */
import { ReadableStream } from '../base/web-streams.js';
import {
  CLIENT, CTRL_FLAG_FIN, CTRL_FLAG_UNIDIRECTIONAL, DATA_FLAG_FIN, FRAME_TOO_LARGE, GOAWAY, GOAWAY_OK, HEADERS,
  PING, PROTOCOL_ERROR, PROTO_SPDY2, REFUSED_STREAM, SYN_REPLY, SYN_STREAM, type ProtocolVersion, type Side,
} from '../base/constants.js';
import type { ControlFrame } from '../codec/frames.js';
import { frameTypeName } from '../codec/trace.js';
import { SpdyError } from '../base/errors.js';
import type { Session, SessionCallbacks } from '../session/index.js';
import { bodyOf } from './body-provider.js';
import { PingTracker } from './ping-tracker.js';
import { StreamController, type SpdyStream } from './spdy-stream.js';
import type { SessionStreamHost } from './stream-host.js';
import type { StreamRegistry } from './stream-registry.js';
import type { TransportDriver } from './transport-driver.js';

export class EventBridge {
  /** Streams the peer opens or pushes, in the order they arrive. */
  readonly incoming: ReadableStream<SpdyStream>;
  readonly pings: PingTracker;
  private incomingController!: ReadableStreamDefaultController<SpdyStream>;
  private incomingOpen = true;

  constructor(
    private readonly driver: TransportDriver,
    private readonly host: SessionStreamHost,
    private readonly registry: StreamRegistry,
    private readonly version: ProtocolVersion,
    side: Side,
    /** `config.maxHeaderBlockSize`: the bound of the trailers a stream may add up. */
    private readonly maxHeaderBlockSize: number,
  ) {
    this.pings = new PingTracker(side === CLIENT);
    this.incoming = new ReadableStream<SpdyStream>(
      {
        start: (controller) => {
          this.incomingController = controller;
        },
        cancel: () => {
          this.incomingOpen = false;
        },
      },
      { highWaterMark: 0 },
    );
  }

  /** The Session's callbacks that become stream events. */
  callbacks(): SessionCallbacks {
    return {
      beforeCtrlSendCb: (s, frame) => this.beforeCtrlSend(s, frame),
      onCtrlSendCb: (_s, frame) => this.onCtrlSend(frame),
      onCtrlNotSendCb: (_s, frame, code, userData) => this.onCtrlNotSend(frame, code, userData),
      onCtrlRecvCb: (_s, frame) => this.onCtrlRecv(frame),
      onDataChunkRecvCb: (_s, _flags, id, data) => this.registry.get(id)?.inbound.push(data),
      onDataRecvCb: (_s, flags, id) => {
        if (flags & DATA_FLAG_FIN) this.registry.get(id)?.receiveFin();
      },
      onDataSendCb: (_s, flags, id) => {
        const outbound = this.registry.get(id)?.outbound;
        const sent = outbound?.dataSent();
        if (sent) this.driver.whenWritten(sent);
        if (flags & DATA_FLAG_FIN) outbound?.finSent();
      },
      onStreamCloseCb: (_s, id, statusCode) => this.onStreamClose(id, statusCode),
    };
  }

  /** The session ended: `incoming` ends too, in error unless `error` is null. */
  end(error: unknown): void {
    try {
      if (error) this.incomingController.error(error);
      else this.incomingController.close();
    } catch {
      // Already closed or cancelled by the application: it has nothing left to learn.
    }
  }

  private onCtrlRecv(frame: ControlFrame): void {
    switch (frame.frameType) {
      case SYN_STREAM: {
        const origin = frame.assocStreamId !== 0 ? 'remote-push' : 'remote';
        const c = this.host.createStream(origin, frame.pri, frame.assocStreamId);
        c.id = frame.streamId;
        this.registry.add(c);
        c.receiveHeaders(frame.nv);
        if (frame.flags & CTRL_FLAG_FIN) c.receiveFin();
        if (frame.flags & CTRL_FLAG_UNIDIRECTIONAL || origin === 'remote-push') c.shutWrite();
        if (!this.incomingOpen || this.driver.phase === 'closed') {
          c.reset(REFUSED_STREAM);
          return;
        }
        this.incomingController.enqueue(c.stream);
        return;
      }
      case SYN_REPLY: {
        const c = this.registry.get(frame.streamId);
        if (!c) return;
        c.receiveHeaders(frame.nv);
        if (frame.flags & CTRL_FLAG_FIN) c.receiveFin();
        return;
      }
      case HEADERS: {
        const c = this.registry.get(frame.streamId);
        if (!c) return;
        c.receiveHeaders(frame.nv);
        // Every HEADERS frame is bounded; the trailers they add up to must be too.
        if (c.extraHeaderBytes > this.maxHeaderBlockSize) {
          c.reset(this.version === PROTO_SPDY2 ? PROTOCOL_ERROR : FRAME_TOO_LARGE);
          return;
        }
        if (frame.flags & CTRL_FLAG_FIN) c.receiveFin();
        return;
      }
      case PING:
        this.pings.received(frame.uniqueId);
        return;
      case GOAWAY:
        this.driver.notePeerGoaway(frame.statusCode ?? GOAWAY_OK);
        return;
      default:
        return;
    }
  }

  private onStreamClose(id: number, statusCode: number): void {
    const c = this.registry.get(id);
    if (!c) return;
    c.close(statusCode);
    this.registry.remove(c);
  }

  /** Our SYN_STREAM is going out: the stream has its id now. */
  private beforeCtrlSend(s: Session, frame: ControlFrame): void {
    if (frame.frameType !== SYN_STREAM) return;
    const c = s.getStreamUserData(frame.streamId);
    if (!(c instanceof StreamController) || c.id !== 0) return;
    c.id = frame.streamId;
    this.registry.add(c);
    if (c.origin === 'local-push' && !c.outbound.finished) {
      // A pushed stream's DATA can be submitted only once it has an id.
      this.driver.act((core) => {
        if (!c.done) core.submitData(c.id, DATA_FLAG_FIN, bodyOf(c));
      });
    }
    c.openedNow();
  }

  private onCtrlSend(frame: ControlFrame): void {
    switch (frame.frameType) {
      case SYN_REPLY:
        this.registry.get(frame.streamId)?.replyDone();
        return;
      case HEADERS:
        this.registry.get(frame.streamId)?.headerSends?.shift()?.resolve();
        return;
      case PING:
        this.pings.sent(frame.uniqueId);
        return;
      default:
        return;
    }
  }

  private onCtrlNotSend(frame: ControlFrame, code: number, userData: unknown): void {
    const err = new SpdyError(`${frameTypeName(frame.frameType)} could not be sent (error ${code})`, { code });
    switch (frame.frameType) {
      case SYN_STREAM:
        if (userData instanceof StreamController) {
          userData.fail(err);
          this.registry.remove(userData);
        }
        return;
      case SYN_REPLY:
        this.registry.get(frame.streamId)?.replyDone(err);
        return;
      case HEADERS:
        this.registry.get(frame.streamId)?.headerSends?.shift()?.reject(err);
        return;
      case PING:
        this.pings.notSent(frame.uniqueId, err);
        return;
      default:
        return;
    }
  }
}
