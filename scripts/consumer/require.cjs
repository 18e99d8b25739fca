// Loads the CommonJS build the way a Node user does and checks that the
// entries share their classes.
const root = require('spdy-streams');
const codec = require('spdy-streams/codec');
const node = require('spdy-streams/node');
const assert = require('node:assert');
assert.equal(typeof root.connect, 'function');
assert.equal(root.PingFrame, codec.PingFrame);
assert.equal(root.socketToWeb, node.socketToWeb);
