/**
 * Wire values of SPDY/2, SPDY/3 and SPDY/3.1, named as spdylay names them.
 * Values come from the SPDY drafts and spdylay's public C header.
 */

/** Which end of the connection a session is: the client end. */
export const CLIENT = 1;
/** The server end (`CLIENT` is the client end). */
export const SERVER = 2;
/** `CLIENT` or `SERVER`. */
export type Side = typeof CLIENT | typeof SERVER;

/** SPDY/2. */
export const PROTO_SPDY2 = 2;
/** SPDY/3. */
export const PROTO_SPDY3 = 3;
/** SPDY/3.1: SPDY/3 framing plus a connection-level flow-control window. */
export const PROTO_SPDY3_1 = 4;
/** A protocol version: `PROTO_SPDY2`, `PROTO_SPDY3` or `PROTO_SPDY3_1`. */
export type ProtocolVersion = typeof PROTO_SPDY2 | typeof PROTO_SPDY3 | typeof PROTO_SPDY3_1;
/** The version field on the wire: SPDY/3.1 frames say 3. */
export type WireVersion = 2 | 3;

// Frame types. DATA has no type on the wire; 0 tags it in the Frame union.
/** DATA: a chunk of a stream's body (no type on the wire; 0 tags it in the `Frame` union). */
export const DATA = 0;
/** SYN_STREAM: opens a stream. */
export const SYN_STREAM = 1;
/** SYN_REPLY: accepts a stream (the response headers). */
export const SYN_REPLY = 2;
/** RST_STREAM: ends a stream abnormally. */
export const RST_STREAM = 3;
/** SETTINGS: session parameters. */
export const SETTINGS = 4;
/** Deprecated in SPDY/3. */
export const NOOP = 5;
/** PING: a round-trip probe. */
export const PING = 6;
/** GOAWAY: the end of the session. */
export const GOAWAY = 7;
/** HEADERS: more headers on an open stream. */
export const HEADERS = 8;
/** First appeared in SPDY/3. */
export const WINDOW_UPDATE = 9;
/** First appeared in SPDY/3. */
export const CREDENTIAL = 10;

// Control frame flags.
/** Control frame flags: none. */
export const CTRL_FLAG_NONE = 0;
/** Control frame flag: the sender's side of the stream ends with this frame. */
export const CTRL_FLAG_FIN = 0x1;
/** SYN_STREAM flag: the receiver may not send on the stream (server push). */
export const CTRL_FLAG_UNIDIRECTIONAL = 0x2;

// DATA frame flags.
/** DATA frame flags: none. */
export const DATA_FLAG_NONE = 0;
/** DATA frame flag: the sender's side of the stream ends with this frame. */
export const DATA_FLAG_FIN = 0x1;

// SETTINGS frame flags.
/** SETTINGS frame flags: none. */
export const FLAG_SETTINGS_NONE = 0;
/** SETTINGS frame flag: forget the settings persisted earlier. */
export const FLAG_SETTINGS_CLEAR_SETTINGS = 1;

// SETTINGS entry flags.
/** SETTINGS entry flags: none. */
export const ID_FLAG_SETTINGS_NONE = 0;
/** SETTINGS entry flag (server to client): keep this value for later sessions. */
export const ID_FLAG_SETTINGS_PERSIST_VALUE = 1;
/** SETTINGS entry flag (client to server): a value kept from an earlier session. */
export const ID_FLAG_SETTINGS_PERSISTED = 2;

// SETTINGS IDs.
/** SETTINGS id: the sender's expected upload bandwidth. */
export const SETTINGS_UPLOAD_BANDWIDTH = 1;
/** SETTINGS id: the sender's expected download bandwidth. */
export const SETTINGS_DOWNLOAD_BANDWIDTH = 2;
/** SETTINGS id: the sender's expected round-trip time. */
export const SETTINGS_ROUND_TRIP_TIME = 3;
/** SETTINGS id: how many streams the receiver may open at once. */
export const SETTINGS_MAX_CONCURRENT_STREAMS = 4;
/** SETTINGS id: the sender's current TCP congestion window. */
export const SETTINGS_CURRENT_CWND = 5;
/** SETTINGS id: the sender's download retransmission rate. */
export const SETTINGS_DOWNLOAD_RETRANS_RATE = 6;
/** SETTINGS id: the initial flow-control window of new streams. */
export const SETTINGS_INITIAL_WINDOW_SIZE = 7;
/** First appeared in SPDY/3. */
export const SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE = 8;
/** The largest SETTINGS id defined. */
export const SETTINGS_MAX = 8;

