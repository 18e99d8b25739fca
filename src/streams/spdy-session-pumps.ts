/**
 * The transport's two pumps. Frames decoded from `transport.readable` go
 * into the Session as they come; whatever the Session has to send after
 * each event is gathered and written to `transport.writable` in one chunk,
 * and the Session stops producing while the transport is behind.
 */
import { concatBytes } from '../base/bytes.js';
import { ERR_EOF, GOAWAY_PROTOCOL_ERROR } from '../base/constants.js';
import { FrameDecoder, type DecodedFrame } from '../codec/frame-decoder.js';
import { EOFError, FrameError } from '../base/errors.js';
import { deferred } from './deferred.js';
import { SpdySessionEnd } from './spdy-session-end.js';

/** SpdySession's reading from and writing to its transport. */
export abstract class SpdySessionPumps extends SpdySessionEnd {
  // ---- inbound ----

  /** Starts reading `input`: each chunk's frames go to the Session. */
  protected readFrom(input: ReadableStream<Uint8Array>): void {
    // Frames are decoded in the sink, not by a FrameDecoderStream: one
    // stream step per transport chunk rather than one per frame. The
    // transport is cancelled once the pipe has stopped, after the writes
    // already made reach the session.
    const decoder = new FrameDecoder({ version: this.version, side: this.coreSide, config: this.coreConfig });
    const onFrame = (frame: DecodedFrame): void => this.onFrame(frame);
    input
      .pipeTo(
        new WritableStream<Uint8Array>({
          write: (chunk) => this.onBytes(decoder, chunk, onFrame),
          close: () => {
            if (decoder.idle) this.onInputEnd();
            else this.onInputError(new FrameError('input ended inside a frame', { code: ERR_EOF, statusCode: GOAWAY_PROTOCOL_ERROR }));
          },
          abort: (reason) => this.onInputError(reason),
        }),
        { signal: this.stopReading.signal, preventCancel: true },
      )
      .catch((reason: unknown) => input.cancel(reason))
      .catch(() => {});
  }

  /**
   * Bytes from the transport: each frame they complete goes to the Session.
   * The promise returned holds the next chunk back while the application
   * is behind (`gateReads`). An undecodable input throws, which stops the
   * transport too, once the GOAWAY is queued.
   */
  protected onBytes(decoder: FrameDecoder, chunk: Uint8Array, onFrame: (frame: DecodedFrame) => void): Promise<void> | void {
    if (this.state === 'closed') return undefined;
    try {
      decoder.write(chunk, onFrame);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      this.onInputError(err);
      throw err;
    }
    if (this.gateReads && this.buffered > this.readLimit && this.isOpen()) {
      this.readGate ??= deferred();
      return this.readGate.promise;
    }
    return undefined;
  }

  protected onFrame(frame: DecodedFrame): void {
    if (this.state === 'closed') return;
    try {
      this.core.recvFrame(frame);
    } catch (err) {
      this.finish(err);
      return;
    }
    this.flush();
  }

  protected onInputEnd(): void {
    if (this.state === 'closed') return;
    const idle = this.streams.size === 0 && this.opening.size === 0;
    this.finish(idle ? this.goawayError() : new EOFError('the peer closed the connection with streams open'));
  }

  protected onInputError(reason: unknown): void {
    if (this.state === 'closed') return;
    if (!(reason instanceof FrameError)) {
      this.finish(reason, true);
      return;
    }
    // The GOAWAY goes out first; the decoder's error is what the session ends with.
    this.decodeError = reason;
    try {
      this.core.recvDecodeError(reason);
      this.flush();
    } catch {
      // The session is failing either way.
    }
    this.finish(reason);
  }

  // ---- outbound ----

  protected onSend(data: Uint8Array): number {
    if (this.blocked || this.state === 'closed') return 0;
    this.out.push(data);
    this.outBytes += data.length;
    if (this.outBytes + this.inFlight >= this.writeBufferSize) this.blocked = true;
    return data.length;
  }

  /** A DATA frame in two parts: `writeOut` gathers them, so the payload is copied once. */
  protected onSendData(head: Uint8Array, payload: Uint8Array): number {
    if (this.blocked || this.state === 'closed') return 0;
    const n = head.length + payload.length;
    this.out.push(head, payload);
    this.outBytes += n;
    if (this.outBytes + this.inFlight >= this.writeBufferSize) this.blocked = true;
    return n;
  }

  /** Runs the Session's send loop and writes what it produced. */
  protected flush(): void {
    if (this.state === 'closed') return;
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = true;
    try {
      do {
        this.flushAgain = false;
        this.core.send();
        while (this.afterSend.length > 0) {
          this.afterSend.shift()!();
          this.flushAgain = true;
        }
      } while (this.flushAgain && !this.blocked);
    } catch (err) {
      this.flushing = false;
      this.writeOut();
      this.finish(err);
      return;
    }
    this.flushing = false;
    this.writeOut();
    this.checkDone();
  }

  protected writeOut(): void {
    if (this.outBytes === 0) return;
    const n = this.outBytes;
    const chunk = this.out.length === 1 ? this.out[0]! : concatBytes(this.out);
    this.out = [];
    this.outBytes = 0;
    this.inFlight += n;
    this.writer.write(chunk).then(
      () => {
        this.inFlight -= n;
        if (this.blocked && this.inFlight < this.writeBufferSize) {
          this.blocked = false;
          this.flush();
        }
      },
      (err) => this.finish(err, true),
    );
  }
}
