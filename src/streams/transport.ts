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
}
