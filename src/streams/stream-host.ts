/**
 * The host side of each SpdyStream: what a stream asks of its session
 * (answer, push, send headers, resume its body, reset) and the accounting
 * of what the application has read or dropped. Every request goes to the
 * Session through the transport driver's `act`, so none re-enters it from
 * inside a callback. Window updates are the Session's business: we only
 * report consumed bytes (`Session.consume`) and it decides when the peer
 * gets its window back.
 */
import { CTRL_FLAG_FIN, CTRL_FLAG_UNIDIRECTIONAL, GOAWAY_PROTOCOL_ERROR } from '../base/constants.js';
import type { NvInput } from '../codec/nv.js';
import { InvalidArgumentError, StreamClosedError } from '../base/errors.js';
import { bodyOf } from './body-provider.js';
import { deferred } from './deferred.js';
import { startWithBody } from './given-body.js';
import type { ReadGate } from './read-gate.js';
import { StreamController, type PushOptions, type SpdyStream, type StreamHost } from './spdy-stream.js';
import type { StreamRegistry } from './stream-registry.js';
import type { CoreAction, TransportDriver } from './transport-driver.js';

/** The session's settings the host answers by. */
export interface HostOptions {
  readonly side: 'client' | 'server';
  /** We report consumed bytes to the Session (automatic window updates are off and windows apply). */
  readonly manualWindow: boolean;
  /** Unread bytes past which the peer has broken the session (`config.maxSessionBufferedBytes`). */
  readonly maxBuffered: number;
  readonly streamWriteHighWaterMark: number;
}

export class SessionStreamHost implements StreamHost {
  constructor(
    private readonly driver: TransportDriver,
    private readonly registry: StreamRegistry,
    private readonly gate: ReadGate,
    private readonly options: HostOptions,
  ) {}

  /** A new stream hosted here. */
  createStream(origin: StreamController['origin'], priority: number, associatedStreamId: number): StreamController {
    return new StreamController(this, origin, priority, associatedStreamId, this.options.streamWriteHighWaterMark);
  }

  /** A stream whose SYN_STREAM is queued: it resolves with its id once that is sent. */
  startOpening(c: StreamController, endStream: boolean): Promise<SpdyStream> {
    if (endStream) c.shutWrite();
    this.registry.addOpening(c);
    return c.opened.promise;
  }

  resume(c: StreamController): void {
    if (c.id === 0 || c.done) return;
    this.driver.act((core) => {
      core.resumeData(c.id);
    });
  }

  reset(c: StreamController, statusCode: number): void {
    if (c.id === 0 || !this.registry.has(c.id) || this.driver.phase === 'closed') return;
    this.driver.act((core) => {
      if (!this.registry.has(c.id)) return;
      try {
        core.submitRstStream(c.id, statusCode);
      } catch {
        // A status code the Session refuses: the stream still fails here, and no window is involved.
      }
    });
  }

  buffered(_c: StreamController, delta: number): void {
    this.gate.add(delta);
    if (delta > 0 && this.gate.buffered > this.options.maxBuffered) {
      this.driver.act((core) => core.failSession(GOAWAY_PROTOCOL_ERROR));
    }
  }

  consumed(c: StreamController, n: number): void {
    this.gate.openIfRoom();
    this.report(c.id, n);
  }

  /** Bytes dropped unread: the stream is over, so only the SPDY/3.1 connection window is owed them. */
  discarded(_c: StreamController, n: number): void {
    this.gate.openIfRoom();
    this.report(0, n);
  }

  /** Bytes a stream that is over keeps for the application: out of the session's count, the connection window given back. */
  released(_c: StreamController, n: number): void {
    this.gate.add(-n);
    this.report(0, n);
  }

  refusal(c: StreamController): Error | null {
    if (c.origin !== 'remote') return new InvalidArgumentError('only a stream the peer opened can be answered');
    if (c.responded) return new InvalidArgumentError('this stream was answered already');
    if (c.done || this.driver.phase === 'closed') return new StreamClosedError('the stream is closed');
    return null;
  }

  respond(c: StreamController, nv: NvInput, endStream: boolean): Promise<void> {
    const refused = this.refusal(c);
    if (refused) return Promise.reject(refused);
    return this.attempt(c.replySent.promise, (core) => {
      core.submitResponse(c.id, nv as Array<[string, string]>, endStream ? undefined : bodyOf(c));
      c.responded = true;
      if (endStream) c.shutWrite();
    });
  }

  push(parent: StreamController, nv: NvInput, options: PushOptions): Promise<SpdyStream> {
    if (this.options.side !== 'server') return Promise.reject(new InvalidArgumentError('only a server pushes'));
    if (parent.origin !== 'remote') {
      return Promise.reject(new InvalidArgumentError('a push goes under a stream the peer opened'));
    }
    if (parent.done || this.driver.phase !== 'open') return Promise.reject(new StreamClosedError('the stream is closed'));
    const priority = options.priority ?? parent.priority;
    const c = this.createStream('local-push', priority, parent.id);
    const open = (endStream: boolean): Promise<SpdyStream> => {
      const flags = CTRL_FLAG_UNIDIRECTIONAL | (endStream ? CTRL_FLAG_FIN : 0);
      return this.attempt(c.opened.promise, (core) => {
        core.submitSynStream(flags, priority, nv as Array<[string, string]>, parent.id, c);
        c.headers.resolve(nv.map(([k, v]) => [k.toLowerCase(), v] as [string, string]));
        c.inbound.end();
        void this.startOpening(c, endStream);
      });
    };
    return startWithBody(c, options, open);
  }

  sendHeaders(c: StreamController, nv: NvInput, endStream: boolean): Promise<void> {
    if (c.id === 0 || c.done || this.driver.phase === 'closed') {
      return Promise.reject(new StreamClosedError('the stream is closed'));
    }
    const sent = deferred<void>();
    return this.attempt(sent.promise, (core) => {
      core.submitHeaders(endStream ? CTRL_FLAG_FIN : 0, c.id, nv as Array<[string, string]>);
      (c.headerSends ??= []).push(sent);
      if (endStream) c.shutWrite();
    });
  }

  /** Runs `submit` through the driver: `result`, or the rejection of what it threw. */
  private attempt<T>(result: Promise<T>, submit: CoreAction): Promise<T> {
    try {
      this.driver.act(submit);
    } catch (err) {
      return Promise.reject(err);
    }
    return result;
  }

  /** Tells the Session `n` bytes of stream `id` (0: of the connection only) are done with. */
  private report(id: number, n: number): void {
    if (!this.options.manualWindow || this.driver.phase === 'closed') return;
    this.driver.act((core) => core.consume(id, n));
  }
}
