/**
 * spdylay's Session as a sans-IO state machine: the application submits
 * frames and feeds received bytes; the session orders, checks and answers,
 * calling back synchronously. No I/O, no timers, no Node APIs.
 */
import {
  CLIENT, CTRL_FLAG_FIN, OPT_NO_AUTO_WINDOW_UPDATE, CTRL_FLAG_UNIDIRECTIONAL, DATA, DATA_FLAG_FIN, DEFAULT_WINDOW_SIZE,
  ERR_DEFERRED, ERR_FRAME_TOO_LARGE, ERR_GOAWAY_ALREADY_SENT, ERR_STREAM_CLOSED, ERR_STREAM_CLOSING,
  ERR_STREAM_ID_NOT_AVAILABLE, ERR_SYN_STREAM_NOT_ALLOWED, FLAG_SETTINGS_NONE,
  FLOW_CONTROL_ERROR, GOAWAY, GOAWAY_INTERNAL_ERROR, GOAWAY_PROTOCOL_ERROR, HEADERS, INTERNAL_ERROR,
  INVALID_STREAM, MAX_STREAM_ID, MAX_WINDOW_SIZE, OK, PING, PROTOCOL_ERROR, PROTO_SPDY2, PROTO_SPDY3_1,
  READ_EOF, REFUSED_STREAM, RST_STREAM, SERVER, SETTINGS, SETTINGS_INITIAL_WINDOW_SIZE,
  SETTINGS_MAX, SETTINGS_MAX_CONCURRENT_STREAMS, STREAM_IN_USE, SYN_REPLY, SYN_STREAM,
  UNSUPPORTED_VERSION, WINDOW_UPDATE, wireVersion, type ProtocolVersion, type Side, type WireVersion,
} from '../codec/constants.js';
import {
  GoawayFrame, HeadersFrame, PingFrame, RstStreamFrame, SettingsFrame, SynReplyFrame, SynStreamFrame,
  WindowUpdateFrame, type ControlFrame, type DataFrame, type SettingsEntry,
} from '../codec/frames.js';
import { FrameDecoder, InvalidFrame, UnknownFrame, type DecodedFrame } from '../codec/frame-decoder.js';
import { FrameEncoder, writeDataHead } from '../codec/frame-encoder.js';
import { checkVersion } from '../codec/version.js';
import { resolveConfig, type ResolvedConfig } from '../config.js';
import {
  CallbackFailureError, FrameError, InvalidArgumentError, SpdyError, StreamClosedError,
  TemporalCallbackFailureError,
} from '../errors.js';
import { CALLBACK_NAMES, type SessionCallbacks, type SessionOptions } from './callbacks.js';
import type { AnyDataProvider, ReadCtrl } from './data-provider.js';
import {
  OutboundQueue, URGENT_PRI, type CtrlItem, type DataItem, type OutboundItem,
} from './outbound-queue.js';
import { PeerLimits } from './limits.js';
import { RecvWindow } from './recv-window.js';
import type { Stream, StreamInfo, StreamState } from './stream.js';
import { dataBlocked, dataReceivable, headersBlocked, synReplyBlocked } from './stream-rules.js';
import { StreamTable } from './stream-table.js';
import {
  checkDelta, checkFlags, checkPri, checkSettings, checkStatusCode, checkStreamId, normalizeNv,
} from './submit-checks.js';

/** Bytes asked of `recvCb` at a time. */
const RECV_CHUNK = 16384;
const HEAD = 8;
const EMPTY = new Uint8Array(0);

/**
 * The frame being written: its bytes, how far `sendCb` got, and for DATA its
 * flags. DATA for `sendDataCb` keeps its header apart in `head`, `bytes`
 * being the payload as the read callback gave it.
 */
interface ActiveFrame {
  readonly item: OutboundItem;
  readonly head: Uint8Array | null;
  readonly bytes: Uint8Array;
  offset: number;
  readonly dataFlags: number;
}

