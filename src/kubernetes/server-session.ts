/**
 * What the exec and port-forward servers share: accepting every stream the
 * client opens (each answered at once, as the kubelet's spdystream does),
 * and ending the session so that a client that drops the socket as soon
 * as it has what it came for (kubectl does, streams still open) is a normal
 * end and not an error.
 */
import type { Nv } from '../codec/nv.js';
import type { SpdySession } from '../streams/spdy-session.js';
import type { SpdyStream } from '../streams/spdy-stream.js';

/** The kubelet's wait for the client's streams (`streamCreationTimeout`). */
export const STREAM_TIMEOUT_MS = 30_000;

/** A header of a stream's SYN_STREAM ('' when absent); kubectl sends names in lower case. */
export function headerOf(nv: Nv, name: string): string {
  return nv.find(([n]) => n === name)?.[1] ?? '';
}

/** The `streamtype` header of an accepted stream (see `acceptStreams`). */
export function streamType(stream: SpdyStream): string {
  return types.get(stream) ?? '';
}

const types = new WeakMap<SpdyStream, string>();

/**
 * Answers every stream the peer opens on `session` with an empty SYN_REPLY
 * and hands it to `onStream` with its header block, in arrival order.
 * Resolves when the peer can open no more (the session ended, however it
 * ended: the end's cause is `session.closed`'s business).
 */
export async function acceptStreams(session: SpdySession, onStream: (stream: SpdyStream, headers: Nv) => void): Promise<void> {
  const reader = session.incoming.getReader();
  try {
    for (;;) {
      const { value: stream, done } = await reader.read();
      if (done) return;
      let headers: Nv;
      try {
        headers = await stream.headers;
        await stream.respond([]);
      } catch {
        // Reset by the peer before we answered: nothing to hand over.
        continue;
      }
      types.set(stream, headerOf(headers, 'streamtype'));
      onStream(stream, headers);
    }
  } catch {
    // The session failed (a peer that dropped the socket, say): no more streams.
  } finally {
    reader.releaseLock();
  }
}

/**
 * Sends GOAWAY and waits for the session to end. The session's failure
 * (`EOFError` when the peer dropped the socket with streams open) is not
 * reported: the exchange it carried is over either way.
 */
export async function endSession(session: SpdySession, accepting: Promise<void>): Promise<void> {
  await session.close().catch(() => undefined);
  await accepting;
}
