/**
 * Every flow-control window of a session, in one place: what the peer lets
 * us send (on each stream and, in SPDY/3.1, on the connection), what we let
 * the peer send, when we give window back (the half-window rule of
 * `RecvWindow`, for automatic updates, consumed bytes and dropped DATA
 * alike), and the `spdy3Fallback` watch that can drop the connection window.
 * Streams carry their own two windows; only this part moves them.
 */
import {
  DEFAULT_WINDOW_SIZE, MAX_WINDOW_SIZE, PROTO_SPDY2, PROTO_SPDY3_1, type ProtocolVersion, type WireVersion,
} from '../base/constants.js';
import type { ResolvedConfig } from '../base/config.js';
import { InvalidArgumentError } from '../base/errors.js';
import { WindowUpdateFrame } from '../codec/frames.js';
import type { Outbox } from './outbox.js';
import { RecvWindow } from './recv-window.js';
import type { Stream } from './stream.js';
import type { StreamTable } from './stream-table.js';

/** What a WINDOW_UPDATE from the peer did. */
export type PeerUpdateOutcome =
  | 'applied'
  /** SPDY/2, or a stream we do not know (or stream 0 without a connection window): nothing to report. */
  | 'ignored'
  /** It took the connection window past 2^31-1: the session is refused. */
  | 'connection-overflow'
  /** It took a stream window past 2^31-1: the stream is refused. */
  | 'stream-overflow';

export class FlowControl {
  /** SPDY/3 and 3.1 have stream windows; SPDY/2 has no flow control. */
  readonly streamFlow: boolean;
  /** WINDOW_UPDATEs go out by themselves (`config.autoWindowUpdate`, then `setOption`). */
  autoUpdate: boolean;
  /** SPDY/3.1's connection window is in force (until a `spdy3Fallback` drops it). */
  private connFlow: boolean;
  /** The peer has sent a WINDOW_UPDATE for the connection. */
  private connUpdateSeen = false;
  /** Stream window the peer has given back, while it has never updated the connection. */
  private streamUpdatesWithoutConn = 0;
  /** SPDY/3.1: what we may still send on the connection. */
  private connSendWindow = DEFAULT_WINDOW_SIZE;
  /** SPDY/3.1: the connection window we give the peer. */
  private readonly connRecv = new RecvWindow(DEFAULT_WINDOW_SIZE);

  constructor(
    version: ProtocolVersion,
    private readonly wire: WireVersion,
    private readonly config: ResolvedConfig,
    private readonly streams: StreamTable,
    private readonly outbox: Outbox,
  ) {
    this.streamFlow = version !== PROTO_SPDY2;
    this.connFlow = version === PROTO_SPDY3_1;
    this.autoUpdate = config.autoWindowUpdate;
  }

  /** The SPDY/3.1 connection window is counted, both ways. */
  get connectionWindowInForce(): boolean {
    return this.connFlow;
  }

  // ------------------------------------------------------------ sending

  /** We count what we send against the peer's windows. */
  get sendCounted(): boolean {
    return this.streamFlow && this.config.peerFlowControl;
  }

  /** Bytes we may still send on a stream: Infinity when nothing is counted. */
  streamSendWindow(stream: Stream): number {
    return this.sendCounted ? stream.sendWindow : Infinity;
  }

  /** Bytes we may still send on the connection: Infinity without its window. */
  get sessionSendWindow(): number {
    return this.connFlow && this.config.peerFlowControl ? this.connSendWindow : Infinity;
  }

  /** How much DATA the windows let go on `stream` now: 0 when one is spent. */
  sendable(stream: Stream): number {
    if (!this.sendCounted) return Infinity;
    const max = this.connFlow ? Math.min(stream.sendWindow, this.connSendWindow) : stream.sendWindow;
    return Math.max(max, 0);
  }

  /** `n` bytes of DATA are on their way on `stream`. */
  spend(stream: Stream, n: number): void {
    if (!this.sendCounted) return;
    stream.sendWindow -= n;
    if (this.connFlow) this.connSendWindow -= n;
  }

  /** Applies the peer's WINDOW_UPDATE. */
  peerUpdate(streamId: number, delta: number): PeerUpdateOutcome {
    if (!this.streamFlow) return 'ignored';
    // We do not count our sending against windows, so there is nothing to update.
    if (!this.config.peerFlowControl) return 'applied';
    if (streamId === 0) this.connUpdateSeen = true;
    else this.watchForSpdy3Peer(delta);
    if (streamId === 0 && this.connFlow) {
      if (this.connSendWindow > MAX_WINDOW_SIZE - delta) return 'connection-overflow';
      this.connSendWindow += delta;
      if (this.connSendWindow > 0) this.resumeAll();
      return 'applied';
    }
    const stream = this.streams.get(streamId);
    if (!stream) return 'ignored';
    if (stream.sendWindow > MAX_WINDOW_SIZE - delta) return 'stream-overflow';
    stream.sendWindow += delta;
    this.resume(stream);
    return 'applied';
  }

