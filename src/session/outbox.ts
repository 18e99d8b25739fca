/**
 * What a session has to send, as items of its outbound queue: control
 * frames at their stream's priority (or ahead of everything), RST_STREAM,
 * answers the peer's frames call for (counted against what it may make us
 * owe), bodies, and DATA put back after it was parked.
 */
import { GOAWAY_PROTOCOL_ERROR, type WireVersion } from '../base/constants.js';
import { RstStreamFrame, type ControlFrame } from '../codec/frames.js';
import type { AnyDataProvider } from './data-provider.js';
import type { PeerLimits } from './limits.js';
import { OutboundQueue, URGENT_PRI, type OutboundItem } from './outbound-queue.js';
import type { DeferReason, Stream } from './stream.js';
import type { StreamTable } from './stream-table.js';

export class Outbox {
  private readonly queue = new OutboundQueue();

  constructor(
    private readonly wire: WireVersion,
    /** The priority of frames on streams we do not know. */
    private readonly lowestPri: number,
    private readonly streams: StreamTable,
    private readonly limits: PeerLimits,
    /** The peer made us owe more answers than it may: the session is given up. */
    private readonly onReplyFlood: (statusCode: number) => void,
  ) {}

  /** Frames queued, SYN_STREAMs held by the concurrency limit included, parked DATA not. */
  get size(): number {
    return this.queue.size;
  }

  /** Something can be sent now (a SYN_STREAM only while the peer lets us open a stream). */
  get ready(): boolean {
    return this.queue.ready(this.streams.mayOpenOutgoing);
  }

  /** The item that would go next. */
  peek(): OutboundItem | undefined {
    return this.queue.peek(this.streams.mayOpenOutgoing);
  }

  /** Takes the item that goes next. */
  pop(): OutboundItem | undefined {
    return this.queue.pop(this.streams.mayOpenOutgoing);
  }

  some(test: (item: OutboundItem) => boolean): boolean {
    return this.queue.some(test);
  }

  /** Queues an item behind those of its priority. */
  push(item: OutboundItem): void {
    this.queue.push(this.queue.stamp(item));
  }

  /** A control frame on a stream, at the stream's priority. */
  streamFrame(frame: ControlFrame, streamId: number, dataPrd?: AnyDataProvider): void {
    this.push({ kind: 'ctrl', frame, pri: this.streamPri(streamId), seq: 0, dataPrd });
  }

  /** A frame for the whole session (SETTINGS, PING, GOAWAY, WINDOW_UPDATE): ahead of everything. */
  urgent(frame: ControlFrame): void {
    this.push({ kind: 'ctrl', frame, pri: URGENT_PRI, seq: 0 });
  }

  /** A body for a stream; DATA_FLAG_FIN in `flags` ends the stream with its last frame. */
  data(streamId: number, flags: number, provider: AnyDataProvider): void {
    this.push({ kind: 'data', streamId, flags, provider, eof: false, pri: this.streamPri(streamId), seq: 0 });
  }

  /** Queues RST_STREAM; the stream is CLOSING until it goes out. */
  rstStream(streamId: number, statusCode: number): RstStreamFrame {
    const stream = this.streams.get(streamId);
    if (stream) stream.state = 'closing';
    const frame = new RstStreamFrame({ version: this.wire, streamId, statusCode });
    this.streamFrame(frame, streamId);
    return frame;
  }

  /** Counts a queued frame as an answer the peer made us owe. */
  reply(frame: ControlFrame): void {
    if (!this.limits.replyQueued(frame)) this.onReplyFlood(GOAWAY_PROTOCOL_ERROR);
  }

  /** Puts back DATA parked for `reason`, keeping its place; false when none was. */
  resume(stream: Stream, reason: DeferReason): boolean {
    if (stream.deferred?.reason !== reason) return false;
    const { item } = stream.deferred;
    stream.deferred = null;
    this.queue.push(item);
    return true;
  }

  private streamPri(streamId: number): number {
    return this.streams.get(streamId)?.pri ?? this.lowestPri;
  }
}
