/**
 * What a SPDY session runs over: any pair of byte streams. Node's
 * `Duplex.toWeb(socket)`, Deno and Bun sockets, a Workers `connect()` socket
 * and `createMemoryTransportPair()` all have this shape.
 */
export interface Transport {
  /** Bytes from the peer. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer. Chunks written are handed over, never reused by the session. */
  readonly writable: WritableStream<Uint8Array>;
  /**
   * Optional gathered write, which a transport offers when it can send
   * several byte arrays as one (a socket's writev). The parts go out in
   * order, after everything written before; the promise settles once the
   * transport no longer holds them, since they are views of the
   * application's own chunks. With it, a session sends frame heads and
   * DATA payloads as they are; without it, it copies each batch into one
   * chunk for `writable`, which keeps it. `writable` still takes the end
   * (`close()`, `abort()`).
   */
  writev?(parts: readonly Uint8Array[]): Promise<void>;
  /**
   * Optional direct reading, which a transport offers when its bytes come
   * as events (a Node socket's `'data'`): from the call on, each chunk of
   * `readable` goes to `sink.chunk` as it arrives, without the stream's
   * read steps per chunk (a promise and a queue round each), and the
   * readable stays locked. Returns null and changes nothing when `readable`
   * is locked, has ended, or holds chunks not read yet: the session then
   * reads `readable` as usual.
   */
  subscribe?(sink: TransportSink): TransportSubscription | null;
}

/** Where a transport read directly (`Transport.subscribe`) hands its bytes. */
export interface TransportSink {
  /** A chunk from the peer; it must not throw. */
  chunk(bytes: Uint8Array): void;
  /** The peer ended its side. */
  end(): void;
  /** The transport failed. */
  error(reason: unknown): void;
}

/** A transport being read directly. */
export interface TransportSubscription {
  /** Holds further chunks back (the transport stops reading) until `resume()`. */
  pause(): void;
  resume(): void;
  /** Stops reading, as `readable.cancel(reason)` would: a socket is destroyed. */
  cancel(reason?: unknown): Promise<void>;
}
