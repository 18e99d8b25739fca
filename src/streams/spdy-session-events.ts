/**
 * The Session's callbacks, as a SpdySession answers them: frames received
 * become streams, headers and GOAWAY state; frames sent resolve what waits
 * on them (a stream's id, a reply, a PING's round trip); frames that could
 * not be sent fail it.
 */
import {
  CLIENT, CTRL_FLAG_FIN, CTRL_FLAG_UNIDIRECTIONAL, DATA_FLAG_FIN, FRAME_TOO_LARGE, GOAWAY, GOAWAY_OK, HEADERS,
  PING, PROTOCOL_ERROR, PROTO_SPDY2, REFUSED_STREAM, SYN_REPLY, SYN_STREAM,
} from '../base/constants.js';
import type { ControlFrame } from '../codec/frames.js';
import { frameTypeName } from '../codec/trace.js';
import { SpdyError } from '../base/errors.js';
import type { SessionCallbacks } from '../session/index.js';
import { SpdySessionPumps } from './spdy-session-pumps.js';
import { bodyOf } from './spdy-session-state.js';
import { StreamController } from './spdy-stream.js';

/** SpdySession's answers to the Session's callbacks, over its pumps. */
export abstract class SpdySessionEvents extends SpdySessionPumps {
  protected coreCallbacks(): SessionCallbacks {
    return {
      sendCb: (_s, data) => this.onSend(data),
      sendDataCb: (_s, head, payload) => this.onSendData(head, payload),
      beforeCtrlSendCb: (_s, frame) => this.beforeCtrlSend(frame),
      onCtrlSendCb: (_s, frame) => this.onCtrlSend(frame),
      onCtrlNotSendCb: (_s, frame, code, userData) => this.onCtrlNotSend(frame, code, userData),
      onCtrlRecvCb: (_s, frame) => this.onCtrlRecv(frame),
      onDataChunkRecvCb: (_s, _flags, id, data) => this.streams.get(id)?.inbound.push(data),
      onDataRecvCb: (_s, flags, id) => {
        if (flags & DATA_FLAG_FIN) this.streams.get(id)?.receiveFin();
      },
      onDataSendCb: (_s, flags, id) => {
        const outbound = this.streams.get(id)?.outbound;
        outbound?.dataSent();
        if (flags & DATA_FLAG_FIN) outbound?.finSent();
      },
      onStreamCloseCb: (_s, id, statusCode) => this.onStreamClose(id, statusCode),
    };
  }

  protected onCtrlRecv(frame: ControlFrame): void {
    switch (frame.frameType) {
      case SYN_STREAM: {
        const origin = frame.assocStreamId !== 0 ? 'remote-push' : 'remote';
        const c = new StreamController(this.host, origin, frame.pri, frame.assocStreamId, this.streamWriteHighWaterMark);
        c.id = frame.streamId;
        this.streams.set(c.id, c);
        c.receiveHeaders(frame.nv);
        if (frame.flags & CTRL_FLAG_FIN) c.receiveFin();
        if (frame.flags & CTRL_FLAG_UNIDIRECTIONAL || origin === 'remote-push') c.shutWrite();
        if (!this.incomingOpen || this.state === 'closed') {
          c.reset(REFUSED_STREAM);
          return;
        }
        this.incomingController.enqueue(c.stream);
        return;
      }
      case SYN_REPLY: {
        const c = this.streams.get(frame.streamId);
        if (!c) return;
        c.receiveHeaders(frame.nv);
        if (frame.flags & CTRL_FLAG_FIN) c.receiveFin();
        return;
      }
      case HEADERS: {
        const c = this.streams.get(frame.streamId);
        if (!c) return;
        c.receiveHeaders(frame.nv);
        // Every HEADERS frame is bounded; the trailers they add up to must be too.
        if (c.extraHeaderBytes > this.config.maxHeaderBlockSize) {
          c.reset(this.version === PROTO_SPDY2 ? PROTOCOL_ERROR : FRAME_TOO_LARGE);
          return;
        }
        if (frame.flags & CTRL_FLAG_FIN) c.receiveFin();
        return;
      }
      case PING: {
        const ping = this.pingsInFlight.get(frame.uniqueId);
        if (ping && this.isOurPing(frame.uniqueId)) {
          this.pingsInFlight.delete(frame.uniqueId);
          ping.done.resolve(performance.now() - ping.sentAt);
        }
        return;
      }
      case GOAWAY:
        this.goawayStatus = frame.statusCode ?? GOAWAY_OK;
        return;
      default:
        return;
    }
  }

  protected isOurPing(uniqueId: number): boolean {
    return (uniqueId & 1) === (this.coreSide === CLIENT ? 1 : 0);
  }

  protected onStreamClose(id: number, statusCode: number): void {
    const c = this.streams.get(id);
    if (!c) return;
    this.streams.delete(id);
    c.close(statusCode);
    this.runIfIdle();
  }

  /** Runs what waits for no stream to be open or opening (a draining close). */
  protected runIfIdle(): void {
    if (this.streams.size === 0 && this.opening.size === 0) for (const run of this.idleWaiters.splice(0)) run();
  }

  protected beforeCtrlSend(frame: ControlFrame): void {
    if (frame.frameType !== SYN_STREAM) return;
    const c = this.core.getStreamUserData(frame.streamId);
    if (!(c instanceof StreamController) || c.id !== 0) return;
    c.id = frame.streamId;
    this.opening.delete(c);
    this.streams.set(c.id, c);
    if (c.origin === 'local-push' && !c.outbound.finished) {
      this.afterSend.push(() => {
        if (!c.done) this.core.submitData(c.id, DATA_FLAG_FIN, bodyOf(c));
      });
    }
    c.opened.resolve(c.stream);
  }

  protected onCtrlSend(frame: ControlFrame): void {
    switch (frame.frameType) {
      case SYN_REPLY:
        this.streams.get(frame.streamId)?.replySent.resolve();
        return;
      case HEADERS:
        this.streams.get(frame.streamId)?.headerSends.shift()?.resolve();
        return;
      case PING:
        if (this.isOurPing(frame.uniqueId)) {
          const done = this.pingWaiters.shift();
          if (done) this.pingsInFlight.set(frame.uniqueId, { sentAt: performance.now(), done });
        }
        return;
      default:
        return;
    }
  }

  protected onCtrlNotSend(frame: ControlFrame, code: number, userData: unknown): void {
    const err = new SpdyError(`${frameTypeName(frame.frameType)} could not be sent (error ${code})`, { code });
    switch (frame.frameType) {
      case SYN_STREAM:
        if (userData instanceof StreamController) {
          this.opening.delete(userData);
          userData.fail(err);
          this.runIfIdle();
        }
        return;
      case SYN_REPLY:
        this.streams.get(frame.streamId)?.replySent.reject(err);
        return;
      case HEADERS:
        this.streams.get(frame.streamId)?.headerSends.shift()?.reject(err);
        return;
      case PING:
        if (this.isOurPing(frame.uniqueId)) this.pingWaiters.shift()?.reject(err);
        return;
      default:
        return;
    }
  }
}
