/**
 * Idle connections to the API server go through proxies and load
 * balancers that drop them; kubectl pings every 5 s, and so do we.
 */
import type { SpdySession } from '../streams/spdy-session.js';

/** How often an open streaming session pings its peer. */
export const PING_INTERVAL_MS = 5000;

/** Pings `session` every `PING_INTERVAL_MS` until the returned stop is called or the session ends. */
export function keepAlive(session: SpdySession, intervalMs = PING_INTERVAL_MS): () => void {
  const timer = setInterval(() => {
    session.ping().catch(() => stop());
  }, intervalMs);
  // A keep-alive alone must not hold a process open (Node's timers have unref).
  (timer as { unref?: () => void }).unref?.();
  const stop = (): void => clearInterval(timer);
  session.closed.then(stop, stop);
  return stop;
}
