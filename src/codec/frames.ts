/**
 * Frame objects: one class per SPDY frame type, all tagged by `frameType`
 * so that `Frame` is a discriminated union.
 */
import { InvalidArgumentError } from '../base/errors.js';
import {
  CREDENTIAL, DATA, GOAWAY, HEADERS, NOOP, PING, RST_STREAM, SETTINGS,
  SYN_REPLY, SYN_STREAM, WINDOW_UPDATE, type WireVersion,
} from '../base/constants.js';
import type { Nv } from './nv.js';

/** One SETTINGS entry: `[settingsId, flags, value]`. */
export type SettingsEntry = [settingsId: number, flags: number, value: number];

/** The fields every control frame's init object may give. */
export interface CtrlInit {
  /** Wire version, 2 or 3 (SPDY/3.1 frames say 3). Defaults to 3. */
  version?: WireVersion;
  flags?: number;
  /** Payload length; set by the decoder, and by the encoder when it packs. */
  length?: number;
}

/**
 * The base class of every control frame (the Python binding's `CtrlFrame`):
 * `frame instanceof CtrlFrame` tells a control frame from DATA.
 */
export abstract class CtrlFrame {
  // Declared, not defined: fields defined in a base class run one initializer
  // for every frame class, which V8 could not make fast (4% of a client's
  // time on small requests); the constructor's stores cost far less.
  declare version: WireVersion;
  declare flags: number;
  declare length: number;
  constructor(init: CtrlInit) {
    this.version = init.version ?? 3;
    this.flags = init.flags ?? 0;
    this.length = init.length ?? 0;
  }
}

/** The fields of a {@link SynStreamFrame}. */
export interface SynStreamInit extends CtrlInit {
  streamId: number;
  assocStreamId?: number;
  pri?: number;
  slot?: number;
  nv: Nv;
}
/** Opens a stream (a request, or a push when `assocStreamId` is set). */
export class SynStreamFrame extends CtrlFrame {
  readonly frameType = SYN_STREAM;
  streamId: number;
  assocStreamId: number;
  pri: number;
  slot: number;
  nv: Nv;
  constructor(init: SynStreamInit) {
    super(init);
    this.streamId = init.streamId;
    this.assocStreamId = init.assocStreamId ?? 0;
    this.pri = init.pri ?? 0;
    this.slot = init.slot ?? 0;
    this.nv = init.nv;
  }
}

/** The fields of a {@link SynReplyFrame} or {@link HeadersFrame}. */
export interface StreamNvInit extends CtrlInit {
  streamId: number;
  nv: Nv;
}
/** A frame of a stream id and a header list. */
abstract class StreamNvFrameBase extends CtrlFrame {
  // Declared for the reason CtrlFrame's fields are: two classes share this constructor.
  declare streamId: number;
  declare nv: Nv;
  constructor(init: StreamNvInit) {
    super(init);
    this.streamId = init.streamId;
    this.nv = init.nv;
  }
}

/** Accepts a stream (the response headers). */
export class SynReplyFrame extends StreamNvFrameBase {
  readonly frameType = SYN_REPLY;
}

/** More headers on an open stream (trailers, for instance). */
export class HeadersFrame extends StreamNvFrameBase {
  readonly frameType = HEADERS;
}

/** The fields of a {@link RstStreamFrame}. */
export interface RstStreamInit extends CtrlInit {
  streamId: number;
  statusCode: number;
}
/** Ends a stream abnormally. */
export class RstStreamFrame extends CtrlFrame {
  readonly frameType = RST_STREAM;
  streamId: number;
  statusCode: number;
  constructor(init: RstStreamInit) {
    super(init);
    this.streamId = init.streamId;
    this.statusCode = init.statusCode;
  }
}

/** The fields of a {@link SettingsFrame}. */
export interface SettingsInit extends CtrlInit {
  iv: SettingsEntry[];
}
/** Session parameters. */
export class SettingsFrame extends CtrlFrame {
  readonly frameType = SETTINGS;
  iv: SettingsEntry[];
  constructor(init: SettingsInit) {
    super(init);
    this.iv = init.iv;
  }
}

/** SPDY/2's no-op frame. */
export class NoopFrame extends CtrlFrame {
  readonly frameType = NOOP;
  constructor(init: CtrlInit = {}) {
    super(init);
  }
}

/** The fields of a {@link PingFrame}. */
export interface PingInit extends CtrlInit {
  uniqueId: number;
}
/** Round-trip probe. */
export class PingFrame extends CtrlFrame {
  readonly frameType = PING;
  uniqueId: number;
  constructor(init: PingInit) {
    super(init);
    this.uniqueId = init.uniqueId;
  }
}

/** The fields of a {@link GoawayFrame}. */
export interface GoawayInit extends CtrlInit {
  lastGoodStreamId: number;
  /** SPDY/3 only; a SPDY/2 GOAWAY has no status. */
  statusCode?: number;
}
/** Announces the end of the session. */
export class GoawayFrame extends CtrlFrame {
  readonly frameType = GOAWAY;
  lastGoodStreamId: number;
  statusCode: number;
  constructor(init: GoawayInit) {
    super(init);
    this.lastGoodStreamId = init.lastGoodStreamId;
    this.statusCode = init.statusCode ?? 0;
  }
}

