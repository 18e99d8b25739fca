/**
 * spdylay's Session as a sans-IO state machine: the application submits
 * frames and feeds received bytes; the session orders, checks and answers,
 * calling back synchronously. No I/O, no timers, no Node APIs.
 *
 * `Session` is the public API over parts it owns, each with one concern:
 * the stream table, the outbound queue (`Outbox`), the flow-control windows
 * (`FlowControl`), the peer's limits (`PeerLimits`), the settings of both
 * sides, the connection's state, the send path and the receive path. The
 * parts are handed what they need when the constructor builds them.
 */
import {
  CLIENT, CTRL_FLAG_FIN, CTRL_FLAG_UNIDIRECTIONAL, DATA_FLAG_FIN, DEFAULT_WINDOW_SIZE, ERR_STREAM_ID_NOT_AVAILABLE,
  FLAG_SETTINGS_NONE, GOAWAY, HEADERS, MAX_STREAM_ID, MAX_WINDOW_SIZE, OPT_NO_AUTO_WINDOW_UPDATE,
  OPT_NO_AUTO_WINDOW_UPDATE2, PROTO_SPDY2, SERVER, SETTINGS_INITIAL_WINDOW_SIZE, SETTINGS_MAX_CONCURRENT_STREAMS,
  SYN_REPLY, wireVersion, type ProtocolVersion, type Side, type WireVersion,
} from '../base/constants.js';
import { codecLimits, resolveConfig, type ResolvedConfig } from '../base/config.js';
import {
  CallbackFailureError, FrameError, InvalidArgumentError, SpdyError, StreamClosedError,
} from '../base/errors.js';
import {
  GoawayFrame, HeadersFrame, PingFrame, SettingsFrame, SynReplyFrame, SynStreamFrame, type SettingsEntry,
} from '../codec/frames.js';
import { FrameDecoder, type DecodedFrame } from '../codec/frame-decoder.js';
import { FrameEncoder, type CodecOptions } from '../codec/frame-encoder.js';
import { checkVersion } from '../codec/version.js';
import { checkCallbacks, type SessionCallbacks, type SessionOptions } from './callbacks.js';
import { ConnectionState } from './connection-state.js';
import type { AnyDataProvider } from './data-provider.js';
import { FlowControl } from './flow-control.js';
import { PeerLimits } from './limits.js';
import { Outbox } from './outbox.js';
import { ReceivePath } from './receive-path.js';
import { SendPath } from './send-path.js';
import type { SessionContext } from './session-context.js';
import { SessionSettings } from './settings.js';
import type { StreamInfo, StreamState } from './stream.js';
import { StreamTable } from './stream-table.js';
import {
  checkDelta, checkFlags, checkPri, checkSettings, checkStatusCode, checkStreamId, normalizeNv,
} from './submit-checks.js';

