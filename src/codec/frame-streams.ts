/** The codec as Web Streams: bytes to frames and frames to bytes. */
import { ERR_EOF, GOAWAY_PROTOCOL_ERROR } from '../base/constants.js';
import type { Frame, FrameInit } from './frames.js';
import { FrameDecoder, type DecodedFrame } from './frame-decoder.js';
import { FrameEncoder, type CodecOptions } from './frame-encoder.js';
import { FrameError } from '../base/errors.js';

/**
 * Bytes in, one frame object per wire frame out. Invalid header blocks come
 * out as `InvalidFrame`s and decoding goes on; a broken byte stream errors
 * the stream with a `FrameError` whose `statusCode` is the GOAWAY status.
 * A stream that ends in the middle of a frame errors too (`FrameError`, ERR_EOF).
 */
export class FrameDecoderStream extends TransformStream<Uint8Array, DecodedFrame> {
  constructor(options: CodecOptions) {
    const decoder = new FrameDecoder(options);
    super({
      transform(chunk, controller) {
        decoder.write(chunk, (frame) => controller.enqueue(frame));
      },
      flush(controller) {
        if (!decoder.idle) {
          controller.error(new FrameError('input ended inside a frame', {
            code: ERR_EOF, statusCode: GOAWAY_PROTOCOL_ERROR,
          }));
        }
      },
    });
  }
}

/** Frame objects (instances or plain objects with `frameType`) in, bytes out. */
export class FrameEncoderStream extends TransformStream<Frame | FrameInit, Uint8Array> {
  constructor(options: CodecOptions) {
    const encoder = new FrameEncoder(options);
    super({
      transform(frame, controller) {
        controller.enqueue(encoder.encode(frame));
      },
    });
  }
}
