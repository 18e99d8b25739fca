/**
 * One stream's state as the session keeps it: where it is in its life,
 * which directions are shut, its windows, and the streams pushed under it.
 */
import type { OutboundItem } from './outbound-queue.js';
import { RecvWindow } from './recv-window.js';

/**
 * - `initial`: our SYN_STREAM is being written;
 * - `opening`: SYN_STREAM sent or received, no SYN_REPLY yet;
 * - `opened`: SYN_REPLY sent or received;
 * - `closing`: a RST_STREAM of ours is queued; the stream is on its way out.
 */
export type StreamState = 'initial' | 'opening' | 'opened' | 'closing';

/** Why a stream's DATA is parked off the queue. */
export type DeferReason = 'application' | 'flow-control';

/** A read-only view of one stream, for applications and tests. */
export interface StreamInfo {
  readonly streamId: number;
  readonly state: StreamState;
  readonly pri: number;
  /** We will send nothing more (our FIN went out, or the stream is unidirectional). */
  readonly shutWrite: boolean;
  /** The peer will send nothing more. */
  readonly shutRead: boolean;
  /** Bytes we may still send (SPDY/3 and 3.1 with peer flow control; otherwise Infinity). */
  readonly remoteWindowSize: number;
  /** Bytes received and not yet acknowledged by WINDOW_UPDATE. */
  readonly recvUnacked: number;
  /** Streams pushed under this one that are still open. */
  readonly pushedStreamIds: readonly number[];
  /** DATA waiting on `resumeData` or on a WINDOW_UPDATE, if any. */
  readonly deferred: DeferReason | null;
}

export class Stream {
  state: StreamState;
  shutRead = false;
  shutWrite = false;
  /**
   * What we may still send on this stream; may go negative after a SETTINGS
   * change. This window and `recv` are moved by `FlowControl` alone.
   */
  sendWindow: number;
  /** The window we give the peer on this stream. */
  readonly recv: RecvWindow;
  /** Streams pushed under this one and still open (made with the first push: most streams have none). */
  pushed: number[] | null = null;
  deferred: { item: OutboundItem; reason: DeferReason } | null = null;
  /** The server called onRequestRecvCb for this stream already. */
  requestReceived = false;

  constructor(
    readonly id: number,
    readonly pri: number,
    state: StreamState,
    sendWindow: number,
    recvWindow: number,
    public userData: unknown,
    /** The stream this one was pushed under, or 0. */
    readonly assocStreamId: number,
  ) {
    this.state = state;
    this.sendWindow = sendWindow;
    this.recv = new RecvWindow(recvWindow);
  }

  get shutBoth(): boolean {
    return this.shutRead && this.shutWrite;
  }

  info(flowControl: boolean): StreamInfo {
    return {
      streamId: this.id,
      state: this.state,
      pri: this.pri,
      shutWrite: this.shutWrite,
      shutRead: this.shutRead,
      remoteWindowSize: flowControl ? this.sendWindow : Infinity,
      recvUnacked: this.recv.unacked,
      pushedStreamIds: this.pushed ? [...this.pushed] : [],
      deferred: this.deferred?.reason ?? null,
    };
  }
}
