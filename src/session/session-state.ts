/**
 * What a Session knows, and the queueing that every part of it shares.
 *
 * `Session` is built in layers, one concern each, so that the parts share
 * one object (and its state) without exposing it: this state, then the send
 * path (`send.ts`), then the receive path (`receive.ts`), then the public
 * API (`session.ts`). Only `Session` is exported from the package.
 */
import {
  CLIENT, DEFAULT_WINDOW_SIZE, GOAWAY_PROTOCOL_ERROR, MAX_STREAM_ID, PROTO_SPDY2, PROTO_SPDY3_1, SERVER,
  SETTINGS_INITIAL_WINDOW_SIZE, SETTINGS_MAX, SETTINGS_MAX_CONCURRENT_STREAMS,
  wireVersion, type ProtocolVersion, type Side, type WireVersion,
} from '../base/constants.js';
import { RstStreamFrame, WindowUpdateFrame, type ControlFrame } from '../codec/frames.js';
import type { FrameDecoder } from '../codec/frame-decoder.js';
import { FrameEncoder, type CodecOptions } from '../codec/frame-encoder.js';
import { checkVersion } from '../codec/version.js';
import { resolveConfig, type ResolvedConfig } from '../base/config.js';
import { InvalidArgumentError } from '../base/errors.js';
import { CALLBACK_NAMES, type SessionCallbacks, type SessionOptions } from './callbacks.js';
import type { AnyDataProvider } from './data-provider.js';
import { OutboundQueue, URGENT_PRI, type OutboundItem } from './outbound-queue.js';
import { PeerLimits } from './limits.js';
import { RecvWindow } from './recv-window.js';
import type { Session } from './session.js';
import type { Stream, StreamState } from './stream.js';
import { StreamTable } from './stream-table.js';

/**
 * The frame being written: its bytes, how far `sendCb` got, and for DATA its
 * flags. DATA for `sendDataCb` keeps its header apart in `head`, `bytes`
 * being the payload as the read callback gave it.
 */
export interface ActiveFrame {
  readonly item: OutboundItem;
  readonly head: Uint8Array | null;
  readonly bytes: Uint8Array;
  offset: number;
  readonly dataFlags: number;
}

/** The state of a Session, and the helpers that queue frames and open streams. */
export abstract class SessionState {
  /** CLIENT or SERVER. */
  readonly side: Side;
  /** PROTO_SPDY2, PROTO_SPDY3 or PROTO_SPDY3_1. */
  readonly version: ProtocolVersion;
  /** The resolved limits and switches. */
  readonly config: ResolvedConfig;
  /** `config.autoWindowUpdate`, switchable later with `setOption`. */
  protected autoUpdate: boolean;
  protected readonly wire: WireVersion;
  protected readonly cb: SessionCallbacks;
  protected readonly user: unknown;
  protected readonly encoder: FrameEncoder;
  /**
   * Made at the first `recv()`: a Session fed decoded frames (`recvFrame`, as
   * the streams layer does) needs no decoder of its own.
   */
  protected decoder: FrameDecoder | null = null;
  protected readonly codecOptions: CodecOptions;
  protected readonly streamFlow: boolean;
  /** SPDY/3.1's connection window is in force (until a `spdy3Fallback` drops it). */
  protected connFlow: boolean;
  /** The peer has sent a WINDOW_UPDATE for the connection. */
  protected connUpdateSeen = false;
  /** Stream window the peer has given back, while it has never updated the connection. */
  protected streamUpdatesWithoutConn = 0;

  protected readonly streams: StreamTable;
  protected readonly limits: PeerLimits;
  protected readonly queue = new OutboundQueue();
  protected active: ActiveFrame | null = null;
  protected readonly localSettings: number[] = new Array<number>(SETTINGS_MAX + 1).fill(0);
  protected readonly remoteSettings: number[] = new Array<number>(SETTINGS_MAX + 1).fill(0);
  protected nextStreamId: number;
  protected nextPingId: number;
  protected lastPingId = 0;
  protected lastRecvStreamId = 0;
  protected peerLastGoodStreamId: number | null = null;
  protected goawaySent = false;
  protected goawayRecv = false;
  protected failOnSend = false;
  /** The status `failSession` was given, whether its GOAWAY went out or not. */
  protected failStatus: number | null = null;
  protected inputBroken = false;
  /** SPDY/3.1: what we may still send on the connection. */
  protected connSendWindow = DEFAULT_WINDOW_SIZE;
  /** SPDY/3.1: the connection window we give the peer. */
  protected readonly connRecv = new RecvWindow(DEFAULT_WINDOW_SIZE);

