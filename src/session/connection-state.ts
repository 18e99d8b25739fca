/**
 * Where a session's connection is in its life (GOAWAY sent or received,
 * failed, input given up) and the ids it has handed out or seen: what the
 * send path, the receive path and the public API all read and move.
 */
import { CLIENT, MAX_STREAM_ID, type Side } from '../base/constants.js';

export class ConnectionState {
  /** The next stream id we give a SYN_STREAM. */
  nextStreamId: number;
  /** The next unique id of a PING of ours. */
  nextPingId: number;
  /** Our PING awaiting its echo, or 0. */
  lastPingId = 0;
  /** The highest stream id the peer has opened. */
  lastRecvStreamId = 0;
  /** The last-good-stream-id of the peer's GOAWAY. */
  peerLastGoodStreamId: number | null = null;
  goawaySent = false;
  goawayRecv = false;
  /** `failSession` was called: once its GOAWAY is written the session is over. */
  failOnSend = false;
  /** The status `failSession` was given, whether its GOAWAY went out or not. */
  failStatus: number | null = null;
  /** Input could not be followed any more: whatever comes next is ignored. */
  inputBroken = false;

  constructor(readonly side: Side) {
    this.nextStreamId = side === CLIENT ? 1 : 2;
    this.nextPingId = side === CLIENT ? 1 : 2;
  }

  /** True for ids this side starts: odd for a client, even for a server; never 0. */
  isMine(id: number): boolean {
    if (id === 0) return false;
    return this.side === CLIENT ? id % 2 === 1 : id % 2 === 0;
  }

  /** The unique id of our next PING: ids wrap round after 2^31-1. */
  takePingId(): number {
    if (this.nextPingId > MAX_STREAM_ID) this.nextPingId = this.side === CLIENT ? 1 : 2;
    const id = this.nextPingId;
    this.nextPingId += 2;
    return id;
  }

  /** A GOAWAY went either way: no new streams. */
  get goingAway(): boolean {
    return this.goawaySent || this.goawayRecv;
  }

  /** The GOAWAY of `failSession` has been written: nothing more is sent or read. */
  get over(): boolean {
    return this.failOnSend && this.goawaySent;
  }
}
