// An old `moduleResolution: node10` consumer: the sub-paths through typesVersions.
import { SpdySession } from 'spdy-streams';
import { FrameEncoder } from 'spdy-streams/codec';
import { dial } from 'spdy-streams/node';
import { connectBun } from 'spdy-streams/bun';

export const used = [SpdySession, FrameEncoder, dial, connectBun];
