/**
 * Which frames a stream's state allows, as spdylay decides it. `mine` says
 * whether this side started the stream. Each check returns 0 when the frame
 * may go, else the `ERR_*` code that `onCtrlNotSendCb` reports.
 */
import {
  ERR_DEFERRED_DATA_EXIST, ERR_INVALID_STREAM_ID, ERR_INVALID_STREAM_STATE, ERR_STREAM_CLOSED,
  ERR_STREAM_CLOSING, ERR_STREAM_SHUT_WR,
} from '../base/constants.js';
import type { Stream } from './stream.js';

function writable(stream: Stream | undefined): number {
  if (!stream) return ERR_STREAM_CLOSED;
  return stream.shutWrite ? ERR_STREAM_SHUT_WR : 0;
}

/** A SYN_REPLY answers a peer's stream that has had no reply yet. */
export function synReplyBlocked(stream: Stream | undefined, mine: boolean): number {
  const error = writable(stream);
  if (error !== 0 || !stream) return error;
  if (mine) return ERR_INVALID_STREAM_ID;
  if (stream.state === 'opening') return 0;
  return stream.state === 'closing' ? ERR_STREAM_CLOSING : ERR_INVALID_STREAM_STATE;
}

/** HEADERS go on our streams, and on the peer's once we replied. */
export function headersBlocked(stream: Stream | undefined, mine: boolean): number {
  const error = writable(stream);
  if (error !== 0 || !stream) return error;
  if (stream.state === 'closing') return ERR_STREAM_CLOSING;
  return mine || stream.state === 'opened' ? 0 : ERR_INVALID_STREAM_STATE;
}

/** DATA as HEADERS, and never while other DATA of the stream is parked. */
export function dataBlocked(stream: Stream | undefined, mine: boolean): number {
  const error = headersBlocked(stream, mine);
  if (error === 0 && stream?.deferred) return ERR_DEFERRED_DATA_EXIST;
  return error;
}

/** DATA from the peer is read on our streams once answered, on theirs until our RST_STREAM. */
export function dataReceivable(stream: Stream, mine: boolean): boolean {
  if (stream.shutRead) return false;
  return mine ? stream.state === 'opened' : stream.state !== 'closing';
}
