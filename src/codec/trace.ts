/**
 * Frame traces in the format of spdylay's `spdycat -v`, which SPDY users
 * know: a time stamp, the direction, the frame, then its fields indented.
 */
import {
  CREDENTIAL, DATA, GOAWAY, HEADERS, NOOP, PING, RST_STREAM, SETTINGS, SYN_REPLY, SYN_STREAM,
  WINDOW_UPDATE,
} from '../base/constants.js';
import type { Frame } from './frames.js';
import type { Nv } from './nv.js';

const NAMES: Record<number, string> = {
  [SYN_STREAM]: 'SYN_STREAM', [SYN_REPLY]: 'SYN_REPLY', [RST_STREAM]: 'RST_STREAM',
  [SETTINGS]: 'SETTINGS', [NOOP]: 'NOOP', [PING]: 'PING', [GOAWAY]: 'GOAWAY',
  [HEADERS]: 'HEADERS', [WINDOW_UPDATE]: 'WINDOW_UPDATE', [CREDENTIAL]: 'CREDENTIAL',
};
const INDENT = ' '.repeat(10);

/** The name of a frame type (`SYN_STREAM`), or `UNKNOWN(n)`. */
export function frameTypeName(type: number): string {
  return type === DATA ? 'DATA' : NAMES[type] ?? `UNKNOWN(${type})`;
}

/** `[  1.234]`: seconds since the start of the session. */
export function formatTimestamp(elapsedMs: number): string {
  return `[${(elapsedMs / 1000).toFixed(3).padStart(7)}]`;
}

/** One frame as `spdycat -v` prints it, lines joined with `\n`, no final newline. */
export function formatFrame(direction: 'send' | 'recv', frame: Frame, elapsedMs: number): string {
  const stamp = formatTimestamp(elapsedMs);
  if (frame.frameType === DATA) {
    return `${stamp} ${direction} DATA frame (stream_id=${frame.streamId}, flags=${frame.flags}, length=${frame.data.length})`;
  }
  const lines = [
    `${stamp} ${direction} ${frameTypeName(frame.frameType)} frame <version=${frame.version}, flags=${frame.flags}, length=${frame.length}>`,
  ];
  const attr = (text: string): void => void lines.push(INDENT + text);
  const nv = (pairs: Nv): void => pairs.forEach(([n, v]) => attr(`${n}: ${v}`));
  switch (frame.frameType) {
    case SYN_STREAM:
      attr(`(stream_id=${frame.streamId}, assoc_stream_id=${frame.assocStreamId}, pri=${frame.pri})`);
      nv(frame.nv);
      break;
    case SYN_REPLY:
    case HEADERS:
      attr(`(stream_id=${frame.streamId})`);
      nv(frame.nv);
      break;
    case RST_STREAM:
      attr(`(stream_id=${frame.streamId}, status_code=${frame.statusCode})`);
      break;
    case SETTINGS:
      attr(`(niv=${frame.iv.length})`);
      for (const [id, flags, value] of frame.iv) attr(`[${id}(${flags}):${value}]`);
      break;
    case PING:
      attr(`(unique_id=${frame.uniqueId})`);
      break;
    case GOAWAY:
      attr(`(last_good_stream_id=${frame.lastGoodStreamId})`);
      break;
    case WINDOW_UPDATE:
      attr(`(stream_id=${frame.streamId}, delta_window_size=${frame.deltaWindowSize})`);
      break;
    case CREDENTIAL:
      attr(`(slot=${frame.slot}, proof_length=${frame.proof.length}, ncerts=${frame.certificates.length})`);
      break;
  }
  return lines.join('\n');
}
