/**
 * What a SpdySession knows, set up from its options.
 *
 * `SpdySession` is built in layers, one concern each, that share this
 * state: the ending (`spdy-session-end.ts`), the transport's read and write
 * pumps (`spdy-session-pumps.ts`), the Session's callbacks
 * (`spdy-session-events.ts`), the host side of each SpdyStream
 * (`spdy-session-host.ts`), then the public API (`spdy-session.ts`). Only
 * `SpdySession` is exported from the package.
 */
import { CLIENT, PROTO_SPDY2, PROTO_SPDY3_1, SERVER, type ProtocolVersion, type Side } from '../base/constants.js';
import { checkVersion } from '../codec/version.js';
import { resolveConfig, type ResolvedConfig, type SpdyConfig } from '../base/config.js';
import { InvalidArgumentError, type FrameError } from '../base/errors.js';
import { DataProvider, Session, type SessionCallbacks } from '../session/index.js';
import { deferred, type Deferred } from './deferred.js';
import type { ReadControl } from './outbound-half.js';
import type { SpdySessionOptions } from './spdy-session.js';
import type { SpdyStream, StreamController, StreamHost } from './spdy-stream.js';
import type { Transport } from './transport.js';

export type State = 'open' | 'closing' | 'closed';

/*
 * Defaults of `config` here, larger than the Session's (spdylay's 4 KiB
 * frames, 64 KiB windows): throughput is bounded by the work done per DATA
 * frame and per WINDOW_UPDATE more than per byte (bench/streams.mjs). Frames
 * are an eighth of the stream window so that several are on their way while
 * WINDOW_UPDATEs come back (they go out once half a window is read). The
 * stream window bounds what one stream holds unread; 100 streams of it stay
 * under `maxSessionBufferedBytes` in SPDY/3, which has no connection window.
 */
const DATA_FRAME_SIZE = 16384;
const STREAM_WINDOW = 131072;
const SESSION_WINDOW = 1048576;

const readBody = (_s: Session, _id: number, length: number, readCtrl: ReadControl, source: unknown) =>
  (source as StreamController).read(length, readCtrl);

/** The data provider of a stream's body: its writable. */
export const bodyOf = (c: StreamController): DataProvider => new DataProvider<unknown>(c, readBody);

/** The state of a SpdySession; its constructor makes the Session underneath and takes the transport's writer. */
export abstract class SpdySessionState {
  /** The protocol version spoken. */
  readonly version: ProtocolVersion;
  /** Which end we are. */
  readonly side: 'client' | 'server';
  /** The sans-IO session underneath, for what this API does not cover (SETTINGS, say). */
  readonly core: Session;
  /** Streams the peer opens or pushes, in the order they arrive. */
  readonly incoming: ReadableStream<SpdyStream>;

  protected readonly config: ResolvedConfig;
  /** The config the Session was made with, before resolving: the frame decoder takes it too. */
  protected readonly coreConfig: SpdyConfig;
  protected readonly coreSide: Side;
  /** We give the peer its window back as the application reads. */
  protected readonly manualWindow: boolean;
  /** The peer's sending is bounded by no window: pause the transport instead. */
  protected readonly gateReads: boolean;
  protected readonly readLimit: number;
  protected readonly writeBufferSize: number;
  protected readonly streamWriteHighWaterMark: number | undefined;
  protected readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  protected readonly stopReading = new AbortController();
  protected readonly host: StreamHost;
  protected incomingController!: ReadableStreamDefaultController<SpdyStream>;
  protected incomingOpen = true;

  protected readonly streams = new Map<number, StreamController>();
  /** Submitted SYN_STREAMs that have no id yet. */
  protected readonly opening = new Set<StreamController>();
  /** Run once no stream is open or being opened (`close({ drainFirst: true })`). */
  protected readonly idleWaiters: Array<() => void> = [];
  protected state: State = 'open';
  /** Status of the GOAWAY the peer sent, if any. */
  protected goawayStatus: number | null = null;
  /** The input could not be decoded: the cause to report once the GOAWAY is out. */
  protected decodeError: FrameError | null = null;
  protected readonly closedD: Deferred<void> = deferred();

  // Outbound bytes of the current flush, and those the transport has not accepted.
  protected out: Uint8Array[] = [];
  protected outBytes = 0;
  protected inFlight = 0;
  protected blocked = false;
  protected flushing = false;
  protected flushAgain = false;
  protected readonly afterSend: Array<() => void> = [];

  protected buffered = 0;
  protected sessionUnacked = 0;
  protected readGate: Deferred<void> | null = null;

  protected readonly pingWaiters: Array<Deferred<number>> = [];
  protected readonly pingsInFlight = new Map<number, { sentAt: number; done: Deferred<number> }>();

  constructor(transport: Transport, options: SpdySessionOptions) {
    if (typeof transport?.readable?.pipeThrough !== 'function' || typeof transport?.writable?.getWriter !== 'function') {
      throw new InvalidArgumentError('transport must be { readable: ReadableStream, writable: WritableStream }');
    }
    if (options?.side !== 'client' && options?.side !== 'server') {
      throw new InvalidArgumentError("side must be 'client' or 'server'");
    }
    this.side = options.side;
    this.coreSide = options.side === 'client' ? CLIENT : SERVER;
    this.version = checkVersion(options.version ?? PROTO_SPDY3_1);
    this.coreConfig = {
      ...options.config,
      autoWindowUpdate: options.config?.autoWindowUpdate ?? false,
      initialWindowSize: options.config?.initialWindowSize ?? STREAM_WINDOW,
      sessionWindowSize: options.config?.sessionWindowSize ?? SESSION_WINDOW,
      maxDataFrameSize: options.config?.maxDataFrameSize ?? DATA_FRAME_SIZE,
    };
    this.config = resolveConfig(this.coreConfig, this.coreSide);
    this.writeBufferSize = options.writeBufferSize ?? 65536;
    this.streamWriteHighWaterMark = options.streamWriteHighWaterMark;
    const flowControl = this.version !== PROTO_SPDY2 && this.config.peerFlowControl;
    this.manualWindow = flowControl && !this.config.autoWindowUpdate;
    this.gateReads = !flowControl;
    this.readLimit = Math.max(this.config.initialWindowSize, this.config.sessionWindowSize);
    this.host = this.makeHost();

    this.core = new Session(this.coreSide, this.version, {
      userData: this,
      config: this.coreConfig,
      ...this.coreCallbacks(),
    });

    this.writer = transport.writable.getWriter();
    this.writer.closed.catch(() => {});
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

  /** The host each SpdyStream is given (see `spdy-session-host.ts`). */
  protected abstract makeHost(): StreamHost;
  /** The Session's callbacks (see `spdy-session-events.ts`). */
  protected abstract coreCallbacks(): SessionCallbacks;
}