  /** The peer's INITIAL_WINDOW_SIZE moved by `diff`: so does every open stream's window. */
  peerInitialWindowChanged(diff: number): void {
    if (!this.streamFlow || diff === 0) return;
    for (const stream of this.streams.values()) {
      stream.sendWindow += diff;
      this.resume(stream);
    }
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
    this.resumeAll();
  }

  /** DATA that flow control held back goes back in the queue once its windows open. */
  private resume(stream: Stream): void {
    if (stream.sendWindow > 0) this.outbox.resume(stream, 'flow-control');
  }

  private resumeAll(): void {
    for (const stream of this.streams.values()) this.resume(stream);
  }

  // ---------------------------------------------------------- receiving

  /** SPDY/3.1: a `config.sessionWindowSize` above the default is announced by WINDOW_UPDATE. */
  announceSessionWindow(): void {
    const extra = this.config.sessionWindowSize - DEFAULT_WINDOW_SIZE;
    if (!this.connFlow || extra <= 0) return;
    // SPDY/3.1 has no setting for it: the connection window only grows by WINDOW_UPDATE.
    this.connRecv.size = this.config.sessionWindowSize;
    this.giveBack(0, extra);
  }

  /** Our INITIAL_WINDOW_SIZE is now `size`: every open stream's receive window moves with it. */
  localInitialWindowChanged(size: number): void {
    if (!this.streamFlow) return;
    for (const stream of this.streams.values()) stream.recv.resize(size);
  }

  /** Counts DATA against the connection window; false when it overran a window we enforce. */
  receivedOnConnection(length: number): boolean {
    if (!this.connFlow) return true;
    if (!this.connRecv.receive(length) && this.config.peerFlowControl) return false;
    if (this.autoUpdate) this.sendDueUpdate(0, this.connRecv);
    return true;
  }

  /** Counts DATA against a stream's window; false when it overran a window we enforce. */
  receivedOnStream(stream: Stream, length: number, fin: boolean): boolean {
    if (!this.streamFlow) return true;
    if (!stream.recv.receive(length) && this.config.peerFlowControl) return false;
    // A stream's last frame needs no more window.
    if (this.autoUpdate && !fin) this.sendDueUpdate(stream.id, stream.recv);
    return true;
  }

  /**
   * DATA nobody will read still used the SPDY/3.1 connection window. When
   * the application gives windows back itself, the session gives back these.
   */
  dropped(length: number): void {
    if (this.connFlow && !this.autoUpdate) this.release(0, this.connRecv, length);
  }

  /** What `Session.consume` does once its arguments are checked. */
  consume(streamId: number, n: number): void {
    if (this.autoUpdate) throw new InvalidArgumentError('consume needs automatic window updates off');
    if (!this.streamFlow || n === 0) return;
    const stream = streamId === 0 ? undefined : this.streams.get(streamId);
    if (stream && !stream.shutRead && stream.state !== 'closing') this.release(streamId, stream.recv, n);
    if (this.connFlow) this.release(0, this.connRecv, n);
  }

  /** Bytes received on a stream and not yet given back. */
  streamRecvUnacked(stream: Stream): number {
    return stream.recv.unacked;
  }

  /** SPDY/3.1: bytes received on the connection and not yet given back; 0 without its window. */
  get sessionRecvUnacked(): number {
    return this.connFlow ? this.connRecv.unacked : 0;
  }

  /** Queues a WINDOW_UPDATE of `delta` and counts it: the application's, or one the rule called for. */
  giveBack(streamId: number, delta: number): void {
    const window = streamId === 0 ? this.connRecv : this.streams.get(streamId)?.recv;
    window?.ack(delta);
    this.outbox.urgent(new WindowUpdateFrame({ version: this.wire, streamId, deltaWindowSize: delta }));
  }

  private release(streamId: number, window: RecvWindow, n: number): void {
    window.release(n);
    this.sendDueUpdate(streamId, window);
  }

  private sendDueUpdate(streamId: number, window: RecvWindow): void {
    const due = window.takeDue(this.autoUpdate);
    if (due > 0) this.giveBack(streamId, due);
  }
}
