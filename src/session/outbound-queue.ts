/**
 * Frames waiting to be sent, in the order spdylay sends them: by priority
 * (lower value first), control frames before DATA of the same priority,
 * first come first served within that. New SYN_STREAMs wait in a queue of
 * their own so that they can be held while the peer's concurrent-stream
 * limit is reached without holding anything else.
 */
import { SYN_STREAM } from '../base/constants.js';
import type { ControlFrame } from '../codec/frames.js';
import type { AnyDataProvider } from './data-provider.js';
import { PriorityHeap } from './priority-heap.js';

/** Priority of frames that concern the whole session (SETTINGS, PING, GOAWAY, WINDOW_UPDATE). */
export const URGENT_PRI = -1;

/** A control frame to send, with what it brings along. */
export interface CtrlItem {
  readonly kind: 'ctrl';
  readonly frame: ControlFrame;
  pri: number;
  seq: number;
  /** SYN_STREAM and SYN_REPLY: the body that follows the frame. */
  readonly dataPrd?: AnyDataProvider | undefined;
  /** SYN_STREAM: the stream's user data. */
  readonly streamUserData?: unknown;
}

/** A stream body being sent, one DATA frame at a time. */
export interface DataItem {
  readonly kind: 'data';
  readonly streamId: number;
  /** DATA_FLAG_FIN: put FIN on the last frame. */
  readonly flags: number;
  readonly provider: AnyDataProvider;
  /** The read callback has said READ_EOF. */
  eof: boolean;
  pri: number;
  seq: number;
}

export type OutboundItem = CtrlItem | DataItem;

function before(a: OutboundItem, b: OutboundItem): boolean {
  if (a.pri !== b.pri) return a.pri < b.pri;
  if (a.kind !== b.kind) return a.kind === 'ctrl';
  return a.seq < b.seq;
}

export function isSynStream(item: OutboundItem): item is CtrlItem {
  return item.kind === 'ctrl' && item.frame.frameType === SYN_STREAM;
}

export class OutboundQueue {
  private readonly regular = new PriorityHeap<OutboundItem>(before);
  private readonly synStreams = new PriorityHeap<OutboundItem>(before);
  private nextSeq = 0;

  /** Frames queued, SYN_STREAMs held back included, parked DATA not. */
  get size(): number {
    return this.regular.size + this.synStreams.size;
  }

  /** A fresh sequence number: an item given one goes behind its equals. */
  stamp(item: OutboundItem): OutboundItem {
    item.seq = this.nextSeq++;
    return item;
  }

  /** Queues an item, keeping the sequence number it has. */
  push(item: OutboundItem): void {
    (isSynStream(item) ? this.synStreams : this.regular).push(item);
  }

  /** The item that would go next; SYN_STREAMs only when `mayOpen`. */
  peek(mayOpen: boolean): OutboundItem | undefined {
    return this.choose(mayOpen)?.peek();
  }

  pop(mayOpen: boolean): OutboundItem | undefined {
    return this.choose(mayOpen)?.pop();
  }

  /** Something can be sent now (SYN_STREAMs count only when `mayOpen`). */
  ready(mayOpen: boolean): boolean {
    return this.regular.size > 0 || (mayOpen && this.synStreams.size > 0);
  }

  some(test: (item: OutboundItem) => boolean): boolean {
    return this.regular.some(test) || this.synStreams.some(test);
  }

  private choose(mayOpen: boolean): PriorityHeap<OutboundItem> | undefined {
    const regular = this.regular.peek();
    const syn = mayOpen ? this.synStreams.peek() : undefined;
    if (regular === undefined) return syn === undefined ? undefined : this.synStreams;
    if (syn === undefined) return this.regular;
    return before(syn, regular) ? this.synStreams : this.regular;
  }
}
