// NPN/ALPN tokens: the offer, the mapping to versions, the choice.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, getNpnProtocols, npnGetVersion, selectNextProtocol,
} from '../../src/codec/index.js';

test('the protocol list is spdy/3.1, spdy/3, spdy/2 in that order', () => {
  assert.equal(getNpnProtocols(), ['spdy/3.1', 'spdy/3', 'spdy/2']);
});

test('each token maps to its version and anything else to 0', () => {
  assert.is(npnGetVersion('spdy/3.1'), PROTO_SPDY3_1);
  assert.is(npnGetVersion('spdy/3'), PROTO_SPDY3);
  assert.is(npnGetVersion('spdy/2'), PROTO_SPDY2);
  for (const other of ['spdy/4', 'http/1.1', '', null, undefined]) assert.is(npnGetVersion(other), 0);
});

test('the chooser picks the highest SPDY both speak, then http/1.1, then nothing', () => {
  assert.equal(selectNextProtocol(['http/1.1', 'spdy/2', 'spdy/3']), { protocol: 'spdy/3', version: PROTO_SPDY3 });
  assert.equal(selectNextProtocol(['spdy/4', 'http/1.1']), { protocol: 'http/1.1', version: 0 });
  assert.equal(selectNextProtocol(['spdy/4', 'spdy/2.1', 'http/1.0']), { protocol: null, version: -1 });
});

test.run();
