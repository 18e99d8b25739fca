/**
 * Frame tracing by tapping a transport: each direction's bytes are decoded a
 * second time, by decoders of our own, and handed on unchanged. The session
 * is not involved, so the trace shows exactly what crossed the wire
 * (including frames the session rejects) and costs nothing when unused.
 */
import { SpdyError } from '../base/errors.js';
import { TransformStream, ownReadable, ownWritable } from '../base/web-streams.js';
import { DATA, type ProtocolVersion } from '../base/constants.js';
import { FrameDecoder, type DecodedFrame } from '../codec/frame-decoder.js';
import { formatFrame, formatTimestamp, frameTypeName } from '../codec/trace.js';
import type { Frame } from '../codec/frames.js';
import type { SpdyConfig } from '../base/config.js';
import type { Transport } from '../streams/transport.js';

/** Where a traced frame went. */
export type TraceDirection = 'send' | 'recv';

/** Receives each frame as it crosses the transport, or the decoding error that ended the trace. */
export type FrameListener = (direction: TraceDirection, frame: DecodedFrame | Error) => void;

/** Options of `traceTransport`. */
export interface TraceOptions {
  version: ProtocolVersion;
  /** `maxHeaderBlockSize` applies to the tracing decoders too. */
  config?: SpdyConfig;
}

function tap(direction: TraceDirection, options: TraceOptions, listener: FrameListener): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new FrameDecoder({ version: options.version, config: options.config });
  let broken = false;
  return new TransformStream({
    transform(chunk, controller) {
      if (!broken) {
        try {
          // The decoder may keep views of `chunk`; the session gets the same bytes, unmodified.
          decoder.write(chunk, (frame) => listener(direction, frame));
        } catch (err) {
          broken = true;
          listener(direction, err instanceof Error ? err : new SpdyError(String(err), { cause: err }));
        }
      }
      controller.enqueue(chunk);
    },
  });
}

/** `transport`, with every frame in both directions reported to `listener`. */
export function traceTransport(transport: Transport, options: TraceOptions, listener: FrameListener): Transport {
  const recv = tap('recv', options, listener);
  const send = tap('send', options, listener);
  // Errors reach the session through its own streams; these promises only end.
  send.readable.pipeTo(ownWritable(transport.writable)).catch(() => undefined);
  return { readable: ownReadable(transport.readable).pipeThrough(recv), writable: send.writable };
}

/**
 * A decoded frame in `spdycat -v` form. Frames the codec could not accept
 * are shown by their header fields.
 */
export function formatTracedFrame(direction: TraceDirection, frame: DecodedFrame | Error, elapsedMs: number): string {
  if (frame instanceof Error) return `${formatTimestamp(elapsedMs)} ${direction} broken frame stream: ${frame.message}`;
  if ('data' in frame || frame.frameType === DATA || !('head' in frame)) {
    return formatFrame(direction, frame as Frame, elapsedMs);
  }
  const what = 'error' in frame ? `invalid (${frame.error.message})` : 'unknown';
  return `${formatTimestamp(elapsedMs)} ${direction} ${frameTypeName(frame.frameType)} frame <version=${frame.version}, flags=${frame.flags}, length=${frame.length}> ${what}`;
}
