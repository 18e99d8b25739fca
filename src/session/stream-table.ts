/**
 * The open streams of a session, with the counts the concurrency limits
 * need, and the closing rules: a close is announced before the stream is
 * forgotten, and closing a stream can take the streams pushed under it.
 * New streams take their windows from the settings in force.
 */
import { OK } from '../base/constants.js';
import type { SessionSettings } from './settings.js';
import { Stream, type StreamState } from './stream.js';

export class StreamTable {
  private readonly map = new Map<number, Stream>();
  /** Open streams this side started. */
  outgoing = 0;
  /** Open streams the peer started. */
  incoming = 0;

  constructor(
    private readonly settings: SessionSettings,
    private readonly isMine: (streamId: number) => boolean,
    /** Runs before the stream is removed, so that its user data is still there. */
    private readonly onClose: (streamId: number, statusCode: number) => void,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(streamId: number): Stream | undefined {
    return this.map.get(streamId);
  }

  has(streamId: number): boolean {
    return this.map.has(streamId);
  }

  values(): IterableIterator<Stream> {
    return this.map.values();
  }

  /** The peer's MAX_CONCURRENT_STREAMS leaves room for another stream of ours. */
  get mayOpenOutgoing(): boolean {
    return this.outgoing < this.settings.maxOutgoing;
  }

  /** Our MAX_CONCURRENT_STREAMS leaves room for another stream of the peer's. */
  get mayAcceptIncoming(): boolean {
    return this.incoming < this.settings.maxIncoming;
  }

  open(id: number, pri: number, state: StreamState, userData: unknown, assocStreamId: number): Stream {
    const stream = new Stream(
      id, pri, state, this.settings.initialSendWindow, this.settings.initialRecvWindow, userData, assocStreamId,
    );
    this.map.set(id, stream);
    if (this.isMine(id)) this.outgoing++;
    else this.incoming++;
    const parent = assocStreamId !== 0 ? this.map.get(assocStreamId) : undefined;
    if (parent) (parent.pushed ??= []).push(id);
    return stream;
  }

  close(streamId: number, statusCode: number): void {
    const stream = this.map.get(streamId);
    if (!stream) return;
    this.onClose(streamId, statusCode);
    this.map.delete(streamId);
    if (this.isMine(streamId)) this.outgoing--;
    else this.incoming--;
    const parent = this.map.get(stream.assocStreamId);
    const at = parent?.pushed?.indexOf(streamId) ?? -1;
    if (at >= 0) parent!.pushed!.splice(at, 1);
  }

  /** Closes a stream with OK once both directions are shut. */
  closeIfDone(stream: Stream): void {
    if (stream.shutBoth) this.close(stream.id, OK);
  }

  /** Closes the streams pushed under `streamId` (not the stream itself). */
  closePushed(streamId: number, statusCode: number): void {
    const stream = this.map.get(streamId);
    for (const id of stream?.pushed?.slice() ?? []) this.close(id, statusCode);
  }
}
