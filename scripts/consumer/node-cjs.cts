// A CommonJS consumer (`require` under node16): each entry point's types.
import { connect, SpdySession, type SpdyRequestInit } from 'spdy-streams';
import { FrameDecoder } from 'spdy-streams/codec';
import { socketToWeb } from 'spdy-streams/node';
import { connectBun } from 'spdy-streams/bun';

const init: SpdyRequestInit = { priority: 3 };
export const used = [connect, SpdySession, FrameDecoder, socketToWeb, connectBun, init];
