// Loads the ES modules the way a Node user does and checks that the entries
// share their classes.
import * as root from 'spdy-streams';
import * as codec from 'spdy-streams/codec';
import * as node from 'spdy-streams/node';
import assert from 'node:assert';

assert.equal(typeof root.connect, 'function');
assert.equal(root.PingFrame, codec.PingFrame);
assert.equal(root.socketToWeb, node.socketToWeb);
