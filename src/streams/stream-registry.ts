/**
 * The streams of a SpdySession: those with an id, those whose SYN_STREAM
 * is queued and has no id yet, and what waits for none to be left (a
 * draining close).
 */
import type { StreamController } from './spdy-stream.js';

export class StreamRegistry {
  private readonly byId = new Map<number, StreamController>();
  /** Submitted SYN_STREAMs that have no id yet. */
  private readonly opening = new Set<StreamController>();
  /** Run once no stream is open or being opened. */
  private readonly idleWaiters: Array<() => void> = [];

  /** `onCount` hears how many streams are open or being opened after each change. */
  constructor(private readonly onCount: (open: number) => void = () => {}) {}

  /** Streams open or being opened. */
  get size(): number {
    return this.byId.size + this.opening.size;
  }

  get(id: number): StreamController | undefined {
    return this.byId.get(id);
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** A stream with its id: one the peer opened, or ours whose SYN_STREAM is going out. */
  add(c: StreamController): void {
    this.opening.delete(c);
    this.byId.set(c.id, c);
    this.onCount(this.size);
  }

  /** A stream whose SYN_STREAM is queued, without an id yet. */
  addOpening(c: StreamController): void {
    this.opening.add(c);
    this.onCount(this.size);
  }

  /** The stream closed (or its SYN_STREAM could not be sent): it is forgotten. */
  remove(c: StreamController): void {
    this.opening.delete(c);
    if (this.byId.get(c.id) === c) this.byId.delete(c.id);
    this.onCount(this.size);
    this.runIfIdle();
  }

  /** Runs `run` once no stream is open or being opened (now, if none is). */
  whenIdle(run: () => void): void {
    this.idleWaiters.push(run);
    this.runIfIdle();
  }

  /** Fails every stream with `reason` (dropping even finished bodies if `dropUnread`) and forgets them all. */
  failAll(reason: unknown, dropUnread: boolean): void {
    const all = [...this.byId.values(), ...this.opening];
    this.byId.clear();
    this.opening.clear();
    for (const c of all) c.fail(reason, dropUnread);
  }

  private runIfIdle(): void {
    if (this.size === 0) for (const run of this.idleWaiters.splice(0)) run();
  }
}