  constructor(side: Side, version: ProtocolVersion, options: SessionOptions) {
    if (side !== CLIENT && side !== SERVER) throw new InvalidArgumentError('side must be CLIENT or SERVER');
    this.version = checkVersion(version);
    this.side = side;
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options must be an object');
    for (const name of CALLBACK_NAMES) {
      const fn = options[name];
      if (fn !== undefined && fn !== null && typeof fn !== 'function') {
        throw new InvalidArgumentError(`${name} must be a function`);
      }
    }
    this.config = resolveConfig(options.config, side);
    this.limits = new PeerLimits(this.config, side);
    this.autoUpdate = this.config.autoWindowUpdate;
    this.cb = options;
    this.streams = new StreamTable((id) => this.isMyStreamId(id), (id, status) => this.cb.onStreamCloseCb?.(this.self, id, status));
    this.user = options.userData;
    this.wire = wireVersion(this.version);
    this.streamFlow = this.version !== PROTO_SPDY2;
    this.connFlow = this.version === PROTO_SPDY3_1;
    this.codecOptions = { version: this.version, side, config: options.config ?? {} };
    this.encoder = new FrameEncoder(this.codecOptions);
    this.nextStreamId = side === CLIENT ? 1 : 2;
    this.nextPingId = side === CLIENT ? 1 : 2;
    this.remoteSettings[SETTINGS_MAX_CONCURRENT_STREAMS] = MAX_STREAM_ID;
    this.remoteSettings[SETTINGS_INITIAL_WINDOW_SIZE] = DEFAULT_WINDOW_SIZE;
    this.localSettings[SETTINGS_MAX_CONCURRENT_STREAMS] = MAX_STREAM_ID;
    this.localSettings[SETTINGS_INITIAL_WINDOW_SIZE] = DEFAULT_WINDOW_SIZE;
  }

  /** The Session itself: callbacks are given it as their first argument. */
  protected abstract readonly self: Session;

  // Public methods of Session that the layers call.
  protected abstract isMyStreamId(streamId: number): boolean;
  protected abstract getPriLowest(): number;
  protected abstract submitData(streamId: number, flags: number, dataPrd: AnyDataProvider): void;
  protected abstract failSession(statusCode: number): void;

  protected get sendFlowControlled(): boolean {
    return this.streamFlow && this.config.peerFlowControl;
  }

  protected mayOpenStream(): boolean {
    return this.streams.outgoing < this.remoteSettings[SETTINGS_MAX_CONCURRENT_STREAMS]!;
  }

  protected enqueue(item: OutboundItem): void {
    this.queue.push(this.queue.stamp(item));
  }

  protected addUrgent(frame: ControlFrame): void {
    this.enqueue({ kind: 'ctrl', frame, pri: URGENT_PRI, seq: 0 });
  }

  protected addRstStream(streamId: number, statusCode: number): RstStreamFrame {
    const stream = this.streams.get(streamId);
    if (stream) stream.state = 'closing';
    const frame = new RstStreamFrame({ version: this.wire, streamId, statusCode });
    this.enqueue({ kind: 'ctrl', frame, pri: this.streamPri(streamId), seq: 0 });
    return frame;
  }

  /** Queues an answer the peer's frame calls for; a peer that makes us owe too many is given up. */
  protected addReply(frame: ControlFrame): void {
    if (!this.limits.replyQueued(frame)) this.failSession(GOAWAY_PROTOCOL_ERROR);
  }

  protected queueWindowUpdate(streamId: number, delta: number): void {
    const window = streamId === 0 ? this.connRecv : this.streams.get(streamId)?.recv;
    window?.ack(delta);
    this.addUrgent(new WindowUpdateFrame({ version: this.wire, streamId, deltaWindowSize: delta }));
  }

  /** Queues the WINDOW_UPDATE the half-window rule calls for on a window, if any. */
  protected sendDueUpdate(streamId: number, window: RecvWindow): void {
    const due = window.takeDue(this.autoUpdate);
    if (due > 0) this.queueWindowUpdate(streamId, due);
  }

  /** Bytes of a window the application or the session is done with: given back once half a window is. */
  protected releaseWindow(streamId: number, window: RecvWindow, n: number): void {
    window.release(n);
    this.sendDueUpdate(streamId, window);
  }

  protected streamPri(streamId: number): number {
    return this.streams.get(streamId)?.pri ?? this.getPriLowest();
  }

  protected openStream(id: number, pri: number, state: StreamState, userData: unknown, assocStreamId: number): Stream {
    return this.streams.open(
      id, pri, state, this.remoteSettings[SETTINGS_INITIAL_WINDOW_SIZE]!,
      this.localSettings[SETTINGS_INITIAL_WINDOW_SIZE]!, userData, assocStreamId,
    );
  }

  /** DATA that flow control held back goes back in the queue once its windows open. */
  protected requeueFlowDeferred(stream: Stream): void {
    if (stream.deferred?.reason !== 'flow-control' || stream.sendWindow <= 0) return;
    const { item } = stream.deferred;
    stream.deferred = null;
    this.queue.push(item);
  }
}