// RST_STREAM status codes. OK is not valid on the wire.
/** Status of a stream that closed normally (never sent in RST_STREAM). */
export const OK = 0;
/** RST_STREAM status: a protocol error. */
export const PROTOCOL_ERROR = 1;
/** RST_STREAM status: a frame for a stream that is not active. */
export const INVALID_STREAM = 2;
/** RST_STREAM status: the stream was refused before any processing. */
export const REFUSED_STREAM = 3;
/** RST_STREAM status: the version is not supported. */
export const UNSUPPORTED_VERSION = 4;
/** RST_STREAM status: the stream is no longer needed. */
export const CANCEL = 5;
/** RST_STREAM status: the sender failed in a way unrelated to the protocol. */
export const INTERNAL_ERROR = 6;
/** RST_STREAM status: the peer broke flow control. */
export const FLOW_CONTROL_ERROR = 7;
// Introduced in SPDY/3.
/** RST_STREAM status (SPDY/3): a SYN_REPLY for a stream already open. */
export const STREAM_IN_USE = 8;
/** RST_STREAM status (SPDY/3): data or headers on a half-closed stream. */
export const STREAM_ALREADY_CLOSED = 9;
/** RST_STREAM status (SPDY/3): the credentials for the stream are not valid. */
export const INVALID_CREDENTIALS = 10;
/** RST_STREAM status (SPDY/3): a frame too large to process. */
export const FRAME_TOO_LARGE = 11;

// GOAWAY status codes (SPDY/3; a SPDY/2 GOAWAY carries none).
/** GOAWAY status: a normal end of the session. */
export const GOAWAY_OK = 0;
/** GOAWAY status: the session ends on a protocol error. */
export const GOAWAY_PROTOCOL_ERROR = 1;
/** GOAWAY status: the session ends on an internal error. */
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
/** Error code: an argument given to the API is not acceptable. */
export const ERR_INVALID_ARGUMENT = -501;
/** Error code: header compression failed. */
export const ERR_ZLIB = -502;
/** Error code: the version is not supported. */
export const ERR_UNSUPPORTED_VERSION = -503;
/** Error code: the operation would block. */
export const ERR_WOULDBLOCK = -504;
/** Error code: a protocol error. */
export const ERR_PROTO = -505;
/** Error code: a frame is malformed. */
export const ERR_INVALID_FRAME = -506;
/** Error code: end of input. */
export const ERR_EOF = -507;
/** Error code: a data provider deferred the data. */
export const ERR_DEFERRED = -508;
/** Error code: stream ids are exhausted. */
export const ERR_STREAM_ID_NOT_AVAILABLE = -509;
/** Error code: the stream is closed. */
export const ERR_STREAM_CLOSED = -510;
/** Error code: the stream is closing (RST_STREAM queued). */
export const ERR_STREAM_CLOSING = -511;
/** Error code: the stream's sending side is already closed. */
export const ERR_STREAM_SHUT_WR = -512;
/** Error code: the stream id is not valid. */
export const ERR_INVALID_STREAM_ID = -513;
/** Error code: the stream is not in a state that allows this. */
export const ERR_INVALID_STREAM_STATE = -514;
/** Error code: the stream already has deferred data. */
export const ERR_DEFERRED_DATA_EXIST = -515;
/** Error code: no new stream may be opened (GOAWAY). */
export const ERR_SYN_STREAM_NOT_ALLOWED = -516;
/** Error code: a GOAWAY was already sent. */
export const ERR_GOAWAY_ALREADY_SENT = -517;
/** Error code: a header block is not valid. */
export const ERR_INVALID_HEADER_BLOCK = -518;
/** Error code: the session is not in a state that allows this. */
export const ERR_INVALID_STATE = -519;
/** Error code: decoding a gzip body failed. */
export const ERR_GZIP = -520;
/** Error code: a callback failed for one stream only. */
export const ERR_TEMPORAL_CALLBACK_FAILURE = -521;
/** Error code: a frame is larger than allowed. */
export const ERR_FRAME_TOO_LARGE = -522;
// The library's own codes, from -601 down: none of spdylay's, and none fatal.
/** Error code: a peer or a transport took longer than a configured timeout. */
export const ERR_TIMEOUT = -601;
/** Error code: the connection's start (its preface, or the HTTP/1.1 Upgrade) could not be read or was refused here. */
export const ERR_HANDSHAKE = -602;
/** Error code: what came where an HTTP/1.1 head was due does not start like one. */
export const ERR_NOT_HTTP = -603;
/** Error code: an HTTP/1.1 head has a header line without a name and a colon. */
export const ERR_MALFORMED_HEAD = -604;
/** Error code: the server answered the Upgrade request without switching to SPDY. */
export const ERR_UPGRADE_REFUSED = -605;
/** Error code: the connection closed before the exchange it was in was over. */
export const ERR_CONNECTION_CLOSED = -606;
/** Error code: a body read whole (`stream.bytes({ limit })`) grew past its limit. */
export const ERR_BODY_TOO_LARGE = -607;
/** Codes below this one mean the session cannot go on. */
export const ERR_FATAL = -900;
/** Error code (fatal): out of memory. */
export const ERR_NOMEM = -901;
/** Error code (fatal): a user callback failed. */
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