/** What preparing a queued item gave: bytes to write, a reason it cannot go, or nothing yet. */
type Prepared = { head: Uint8Array | null; bytes: Uint8Array; dataFlags: number } | { error: number } | 'parked';

/**
 * A SPDY/2, SPDY/3 or SPDY/3.1 session, client or server, with spdylay's
 * semantics. Everything runs synchronously: `send()` writes through
 * `sendCb`, `recv()` reads through `recvCb` (or takes the bytes given), and
 * the callbacks run inside those calls. An exception thrown by a callback
 * (other than the documented ones) leaves the call and the session should
 * then be dropped.
 *
 * Choices where spdylay leaves room:
 * - On creation the session queues our SETTINGS: MAX_CONCURRENT_STREAMS from
 *   `config.maxConcurrentStreams`, and INITIAL_WINDOW_SIZE when
 *   `config.initialWindowSize` is not 64 KiB (in SPDY/2, which has no flow
 *   control, INITIAL_WINDOW_SIZE 2^31-1, so that peers which count windows
 *   anyway never stall). In SPDY/3.1 a `config.sessionWindowSize` above
 *   64 KiB is announced by a WINDOW_UPDATE on stream 0. They go out first on
 *   the first `send()`; the application need not send SETTINGS itself.
 * - A SYN_STREAM gets its stream id when it is written, so ids follow the
 *   order frames leave in (by priority); read it in `beforeCtrlSendCb`. A
 *   SYN_STREAM that can no longer be sent has no id: `onCtrlNotSendCb` gets
 *   its `streamUserData` as a fourth argument instead.
 * - A received GOAWAY closes our streams that are past its last-good-stream-id
 *   and were never answered, with REFUSED_STREAM: the peer will not process them.
 * - The peer is held to our receive windows (RST_STREAM FLOW_CONTROL_ERROR,
 *   or GOAWAY for the SPDY/3.1 connection window) unless `config.peerFlowControl`
 *   is false.
 */
export class Session {
  /** CLIENT or SERVER. */
  readonly side: Side;
  /** PROTO_SPDY2, PROTO_SPDY3 or PROTO_SPDY3_1. */
  readonly version: ProtocolVersion;
  /** The resolved limits and switches. */
  readonly config: ResolvedConfig;
  /** `config.autoWindowUpdate`, switchable later with `setOption`. */
  private autoUpdate: boolean;
  private readonly wire: WireVersion;
  private readonly cb: SessionCallbacks;
  private readonly user: unknown;
  private readonly encoder: FrameEncoder;
  private readonly decoder: FrameDecoder;
  private readonly streamFlow: boolean;
  private readonly connFlow: boolean;

  private readonly streams: StreamTable;
  private readonly limits: PeerLimits;
  private readonly queue = new OutboundQueue();
  private active: ActiveFrame | null = null;
  private readonly localSettings: number[] = new Array<number>(SETTINGS_MAX + 1).fill(0);
  private readonly remoteSettings: number[] = new Array<number>(SETTINGS_MAX + 1).fill(0);
  private nextStreamId: number;
  private nextPingId: number;
  private lastPingId = 0;
  private lastRecvStreamId = 0;
  private peerLastGoodStreamId: number | null = null;
  private goawaySent = false;
  private goawayRecv = false;
  private failOnSend = false;
  private inputBroken = false;
  /** SPDY/3.1: what we may still send on the connection. */
  private connSendWindow = DEFAULT_WINDOW_SIZE;
  /** SPDY/3.1: the connection window we give the peer. */
  private readonly connRecv = new RecvWindow(DEFAULT_WINDOW_SIZE);

