/**
 * The codec as Web Streams: bytes to frames and frames to bytes. Each is a
 * `{ readable, writable }` pair holding a `TransformStream` rather than a
 * subclass of one, so that the stream classes are looked up when a codec
 * stream is made, not when this module loads: the `polyfilled` entry may
 * install its classes after the library's modules are evaluated (as a
 * CommonJS bundle does). `pipeThrough` takes any such pair.
 */
import { TransformStream } from '../base/web-streams.js';
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
export class FrameDecoderStream {
  /** The decoded frames. */
  readonly readable: ReadableStream<DecodedFrame>;
  /** Where the bytes go in. */
  readonly writable: WritableStream<Uint8Array>;

  constructor(options: CodecOptions) {
    const decoder = new FrameDecoder(options);
    const pair = new TransformStream<Uint8Array, DecodedFrame>({
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
    this.readable = pair.readable;
    this.writable = pair.writable;
  }
}

/** Frame objects (instances or plain objects with `frameType`) in, bytes out. */
export class FrameEncoderStream {
  /** The encoded bytes. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Where the frames go in. */
  readonly writable: WritableStream<Frame | FrameInit>;

  constructor(options: CodecOptions) {
    const encoder = new FrameEncoder(options);
    const pair = new TransformStream<Frame | FrameInit, Uint8Array>({
      transform(frame, controller) {
        controller.enqueue(encoder.encode(frame));
      },
    });
    this.readable = pair.readable;
    this.writable = pair.writable;
  }
}
