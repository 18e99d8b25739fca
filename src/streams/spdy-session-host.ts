/**
 * The host side of each SpdyStream: what a stream asks of its session
 * (answer, push, send headers, resume its body, reset) and the accounting
 * of what the application has read, which gives the peer its window back.
 */
import { CTRL_FLAG_FIN, CTRL_FLAG_UNIDIRECTIONAL, GOAWAY_PROTOCOL_ERROR, PROTO_SPDY3_1 } from '../base/constants.js';
import type { NvInput } from '../codec/nv.js';
import { InvalidArgumentError, StreamClosedError } from '../base/errors.js';
import { deferred } from './deferred.js';
import { SpdySessionEvents } from './spdy-session-events.js';
import { bodyOf } from './spdy-session-state.js';
import { StreamController, type PushOptions, type SpdyStream, type StreamHost } from './spdy-stream.js';

/** SpdySession as its streams' host, over the Session's callbacks. */
export abstract class SpdySessionHost extends SpdySessionEvents {
  protected makeHost(): StreamHost {
    return {
      resume: (c) => {
        if (c.id === 0 || c.done) return;
        this.core.resumeData(c.id);
        this.flush();
      },
      reset: (c, statusCode) => {
        if (c.id === 0 || !this.streams.has(c.id) || this.state === 'closed') return;
        try {
          this.core.submitRstStream(c.id, statusCode);
        } catch {
          return;
        }
        this.flush();
      },
      buffered: (_c, delta) => {
        this.buffered += delta;
        if (delta < 0) this.openGate();
        // Runs inside the Session's receive path, which sends the GOAWAY once it returns.
        else if (this.buffered > this.config.maxSessionBufferedBytes) this.core.failSession(GOAWAY_PROTOCOL_ERROR);
      },
      consumed: (c, n) => this.giveBack(c, n),
      discarded: (_c, n) => this.giveBack(null, n),
      respond: (c, nv, endStream) => this.respond(c, nv, endStream),
      push: (c, nv, options) => this.push(c, nv, options),
      sendHeaders: (c, nv, endStream) => this.sendHeaders(c, nv, endStream),
    };
  }

  protected respond(c: StreamController, nv: NvInput, endStream: boolean): Promise<void> {
    if (c.origin !== 'remote') {
      return Promise.reject(new InvalidArgumentError('only a stream the peer opened can be answered'));
    }
    if (c.responded) return Promise.reject(new InvalidArgumentError('this stream was answered already'));
    if (c.done || this.state === 'closed') return Promise.reject(new StreamClosedError('the stream is closed'));
    try {
      this.core.submitResponse(c.id, nv as Array<[string, string]>, endStream ? undefined : bodyOf(c));
    } catch (err) {
      return Promise.reject(err);
    }
    c.responded = true;
    if (endStream) c.shutWrite();
    this.flush();
    return c.replySent.promise;
  }

  protected push(parent: StreamController, nv: NvInput, options: PushOptions): Promise<SpdyStream> {
    if (this.side !== 'server') return Promise.reject(new InvalidArgumentError('only a server pushes'));
    if (parent.origin !== 'remote') {
      return Promise.reject(new InvalidArgumentError('a push goes under a stream the peer opened'));
    }
    if (parent.done || this.state !== 'open') return Promise.reject(new StreamClosedError('the stream is closed'));
    const priority = options.priority ?? parent.priority;
    const c = new StreamController(this.host, 'local-push', priority, parent.id, this.streamWriteHighWaterMark);
    const flags = CTRL_FLAG_UNIDIRECTIONAL | (options.endStream ? CTRL_FLAG_FIN : 0);
    try {
      this.core.submitSynStream(flags, priority, nv as Array<[string, string]>, parent.id, c);
    } catch (err) {
      return Promise.reject(err);
    }
    c.headers.resolve(nv.map(([k, v]) => [k.toLowerCase(), v] as [string, string]));
    c.inbound.end();
    return this.startOpening(c, options.endStream ?? false);
  }

  /** A stream whose SYN_STREAM is queued: it resolves with its id once that is sent. */
  protected startOpening(c: StreamController, endStream: boolean): Promise<SpdyStream> {
    if (endStream) c.shutWrite();
    this.opening.add(c);
    this.flush();
    return c.opened.promise;
  }

  protected sendHeaders(c: StreamController, nv: NvInput, endStream: boolean): Promise<void> {
    if (c.id === 0 || c.done || this.state === 'closed') {
      return Promise.reject(new StreamClosedError('the stream is closed'));
    }
    try {
      this.core.submitHeaders(endStream ? CTRL_FLAG_FIN : 0, c.id, nv as Array<[string, string]>);
    } catch (err) {
      return Promise.reject(err);
    }
    const sent = deferred<void>();
    c.headerSends.push(sent);
    if (endStream) c.shutWrite();
    this.flush();
    return sent.promise;
  }

  /**
   * The application took `n` bytes of `c` (or they were dropped, `c` null):
   * once half a window is owed, give it back to the peer.
   */
  protected giveBack(c: StreamController | null, n: number): void {
    if (this.buffered <= this.readLimit) this.openGate();
    if (!this.manualWindow || this.state === 'closed') return;
    let due = false;
    if (c && !c.done && !c.inbound.finished) {
      c.recvUnacked += n;
      if (c.recvUnacked >= this.config.initialWindowSize / 2) {
        const delta = c.recvUnacked;
        c.recvUnacked = 0;
        due = this.submitWindowUpdate(c.id, delta) || due;
      }
    }
    if (this.version === PROTO_SPDY3_1) {
      this.sessionUnacked += n;
      if (this.sessionUnacked >= this.config.sessionWindowSize / 2) {
        const delta = this.sessionUnacked;
        this.sessionUnacked = 0;
        due = this.submitWindowUpdate(0, delta) || due;
      }
    }
    if (due) this.flush();
  }

  protected submitWindowUpdate(id: number, delta: number): boolean {
    try {
      this.core.submitWindowUpdate(id, delta);
      return true;
    } catch {
      // The stream closed meanwhile: nothing is owed on it any more.
      return false;
    }
  }

  protected openGate(): void {
    if (this.readGate && this.buffered <= this.readLimit) {
      this.readGate.resolve();
      this.readGate = null;
    }
  }
}