/** Bytes asked of `recvCb` at a time. */
const RECV_CHUNK = 16384;

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
  private readonly wire: WireVersion;
  private readonly cb: SessionCallbacks;
  private readonly user: unknown;
  private readonly conn: ConnectionState;
  private readonly settings = new SessionSettings();
  private readonly streams: StreamTable;
  private readonly limits: PeerLimits;
  private readonly outbox: Outbox;
  private readonly flow: FlowControl;
  private readonly sender: SendPath;
  private readonly receiver: ReceivePath;

  constructor(side: Side, version: ProtocolVersion, options: SessionOptions = {}) {
    if (side !== CLIENT && side !== SERVER) throw new InvalidArgumentError('side must be CLIENT or SERVER');
    this.version = checkVersion(version);
    this.side = side;
    checkCallbacks(options);
    this.config = resolveConfig(options.config, side);
    const codecOptions: CodecOptions = { version: this.version, side, limits: codecLimits(this.config) };
    const encoder = new FrameEncoder(codecOptions);
    const makeDecoder = (): FrameDecoder => new FrameDecoder(codecOptions);
    this.cb = options;
    this.user = options.userData;
    this.wire = wireVersion(this.version);
    this.conn = new ConnectionState(side);
    this.limits = new PeerLimits(this.config, side);
    this.streams = new StreamTable(
      this.settings, (id) => this.conn.isMine(id), (id, status) => this.cb.onStreamCloseCb?.(this, id, status),
    );
    this.outbox = new Outbox(this.wire, this.getPriLowest(), this.streams, this.limits, (status) => this.failSession(status));
    this.flow = new FlowControl(this.version, this.wire, this.config, this.streams, this.outbox);
    const context: SessionContext = {
      session: this, cb: this.cb, side, wire: this.wire, config: this.config, conn: this.conn,
      settings: this.settings, streams: this.streams, outbox: this.outbox, flow: this.flow, limits: this.limits,
      failSession: (status) => this.failSession(status),
    };
    this.sender = new SendPath(context, encoder);
    this.receiver = new ReceivePath(context, makeDecoder);
    this.advertiseConfig();
  }

  private advertiseConfig(): void {
    const iv: SettingsEntry[] = [[SETTINGS_MAX_CONCURRENT_STREAMS, 0, this.config.maxConcurrentStreams]];
    if (!this.flow.streamFlow) iv.push([SETTINGS_INITIAL_WINDOW_SIZE, 0, MAX_WINDOW_SIZE]);
    else if (this.config.initialWindowSize !== DEFAULT_WINDOW_SIZE) {
      iv.push([SETTINGS_INITIAL_WINDOW_SIZE, 0, this.config.initialWindowSize]);
    }
    this.submitSettings(FLAG_SETTINGS_NONE, iv);
    this.flow.announceSessionWindow();
  }

  /** The `userData` given at creation. */
  get userData(): unknown {
    return this.user;
  }

  /**
   * Changes an option after construction, as spdylay's `session_set_option`.
   * `OPT_NO_AUTO_WINDOW_UPDATE` or `OPT_NO_AUTO_WINDOW_UPDATE2` with `true`
   * (or 1) stops the automatic WINDOW_UPDATEs, `false` (or 0) resumes them;
   * both options switch the same thing. An unknown option, or a value that
   * is not a boolean or 0/1, is an `InvalidArgumentError`.
   */
  setOption(option: number, value: boolean | number): void {
    if (option !== OPT_NO_AUTO_WINDOW_UPDATE && option !== OPT_NO_AUTO_WINDOW_UPDATE2) {
      throw new InvalidArgumentError(`unknown option ${String(option)}`);
    }
    if (value !== true && value !== false && value !== 0 && value !== 1) {
      throw new InvalidArgumentError(`option ${option} takes a boolean, not ${String(value)}`);
    }
    this.flow.autoUpdate = !value;
  }

  // ---------------------------------------------------------------- state

  /** Lowest priority (largest value): 3 in SPDY/2, 7 in SPDY/3 and 3.1. */
  getPriLowest(): number {
    return this.version === PROTO_SPDY2 ? 3 : 7;
  }

  /** True for stream ids this side opens: odd for a client, even for a server; never 0. */
  isMyStreamId(streamId: number): boolean {
    return this.conn.isMine(streamId);
  }

  /** Frames queued (SYN_STREAMs held by the concurrency limit included, parked DATA not). */
  getOutboundQueueSize(): number {
    return this.outbox.size;
  }

  /** The user data given with `submitRequest`/`submitSynStream`, or undefined. */
  getStreamUserData(streamId: number): unknown {
    return this.streams.get(streamId)?.userData;
  }

  /** Streams not yet closed, both directions. */
  get numOpenStreams(): number {
    return this.streams.size;
  }

  /** Whether the stream is open (neither closed nor unknown). */
  isStreamOpen(streamId: number): boolean {
    return this.streams.has(streamId);
  }

  /** The stream's state; undefined for a stream the session does not know. */
  getStreamState(streamId: number): StreamState | undefined {
    return this.streams.get(streamId)?.state;
  }

  /** A snapshot of a stream's state, or undefined when it is not open. */
  getStreamInfo(streamId: number): StreamInfo | undefined {
    return this.streams.get(streamId)?.info(this.flow.sendCounted);
  }

  /** Bytes we may still send on a stream (Infinity without flow control), or undefined. */
  getStreamRemoteWindowSize(streamId: number): number | undefined {
    const stream = this.streams.get(streamId);
    return stream && this.flow.streamSendWindow(stream);
  }

  /** SPDY/3.1: bytes we may still send on the connection; Infinity otherwise. */
  getSessionRemoteWindowSize(): number {
    return this.flow.sessionSendWindow;
  }

  /** Bytes received on a stream and not yet acknowledged by WINDOW_UPDATE, or undefined. */
  getStreamRecvUnacked(streamId: number): number | undefined {
    const stream = this.streams.get(streamId);
    return stream && this.flow.streamRecvUnacked(stream);
  }

  /** SPDY/3.1: bytes received on the connection and not yet acknowledged. */
  getSessionRecvUnacked(): number {
    return this.flow.sessionRecvUnacked;
  }

  /** A setting as we announced it (after `submitSettings`). */
  getLocalSetting(settingsId: number): number | undefined {
    return this.settings.local[settingsId];
  }

  /** A setting as the peer announced it, or its default. */
  getRemoteSetting(settingsId: number): number | undefined {
    return this.settings.remote[settingsId];
  }

  /**
   * We sent GOAWAY, received one, or both; `failedWith` is the status the
   * session was failed with (`failSession`, by the application or on a
   * protocol error), known even while that GOAWAY cannot be written yet, and
   * even in SPDY/2, whose GOAWAY carries no status.
   */
  get goawayState(): {
    readonly sent: boolean; readonly received: boolean; readonly lastGoodStreamId: number | null;
    readonly failedWith: number | null;
  } {
    return {
      sent: this.conn.goawaySent, received: this.conn.goawayRecv, lastGoodStreamId: this.conn.peerLastGoodStreamId,
      failedWith: this.conn.failStatus,
    };
  }

  /** True while the session wants to read; when both this and `wantWrite` are false, drop the connection. */
  wantRead(): boolean {
    if (this.conn.over) return false;
    return !this.conn.goingAway || this.streams.size > 0;
  }

  /**
   * Answers to the peer (RST_STREAMs, PINGs, SETTINGS acknowledgements)
   * queued and not yet sent: a driver that gathers its writes sends them
   * before their count reaches `maxPendingReplies`, the flood bound.
   */
  get pendingReplies(): number {
    return this.limits.pendingReplies;
  }

  /** True while the session has something to send. */
  wantWrite(): boolean {
    if (this.conn.over) return false;
    if (this.sender.busy) return true;
    if (!this.outbox.ready) return false;
    if (!this.conn.goingAway || this.streams.size > 0) return true;
    return this.outbox.some((item) => item.kind === 'ctrl' && item.frame.frameType === GOAWAY);
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
    if (this.conn.nextStreamId > MAX_STREAM_ID) {
      throw new SpdyError('no stream id left', { code: ERR_STREAM_ID_NOT_AVAILABLE });
    }
    const frame = new SynStreamFrame({
      version: this.wire, flags, streamId: 0, pri, nv: headers,
      assocStreamId: this.side === SERVER ? assocStreamId : 0,
    });
    this.outbox.push({ kind: 'ctrl', frame, pri, seq: 0, dataPrd, streamUserData });
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
    this.outbox.streamFrame(frame, streamId, dataPrd);
  }

  /** Queues the body of `dataPrd` on a stream; DATA_FLAG_FIN puts FIN on its last frame. */
  submitData(streamId: number, flags: number, dataPrd: AnyDataProvider): void {
    checkStreamId(streamId);
    checkFlags(flags);
    checkProvider(dataPrd);
    this.outbox.data(streamId, flags & DATA_FLAG_FIN, dataPrd);
  }

  /** Queues RST_STREAM; the stream is CLOSING until it goes out, then closed. */
  submitRstStream(streamId: number, statusCode: number): void {
    this.outbox.rstStream(checkStreamId(streamId), checkStatusCode(statusCode));
  }

  /** Queues a PING with our next unique id (odd for clients, even for servers). */
  submitPing(): void {
    this.outbox.urgent(new PingFrame({ version: this.wire, uniqueId: this.conn.takePingId() }));
  }

  /** Queues GOAWAY naming the last stream we received; no new streams after it. SPDY/2 sends no status. */
  submitGoaway(statusCode: number): void {
    checkStatusCode(statusCode);
    this.outbox.urgent(new GoawayFrame({
      version: this.wire, lastGoodStreamId: this.conn.lastRecvStreamId, statusCode,
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
      if (id === SETTINGS_INITIAL_WINDOW_SIZE) this.flow.localInitialWindowChanged(value);
      this.settings.local[id] = value;
    }
    this.outbox.urgent(new SettingsFrame({ version: this.wire, flags, iv: entries }));
  }

  /**
   * Gives the peer `delta` more bytes of window on a stream or, in SPDY/3.1,
   * on the connection (`streamId` 0). For use with `autoWindowUpdate: false`.
   */
  submitWindowUpdate(streamId: number, delta: number): void {
    checkDelta(delta);
    if (!this.flow.streamFlow) throw new InvalidArgumentError('SPDY/2 has no flow control');
    if (streamId !== 0 || !this.flow.connectionWindowInForce) {
      checkStreamId(streamId);
      if (!this.streams.has(streamId)) throw new StreamClosedError(`stream ${streamId} is not open`);
    }
    this.flow.giveBack(streamId, delta);
  }

  /**
   * Reports `n` bytes of DATA received on `streamId` that the application
   * has consumed, as spdylay's `session_consume`: they count toward the
   * stream's window (while the stream is open and the peer has not ended
   * its side) and, in SPDY/3.1 while the connection window is in force,
   * toward the connection's; `streamId` 0 counts toward the connection
   * only. The session queues WINDOW_UPDATE once half a window is owed. Only
   * while automatic updates are off (`config.autoWindowUpdate: false` or
   * `setOption`): otherwise, as for a negative or fractional `n` or a bad
   * id, an `InvalidArgumentError`. SPDY/2 has no flow control: a no-op.
   */
  consume(streamId: number, n: number): void {
    checkStreamId(streamId, 0);
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      throw new InvalidArgumentError('consumed bytes must be a non-negative integer');
    }
    this.flow.consume(streamId, n);
  }

  /**
   * Queues GOAWAY and ends the session once it is sent: from then on
   * `wantRead()` and `wantWrite()` are false and input is ignored.
   */
  failSession(statusCode: number): void {
    checkStatusCode(statusCode);
    if (this.conn.failOnSend) return;
    this.conn.failOnSend = true;
    this.conn.failStatus = statusCode;
    this.submitGoaway(statusCode);
  }

  /** Puts DATA back that the read callback deferred; false if the stream is unknown or nothing is deferred. */
  resumeData(streamId: number): boolean {
    const stream = this.streams.get(streamId);
    return stream !== undefined && this.outbox.resume(stream, 'application');
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
    this.sender.write(sendCb);
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
      this.receiver.feed(data);
      return;
    }
    const recvCb = this.cb.recvCb;
    if (!recvCb) throw new InvalidArgumentError('no recvCb given');
    for (;;) {
      const chunk = recvCb(this, RECV_CHUNK);
      if (chunk === null || chunk === undefined || chunk.length === 0) return;
      if (!(chunk instanceof Uint8Array)) throw new CallbackFailureError('recvCb must return a Uint8Array');
      this.receiver.feed(chunk);
    }
  }

  /**
   * Reports bytes that could not be decoded (a `FrameError` from the
   * decoder): the parse-error callback when the error names its frame, then
   * GOAWAY with the error's status, and the session ends.
   */
  recvDecodeError(err: FrameError): void {
    this.receiver.decodeError(err);
  }

  /** Processes one decoded frame, as `recv()` does for each frame it decodes. */
  recvFrame(frame: DecodedFrame): void {
    this.receiver.frame(frame);
  }
}

function checkProvider(dataPrd: unknown): asserts dataPrd is AnyDataProvider {
  const prd = dataPrd as AnyDataProvider | null;
  if (prd === null || typeof prd !== 'object' || typeof prd.readCb !== 'function') {
    throw new InvalidArgumentError('dataPrd must be a DataProvider');
  }
}
