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
   * Optional lent reads, which a transport offers when it can read into
   * memory it reuses (a dialled socket's `onread`). From the call on, the
   * bytes from the peer go to `sink` (those already read first, in order)
   * and never to `readable`, which only ends or fails as the connection
   * does. Each chunk is the sink's until it returns or, when it returns a
   * promise, until that settles: reading waits for it. A session over
   * such a transport copies out only the DATA payloads it hands on, and
   * makes no memory per read. Once only.
   */
  lend?(sink: (chunk: Uint8Array) => Promise<void> | void): void;
  /**
   * Optional, with `lend`: makes the memory a session copies each DATA
   * payload of a lent read into, new and exactly `length` bytes long. A
   * transport offers it when its runtime can give memory without clearing
   * it first (Node's `Buffer.allocUnsafeSlow`): the copy writes it all over
   * at once, and on a large download the clearing was 7-10% of the
   * receiver's sampled time. Without it, each copy is a new zeroed array.
   */
  allocate?(length: number): Uint8Array;
}
