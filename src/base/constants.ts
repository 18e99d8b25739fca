/**
 * Wire values of SPDY/2, SPDY/3 and SPDY/3.1, named as spdylay names them.
 * Values come from the SPDY drafts and spdylay's public C header.
 */

/** Which end of the connection a session is. */
export const CLIENT = 1;
export const SERVER = 2;
export type Side = typeof CLIENT | typeof SERVER;

/** SPDY/2. */
export const PROTO_SPDY2 = 2;
/** SPDY/3. */
export const PROTO_SPDY3 = 3;
/** SPDY/3.1: SPDY/3 framing plus a connection-level flow-control window. */
export const PROTO_SPDY3_1 = 4;
export type ProtocolVersion = typeof PROTO_SPDY2 | typeof PROTO_SPDY3 | typeof PROTO_SPDY3_1;
/** The version field on the wire: SPDY/3.1 frames say 3. */
export type WireVersion = 2 | 3;

// Frame types. DATA has no type on the wire; 0 tags it in the Frame union.
export const DATA = 0;
export const SYN_STREAM = 1;
export const SYN_REPLY = 2;
export const RST_STREAM = 3;
export const SETTINGS = 4;
/** Deprecated in SPDY/3. */
export const NOOP = 5;
export const PING = 6;
export const GOAWAY = 7;
export const HEADERS = 8;
/** First appeared in SPDY/3. */
export const WINDOW_UPDATE = 9;
/** First appeared in SPDY/3. */
export const CREDENTIAL = 10;

// Control frame flags.
export const CTRL_FLAG_NONE = 0;
export const CTRL_FLAG_FIN = 0x1;
export const CTRL_FLAG_UNIDIRECTIONAL = 0x2;

// DATA frame flags.
export const DATA_FLAG_NONE = 0;
export const DATA_FLAG_FIN = 0x1;

// SETTINGS frame flags.
export const FLAG_SETTINGS_NONE = 0;
export const FLAG_SETTINGS_CLEAR_SETTINGS = 1;

// SETTINGS entry flags.
export const ID_FLAG_SETTINGS_NONE = 0;
export const ID_FLAG_SETTINGS_PERSIST_VALUE = 1;
export const ID_FLAG_SETTINGS_PERSISTED = 2;

// SETTINGS IDs.
export const SETTINGS_UPLOAD_BANDWIDTH = 1;
export const SETTINGS_DOWNLOAD_BANDWIDTH = 2;
export const SETTINGS_ROUND_TRIP_TIME = 3;
export const SETTINGS_MAX_CONCURRENT_STREAMS = 4;
export const SETTINGS_CURRENT_CWND = 5;
export const SETTINGS_DOWNLOAD_RETRANS_RATE = 6;
export const SETTINGS_INITIAL_WINDOW_SIZE = 7;
/** First appeared in SPDY/3. */
export const SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE = 8;
export const SETTINGS_MAX = 8;

// RST_STREAM status codes. OK is not valid on the wire.
export const OK = 0;
export const PROTOCOL_ERROR = 1;
export const INVALID_STREAM = 2;
export const REFUSED_STREAM = 3;
export const UNSUPPORTED_VERSION = 4;
export const CANCEL = 5;
export const INTERNAL_ERROR = 6;
export const FLOW_CONTROL_ERROR = 7;
// Introduced in SPDY/3.
export const STREAM_IN_USE = 8;
export const STREAM_ALREADY_CLOSED = 9;
export const INVALID_CREDENTIALS = 10;
export const FRAME_TOO_LARGE = 11;

// GOAWAY status codes (SPDY/3; a SPDY/2 GOAWAY carries none).
export const GOAWAY_OK = 0;
export const GOAWAY_PROTOCOL_ERROR = 1;
export const GOAWAY_INTERNAL_ERROR = 2;

/**
 * `Session.setOption`: turn the automatic WINDOW_UPDATEs off (true) or on
 * (false); with them off the application gives windows back, with
 * `submitWindowUpdate` or `consume`.
 */
export const OPT_NO_AUTO_WINDOW_UPDATE = 1;
/**
 * `Session.setOption`: spdylay's newer name (value 3) for automatic updates
 * off, the application reporting the bytes it consumed with
 * `Session.consume`. Here it switches the same thing as
 * `OPT_NO_AUTO_WINDOW_UPDATE`.
 */
export const OPT_NO_AUTO_WINDOW_UPDATE2 = 3;

/** Set on `readCtrl.flags` by a DataProvider's read callback at the end of the body. */
export const READ_EOF = 1;

// Error codes (spdylay_error).
export const ERR_INVALID_ARGUMENT = -501;
export const ERR_ZLIB = -502;
export const ERR_UNSUPPORTED_VERSION = -503;
export const ERR_WOULDBLOCK = -504;
export const ERR_PROTO = -505;
export const ERR_INVALID_FRAME = -506;
export const ERR_EOF = -507;
export const ERR_DEFERRED = -508;
export const ERR_STREAM_ID_NOT_AVAILABLE = -509;
export const ERR_STREAM_CLOSED = -510;
export const ERR_STREAM_CLOSING = -511;
export const ERR_STREAM_SHUT_WR = -512;
export const ERR_INVALID_STREAM_ID = -513;
export const ERR_INVALID_STREAM_STATE = -514;
export const ERR_DEFERRED_DATA_EXIST = -515;
export const ERR_SYN_STREAM_NOT_ALLOWED = -516;
export const ERR_GOAWAY_ALREADY_SENT = -517;
export const ERR_INVALID_HEADER_BLOCK = -518;
export const ERR_INVALID_STATE = -519;
export const ERR_GZIP = -520;
export const ERR_TEMPORAL_CALLBACK_FAILURE = -521;
export const ERR_FRAME_TOO_LARGE = -522;
// Codes below ERR_FATAL mean the session cannot go on.
export const ERR_FATAL = -900;
export const ERR_NOMEM = -901;
export const ERR_CALLBACK_FAILURE = -902;

/** Largest payload a frame's 24-bit length field can state. */
export const MAX_FRAME_LENGTH = 0xffffff;
/** Largest stream id (31 bits). */
export const MAX_STREAM_ID = 0x7fffffff;
/** Largest flow-control window (31 bits). */
export const MAX_WINDOW_SIZE = 0x7fffffff;
/** Initial flow-control window of SPDY/3 and SPDY/3.1. */
export const DEFAULT_WINDOW_SIZE = 65536;

/** The wire version that a protocol version puts in frame headers. */
export function wireVersion(version: ProtocolVersion): WireVersion {
  return version === PROTO_SPDY2 ? 2 : 3;
}