/** The fields of a {@link WindowUpdateFrame}. */
export interface WindowUpdateInit extends CtrlInit {
  streamId: number;
  deltaWindowSize: number;
}
/** Opens the peer's flow-control window (stream 0: the SPDY/3.1 connection window). */
export class WindowUpdateFrame extends CtrlFrame {
  readonly frameType = WINDOW_UPDATE;
  streamId: number;
  deltaWindowSize: number;
  constructor(init: WindowUpdateInit) {
    super(init);
    this.streamId = init.streamId;
    this.deltaWindowSize = init.deltaWindowSize;
  }
}

/** The fields of a {@link CredentialFrame}. */
export interface CredentialInit extends CtrlInit {
  slot: number;
  proof: Uint8Array;
  certificates: Uint8Array[];
}
/** SPDY/3's client certificate frame. */
export class CredentialFrame extends CtrlFrame {
  readonly frameType = CREDENTIAL;
  slot: number;
  proof: Uint8Array;
  certificates: Uint8Array[];
  constructor(init: CredentialInit) {
    super(init);
    this.slot = init.slot;
    this.proof = init.proof;
    this.certificates = init.certificates;
  }
}

/** The fields of a {@link DataFrame}. */
export interface DataInit {
  streamId: number;
  flags?: number;
  data: Uint8Array;
  part?: DataPart;
}
/**
 * Where a piece of a DATA frame sits in its frame, for a decoder asked to
 * hand over DATA as it arrives (`dataPieces`): `data` is then only the bytes
 * at hand, `length` the whole payload's, and `flags` the frame's own on
 * every piece.
 */
export interface DataPart {
  /** Length of the whole frame's payload. */
  readonly length: number;
  /** The frame's first piece: the one its checks and flow control are done on. */
  readonly first: boolean;
  /** The frame's last piece: its FIN, if any, takes effect here. */
  readonly last: boolean;
}
/** A chunk of a stream's body. `data` may be a view into the bytes received. */
export class DataFrame {
  readonly frameType = DATA;
  streamId: number;
  flags: number;
  data: Uint8Array;
  /** Set on a piece of a frame split across inputs (see `DataPart`); absent on a whole frame. */
  part?: DataPart;
  constructor(init: DataInit) {
    this.streamId = init.streamId;
    this.flags = init.flags ?? 0;
    this.data = init.data;
    if (init.part) this.part = init.part;
  }
  /** Payload length, as for control frames. */
  get length(): number {
    return this.data.byteLength;
  }
}

/** Every control frame, tagged by `frameType`. */
export type ControlFrame =
  | SynStreamFrame | SynReplyFrame | RstStreamFrame | SettingsFrame | NoopFrame
  | PingFrame | GoawayFrame | HeadersFrame | WindowUpdateFrame | CredentialFrame;

/** Every frame SPDY defines, tagged by `frameType`. */
export type Frame = ControlFrame | DataFrame;

/** A plain object with a frame's fields: what the encoder accepts besides frame instances. */
export type FrameInit =
  | ({ frameType: typeof SYN_STREAM } & SynStreamInit)
  | ({ frameType: typeof SYN_REPLY } & StreamNvInit)
  | ({ frameType: typeof HEADERS } & StreamNvInit)
  | ({ frameType: typeof RST_STREAM } & RstStreamInit)
  | ({ frameType: typeof SETTINGS } & SettingsInit)
  | ({ frameType: typeof NOOP } & CtrlInit)
  | ({ frameType: typeof PING } & PingInit)
  | ({ frameType: typeof GOAWAY } & GoawayInit)
  | ({ frameType: typeof WINDOW_UPDATE } & WindowUpdateInit)
  | ({ frameType: typeof CREDENTIAL } & CredentialInit)
  | ({ frameType: typeof DATA } & DataInit);

/** Builds the frame instance a plain object describes (instances pass through). */
export function toFrame(init: Frame | FrameInit): Frame {
  if (init instanceof CtrlFrame || init instanceof DataFrame) return init as Frame;
  switch (init.frameType) {
    case SYN_STREAM: return new SynStreamFrame(init);
    case SYN_REPLY: return new SynReplyFrame(init);
    case HEADERS: return new HeadersFrame(init);
    case RST_STREAM: return new RstStreamFrame(init);
    case SETTINGS: return new SettingsFrame(init);
    case NOOP: return new NoopFrame(init);
    case PING: return new PingFrame(init);
    case GOAWAY: return new GoawayFrame(init);
    case WINDOW_UPDATE: return new WindowUpdateFrame(init);
    case CREDENTIAL: return new CredentialFrame(init);
    case DATA: return new DataFrame(init);
  }
  throw new InvalidArgumentError(`unknown frame type ${(init as { frameType: unknown }).frameType}`);
}