  constructor(side: Side, version: ProtocolVersion, options: SessionOptions = {}) {
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
    this.streams = new StreamTable((id) => this.isMyStreamId(id), (id, status) => this.cb.onStreamCloseCb?.(this, id, status));
    this.user = options.userData;
    this.wire = wireVersion(this.version);
    this.streamFlow = this.version !== PROTO_SPDY2;
    this.connFlow = this.version === PROTO_SPDY3_1;
    const codec = { version: this.version, side, config: options.config ?? {} };
    this.encoder = new FrameEncoder(codec);
    this.decoder = new FrameDecoder(codec);
    this.nextStreamId = side === CLIENT ? 1 : 2;
    this.nextPingId = side === CLIENT ? 1 : 2;
    this.remoteSettings[SETTINGS_MAX_CONCURRENT_STREAMS] = MAX_STREAM_ID;
    this.remoteSettings[SETTINGS_INITIAL_WINDOW_SIZE] = DEFAULT_WINDOW_SIZE;
    this.localSettings[SETTINGS_MAX_CONCURRENT_STREAMS] = MAX_STREAM_ID;
    this.localSettings[SETTINGS_INITIAL_WINDOW_SIZE] = DEFAULT_WINDOW_SIZE;
    this.advertiseConfig();
  }

  private advertiseConfig(): void {
    const iv: SettingsEntry[] = [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, this.config.maxConcurrentStreams]];
    if (!this.streamFlow) iv.push([SETTINGS_INITIAL_WINDOW_SIZE, 0, MAX_WINDOW_SIZE]);
    else if (this.config.initialWindowSize !== DEFAULT_WINDOW_SIZE) {
      iv.push([SETTINGS_INITIAL_WINDOW_SIZE, 0, this.config.initialWindowSize]);
    }
    this.submitSettings(FLAG_SETTINGS_NONE, iv);
    const extra = this.config.sessionWindowSize - DEFAULT_WINDOW_SIZE;
    if (this.connFlow && extra > 0) {
      // SPDY/3.1 has no setting for it: the connection window only grows by WINDOW_UPDATE.
      this.connRecv.size = this.config.sessionWindowSize;
      this.queueWindowUpdate(0, extra);
    }
  }

  /** The `userData` given at creation. */
  get userData(): unknown {
    return this.user;
  }

  /**
   * Changes an option after construction, as spdylay's `session_set_option`.
   * `OPT_NO_AUTO_WINDOW_UPDATE` with `true` (or 1) stops the automatic
   * WINDOW_UPDATEs, `false` (or 0) resumes them. An unknown option, or a
   * value that is not a boolean or 0/1, is an `InvalidArgumentError`.
   */
  setOption(option: number, value: boolean | number): void {
    if (option !== OPT_NO_AUTO_WINDOW_UPDATE) throw new InvalidArgumentError(`unknown option ${String(option)}`);
    if (value !== true && value !== false && value !== 0 && value !== 1) {
      throw new InvalidArgumentError(`option ${option} takes a boolean, not ${String(value)}`);
    }
    this.autoUpdate = !value;
  }

  // ---------------------------------------------------------------- state

  /** Lowest priority (largest value): 3 in SPDY/2, 7 in SPDY/3 and 3.1. */
  getPriLowest(): number {
    return this.version === PROTO_SPDY2 ? 3 : 7;
  }

  /** True for stream ids this side opens: odd for a client, even for a server; never 0. */
  isMyStreamId(streamId: number): boolean {
    if (streamId === 0) return false;
    return this.side === CLIENT ? streamId % 2 === 1 : streamId % 2 === 0;
  }

  /** Frames queued (SYN_STREAMs held by the concurrency limit included, parked DATA not). */
  getOutboundQueueSize(): number {
    return this.queue.size;
  }

  /** The user data given with `submitRequest`/`submitSynStream`, or undefined. */
  getStreamUserData(streamId: number): unknown {
    return this.streams.get(streamId)?.userData;
  }

  /** Streams not yet closed, both directions. */
  get numOpenStreams(): number {
    return this.streams.size;
  }

  isStreamOpen(streamId: number): boolean {
    return this.streams.has(streamId);
  }

  getStreamState(streamId: number): StreamState | undefined {
    return this.streams.get(streamId)?.state;
  }

  /** A snapshot of a stream's state, or undefined when it is not open. */
  getStreamInfo(streamId: number): StreamInfo | undefined {
    return this.streams.get(streamId)?.info(this.sendFlowControlled);
  }

  /** Bytes we may still send on a stream (Infinity without flow control), or undefined. */
  getStreamRemoteWindowSize(streamId: number): number | undefined {
    const stream = this.streams.get(streamId);
    if (!stream) return undefined;
    return this.sendFlowControlled ? stream.sendWindow : Infinity;
  }

  /** SPDY/3.1: bytes we may still send on the connection; Infinity otherwise. */
  getSessionRemoteWindowSize(): number {
    return this.connFlow && this.config.peerFlowControl ? this.connSendWindow : Infinity;
  }

  /** Bytes received on a stream and not yet acknowledged by WINDOW_UPDATE, or undefined. */
  getStreamRecvUnacked(streamId: number): number | undefined {
    return this.streams.get(streamId)?.recv.unacked;
  }

  /** SPDY/3.1: bytes received on the connection and not yet acknowledged. */
  getSessionRecvUnacked(): number {
    return this.connFlow ? this.connRecv.unacked : 0;
  }

  /** A setting as we announced it (after `submitSettings`). */
  getLocalSetting(settingsId: number): number | undefined {
    return this.localSettings[settingsId];
  }

  /** A setting as the peer announced it, or its default. */
  getRemoteSetting(settingsId: number): number | undefined {
    return this.remoteSettings[settingsId];
  }

  /** We sent GOAWAY, received one, or both. */
  get goawayState(): { readonly sent: boolean; readonly received: boolean; readonly lastGoodStreamId: number | null } {
    return { sent: this.goawaySent, received: this.goawayRecv, lastGoodStreamId: this.peerLastGoodStreamId };
  }

  /** True while the session wants to read; when both this and `wantWrite` are false, drop the connection. */
  wantRead(): boolean {
    if (this.failOnSend && this.goawaySent) return false;
    return !(this.goawaySent || this.goawayRecv) || this.streams.size > 0;
  }

  /** True while the session has something to send. */
  wantWrite(): boolean {
    if (this.failOnSend && this.goawaySent) return false;
    if (this.active) return true;
    if (!this.queue.ready(this.mayOpenStream())) return false;
    if (!(this.goawaySent || this.goawayRecv) || this.streams.size > 0) return true;
    return this.queue.some((item) => item.kind === 'ctrl' && item.frame.frameType === GOAWAY);
  }

  private get sendFlowControlled(): boolean {
    return this.streamFlow && this.config.peerFlowControl;
  }

  private mayOpenStream(): boolean {
    return this.streams.outgoing < this.remoteSettings[SETTINGS_MAX_CONCURRENT_STREAMS]!;
  }

  // --------------------------------------------------------------- submit

  /**
   * Queues a SYN_STREAM for a request, then the body of `dataPrd` (FIN on
   * the SYN_STREAM when there is none). The stream id is given when the
   * frame is written: read it in `beforeCtrlSendCb`.
   */
  submitRequest(pri: number, nv: ReadonlyArray<readonly [string, string]>, dataPrd?: AnyDataProvider | null, streamUserData?: unknown): void {
    const body = dataPrd ?? undefined;
    if (body !== undefined) checkProvider(body);
    this.submitSynStreamShared(body ? 0 : CTRL_FLAG_FIN, pri, nv, 0, body, streamUserData);
  }

  /** Queues a SYN_STREAM; `assocStreamId` makes a server's stream a push (a client's is ignored). */
  submitSynStream(flags: number, pri: number, nv: ReadonlyArray<readonly [string, string]>, assocStreamId = 0, streamUserData?: unknown): void {
    checkFlags(flags);
    this.submitSynStreamShared(flags & (CTRL_FLAG_FIN | CTRL_FLAG_UNIDIRECTIONAL), pri, nv, assocStreamId, undefined, streamUserData);
  }

  private submitSynStreamShared(
    flags: number, pri: number, nv: unknown, assocStreamId: number,
    dataPrd: AnyDataProvider | undefined, streamUserData: unknown,
  ): void {
    checkPri(pri, this.getPriLowest());
    const headers = normalizeNv(nv);
    checkStreamId(assocStreamId, 0);
    if (this.nextStreamId > MAX_STREAM_ID) {
      throw new SpdyError('no stream id left', { code: ERR_STREAM_ID_NOT_AVAILABLE });
    }
    const frame = new SynStreamFrame({
      version: this.wire, flags, streamId: 0, pri, nv: headers,
      assocStreamId: this.side === SERVER ? assocStreamId : 0,
    });
    this.enqueue({ kind: 'ctrl', frame, pri, seq: 0, dataPrd, streamUserData });
  }

  /** Queues a SYN_REPLY, then the body of `dataPrd` (FIN on the SYN_REPLY when there is none). */
  submitResponse(streamId: number, nv: ReadonlyArray<readonly [string, string]>, dataPrd?: AnyDataProvider | null): void {
    const body = dataPrd ?? undefined;
    if (body !== undefined) checkProvider(body);
    this.submitStreamCtrl(SYN_REPLY, body ? 0 : CTRL_FLAG_FIN, streamId, nv, body);
  }

  /** Queues a SYN_REPLY; CTRL_FLAG_FIN is the only flag kept. */
  submitSynReply(flags: number, streamId: number, nv: ReadonlyArray<readonly [string, string]>): void {
    this.submitStreamCtrl(SYN_REPLY, checkFlags(flags) & CTRL_FLAG_FIN, streamId, nv, undefined);
  }

  /** Queues a HEADERS frame; CTRL_FLAG_FIN is the only flag kept. */
  submitHeaders(flags: number, streamId: number, nv: ReadonlyArray<readonly [string, string]>): void {
    this.submitStreamCtrl(HEADERS, checkFlags(flags) & CTRL_FLAG_FIN, streamId, nv, undefined);
  }

  private submitStreamCtrl(
    type: typeof SYN_REPLY | typeof HEADERS, flags: number, streamId: number, nv: unknown,
    dataPrd: AnyDataProvider | undefined,
  ): void {
    checkStreamId(streamId);
    const init = { version: this.wire, flags, streamId, nv: normalizeNv(nv) };
    const frame = type === SYN_REPLY ? new SynReplyFrame(init) : new HeadersFrame(init);
    this.enqueue({ kind: 'ctrl', frame, pri: this.streamPri(streamId), seq: 0, dataPrd });
  }

  /** Queues the body of `dataPrd` on a stream; DATA_FLAG_FIN puts FIN on its last frame. */
  submitData(streamId: number, flags: number, dataPrd: AnyDataProvider): void {
    checkStreamId(streamId);
    checkFlags(flags);
    checkProvider(dataPrd);
    this.enqueue({
      kind: 'data', streamId, flags: flags & DATA_FLAG_FIN, provider: dataPrd, eof: false,
      pri: this.streamPri(streamId), seq: 0,
    });
  }

  /** Queues RST_STREAM; the stream is CLOSING until it goes out, then closed. */
  submitRstStream(streamId: number, statusCode: number): void {
    this.addRstStream(checkStreamId(streamId), checkStatusCode(statusCode));
  }

  /** Queues a PING with our next unique id (odd for clients, even for servers). */
  submitPing(): void {
    if (this.nextPingId > MAX_STREAM_ID) this.nextPingId = this.side === CLIENT ? 1 : 2;
    const uniqueId = this.nextPingId;
    this.nextPingId += 2;
    this.addUrgent(new PingFrame({ version: this.wire, uniqueId }));
  }

  /** Queues GOAWAY naming the last stream we received; no new streams after it. SPDY/2 sends no status. */
  submitGoaway(statusCode: number): void {
    checkStatusCode(statusCode);
    this.addUrgent(new GoawayFrame({
      version: this.wire, lastGoodStreamId: this.lastRecvStreamId, statusCode,
    }));
  }

  /**
   * Queues SETTINGS and makes them our local settings at once (a duplicate
   * or unknown id is refused and changes nothing).
   */
  submitSettings(flags: number, iv: ReadonlyArray<readonly [number, number, number]>): void {
    checkFlags(flags);
    const entries = checkSettings(iv, this.wire);
    for (const [id, , value] of entries) {
      if (id === SETTINGS_INITIAL_WINDOW_SIZE && this.streamFlow) {
        for (const stream of this.streams.values()) stream.recv.resize(value);
      }
      this.localSettings[id] = value;
    }
    this.addUrgent(new SettingsFrame({ version: this.wire, flags, iv: entries }));
  }

  /**
   * Gives the peer `delta` more bytes of window on a stream or, in SPDY/3.1,
   * on the connection (`streamId` 0). For use with `autoWindowUpdate: false`.
   */
  submitWindowUpdate(streamId: number, delta: number): void {
    checkDelta(delta);
    if (!this.streamFlow) throw new InvalidArgumentError('SPDY/2 has no flow control');
    if (streamId === 0 && this.connFlow) {
      this.queueWindowUpdate(0, delta);
      return;
    }
    checkStreamId(streamId);
    const stream = this.streams.get(streamId);
    if (!stream) throw new StreamClosedError(`stream ${streamId} is not open`);
    this.queueWindowUpdate(streamId, delta);
  }

  /**
   * Queues GOAWAY and ends the session once it is sent: from then on
   * `wantRead()` and `wantWrite()` are false and input is ignored.
   */
  failSession(statusCode: number): void {
    checkStatusCode(statusCode);
    if (this.failOnSend) return;
    this.failOnSend = true;
    this.submitGoaway(statusCode);
  }

  /** Puts DATA back that the read callback deferred; false if the stream is unknown or nothing is deferred. */
  resumeData(streamId: number): boolean {
    const stream = this.streams.get(streamId);
    if (!stream?.deferred || stream.deferred.reason !== 'application') return false;
    const { item } = stream.deferred;
    stream.deferred = null;
    this.queue.push(item);
    return true;
  }

  private enqueue(item: OutboundItem): void {
    this.queue.push(this.queue.stamp(item));
  }

  private addUrgent(frame: ControlFrame): void {
    this.enqueue({ kind: 'ctrl', frame, pri: URGENT_PRI, seq: 0 });
  }

  private addRstStream(streamId: number, statusCode: number): RstStreamFrame {
    const stream = this.streams.get(streamId);
    if (stream) stream.state = 'closing';
    const frame = new RstStreamFrame({ version: this.wire, streamId, statusCode });
    this.enqueue({ kind: 'ctrl', frame, pri: this.streamPri(streamId), seq: 0 });
    return frame;
  }

  /** Queues an answer the peer's frame calls for; a peer that makes us owe too many is given up. */
  private addReply(frame: ControlFrame): void {
    if (!this.limits.replyQueued(frame)) this.failSession(GOAWAY_PROTOCOL_ERROR);
  }

  private queueWindowUpdate(streamId: number, delta: number): void {
    const window = streamId === 0 ? this.connRecv : this.streams.get(streamId)?.recv;
    window?.ack(delta);
    this.addUrgent(new WindowUpdateFrame({ version: this.wire, streamId, deltaWindowSize: delta }));
  }

  private streamPri(streamId: number): number {
    return this.streams.get(streamId)?.pri ?? this.getPriLowest();
  }

  // ----------------------------------------------------------------- send

  /**
   * Writes queued frames through `sendCb` until the queue is empty or
   * `sendCb` would block. A `CallbackFailureError` thrown by `sendCb` or by
   * a read callback is thrown on; a read callback returning too many bytes,
   * or `sendCb` returning something that is not a count, throws one too.
   */
  send(): void {
    const sendCb = this.cb.sendCb;
    if (!sendCb) throw new InvalidArgumentError('no sendCb given');
    for (;;) {
      if (this.failOnSend && this.goawaySent) return;
      if (!this.active && !this.activateNext()) return;
      const active = this.active!;
      if (active.head) {
        if (!this.sendWhole(active.head, active.bytes)) return;
        active.offset = active.bytes.length;
      } else {
        const rest = active.bytes.subarray(active.offset);
        const taken = sendCb(this, rest);
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
    const taken = this.cb.sendDataCb!(this, head, payload);
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
          this.cb.onCtrlNotSendCb?.(this, item.frame, prepared.error, item.streamUserData);
        }
        continue;
      }
      this.active = { item, head: prepared.head, bytes: prepared.bytes, offset: 0, dataFlags: prepared.dataFlags };
      if (item.kind === 'ctrl') this.cb.beforeCtrlSendCb?.(this, item.frame);
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
      chunk = item.provider.readCb(this, item.streamId, max, readCtrl, item.provider.source);
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
    this.cb.onCtrlSendCb?.(this, frame);
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
    this.cb.onDataSendCb?.(this, dataFlags, item.streamId, length);
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

  // -------------------------------------------------------------- streams

  private openStream(id: number, pri: number, state: StreamState, userData: unknown, assocStreamId: number): Stream {
    return this.streams.open(
      id, pri, state, this.remoteSettings[SETTINGS_INITIAL_WINDOW_SIZE]!,
      this.localSettings[SETTINGS_INITIAL_WINDOW_SIZE]!, userData, assocStreamId,
    );
  }

  /** DATA that flow control held back goes back in the queue once its windows open. */
  private requeueFlowDeferred(stream: Stream): void {
    if (stream.deferred?.reason !== 'flow-control' || stream.sendWindow <= 0) return;
    const { item } = stream.deferred;
    stream.deferred = null;
    this.queue.push(item);
  }

  // ----------------------------------------------------------------- recv

  /**
   * Processes received bytes: `data` when given, else what `recvCb` returns
   * until it returns nothing. `EOFError` and `CallbackFailureError` thrown
   * by `recvCb` are thrown on.
   */
  recv(data?: Uint8Array | null): void {
    if (data !== undefined && data !== null) {
      if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('data must be a Uint8Array');
      this.feed(data);
      return;
    }
    const recvCb = this.cb.recvCb;
    if (!recvCb) throw new InvalidArgumentError('no recvCb given');
    for (;;) {
      const chunk = recvCb(this, RECV_CHUNK);
      if (chunk === null || chunk === undefined || chunk.length === 0) return;
      if (!(chunk instanceof Uint8Array)) throw new CallbackFailureError('recvCb must return a Uint8Array');
      this.feed(chunk);
    }
  }

  private feed(data: Uint8Array): void {
    if (this.inputBroken || this.failOnSend) return;
    try {
      this.decoder.write(data, (frame) => this.recvFrame(frame));
    } catch (err) {
      if (!(err instanceof FrameError)) {
        // A callback threw mid-chunk: the rest of the chunk is lost, so later
        // input could only be read out of step. Ignore it from now on.
        this.inputBroken = true;
        throw err;
      }
      this.recvDecodeError(err);
    }
  }

  /**
   * Reports bytes that could not be decoded (a `FrameError` from the
   * decoder): the parse-error callback when the error names its frame, then
   * GOAWAY with the error's status, and the session ends.
   */
  recvDecodeError(err: FrameError): void {
    if (this.inputBroken) return;
    this.inputBroken = true;
    if (err.frameType !== undefined && err.head) {
      this.cb.onCtrlRecvParseErrorCb?.(this, err.frameType, err.head, err.payload ?? EMPTY, err.code);
    }
    this.failSession(err.statusCode ?? GOAWAY_PROTOCOL_ERROR);
  }

  /** Processes one decoded frame, as `recv()` does for each frame it decodes. */
  recvFrame(frame: DecodedFrame): void {
    if (this.inputBroken || this.failOnSend) return;
    // A flood of frames that cost us work and the peer nothing ends the session.
    if (this.limits.admit(frame) !== null) return this.failSession(GOAWAY_PROTOCOL_ERROR);
    if (frame instanceof InvalidFrame) return this.onInvalidFrame(frame);
    if (frame instanceof UnknownFrame) {
      this.cb.onUnknownCtrlRecvCb?.(this, frame.head, frame.payload);
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
    this.cb.onInvalidCtrlRecvCb?.(this, frame, statusCode);
    this.addReply(rst);
  }

  /** Answers a frame that breaks the session: the invalid-frame callback and GOAWAY. */
  private refuseSession(frame: ControlFrame): void {
    this.cb.onInvalidCtrlRecvCb?.(this, frame, PROTOCOL_ERROR);
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
    this.cb.onCtrlRecvCb?.(this, frame);
    if (fin) {
      if (stream) this.requestReceived(stream);
      if (uni) this.cb.onStreamCloseCb?.(this, id, OK);
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
    this.cb.onRequestRecvCb?.(this, stream.id);
  }

  private onSynReply(frame: SynReplyFrame): void {
    const stream = this.streams.get(frame.streamId);
    let status = PROTOCOL_ERROR;
    if (stream && !stream.shutRead && this.isMyStreamId(frame.streamId)) {
      if (stream.state === 'opening') {
        stream.state = 'opened';
        this.cb.onCtrlRecvCb?.(this, frame);
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
    this.cb.onCtrlRecvCb?.(this, frame);
    if (frame.flags & CTRL_FLAG_FIN) {
      this.requestReceived(stream);
      stream.shutRead = true;
      this.streams.closeIfDone(stream);
    }
  }

  private onRstStream(frame: RstStreamFrame): void {
    this.cb.onCtrlRecvCb?.(this, frame);
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
    this.cb.onCtrlRecvCb?.(this, frame);
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
      this.cb.onCtrlRecvCb?.(this, frame);
    } else if (!this.isMyStreamId(id)) {
      const echo = new PingFrame({ version: this.wire, uniqueId: id });
      this.addUrgent(echo);
      this.cb.onCtrlRecvCb?.(this, frame);
      this.addReply(echo);
    }
  }

  private onGoaway(frame: GoawayFrame): void {
    this.peerLastGoodStreamId = frame.lastGoodStreamId;
    this.goawayRecv = true;
    this.cb.onCtrlRecvCb?.(this, frame);
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
      this.cb.onCtrlRecvCb?.(this, frame);
      return;
    }
    const delta = frame.deltaWindowSize;
    if (frame.streamId === 0 && this.connFlow) {
      if (this.connSendWindow > MAX_WINDOW_SIZE - delta) return this.refuseSession(frame);
      this.connSendWindow += delta;
      if (this.connSendWindow > 0) for (const stream of this.streams.values()) this.requeueFlowDeferred(stream);
      this.cb.onCtrlRecvCb?.(this, frame);
      return;
    }
    const stream = this.streams.get(frame.streamId);
    if (!stream) return;
    if (stream.sendWindow > MAX_WINDOW_SIZE - delta) {
      return this.refuseStreamFrame(frame.streamId, frame, FLOW_CONTROL_ERROR);
    }
    stream.sendWindow += delta;
    this.requeueFlowDeferred(stream);
    this.cb.onCtrlRecvCb?.(this, frame);
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
    this.cb.onDataChunkRecvCb?.(this, frame.flags, frame.streamId, frame.data);
    this.cb.onDataRecvCb?.(this, frame.flags, frame.streamId, length);
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

function checkProvider(dataPrd: unknown): asserts dataPrd is AnyDataProvider {
  const prd = dataPrd as AnyDataProvider | null;
  if (prd === null || typeof prd !== 'object' || typeof prd.readCb !== 'function') {
    throw new InvalidArgumentError('dataPrd must be a DataProvider');
  }
}
