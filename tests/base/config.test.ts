// The one config: defaults of both layers, checks of each key and between
// keys, resolution once per session, and the codec's narrow share of it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { codecLimits, resolveConfig } from '../../src/base/config.js';
import { CLIENT, PROTO_SPDY3, PROTO_SPDY3_1, SERVER } from '../../src/base/constants.js';
import { InvalidArgumentError } from '../../src/base/errors.js';

const invalid = (e: unknown): boolean => e instanceof InvalidArgumentError;

test('the Session layer defaults are spdylay\'s; the streams layer has larger windows and frames and updates on consume', () => {
  const session = resolveConfig({});
  assert.equal(
    [session.initialWindowSize, session.sessionWindowSize, session.maxDataFrameSize, session.autoWindowUpdate],
    [65536, 65536, 4096, true],
  );
  const streams = resolveConfig({}, CLIENT, { layer: 'streams' });
  assert.equal(
    [streams.initialWindowSize, streams.sessionWindowSize, streams.maxDataFrameSize, streams.autoWindowUpdate],
    [131072, 1048576, 65536, false],
  );
});

test('what the user gives wins over either layer\'s defaults', () => {
  const c = resolveConfig({ initialWindowSize: 1000, autoWindowUpdate: true }, CLIENT, { layer: 'streams' });
  assert.is(c.initialWindowSize, 1000);
  assert.is(c.autoWindowUpdate, true);
});

test('header compression defaults by side: clients send stored blocks, servers level 1 (our fast writer)', () => {
  assert.is(resolveConfig({}, CLIENT).headerCompressionLevel, 0);
  assert.is(resolveConfig({}, SERVER).headerCompressionLevel, 1);
  assert.is(resolveConfig({ headerCompressionLevel: 4 }, SERVER).headerCompressionLevel, 4);
});

test('a resolved config handed down is taken as it is, not resolved again', () => {
  const once = resolveConfig({ maxConcurrentStreams: 7 }, SERVER, { layer: 'streams' });
  assert.is(resolveConfig(once, SERVER), once);
  assert.ok(Object.isFrozen(once));
});

test('unknown keys and bad values are InvalidArgumentError', () => {
  assert.throws(() => resolveConfig({ nope: 1 } as never), invalid);
  assert.throws(() => resolveConfig({ maxPushes: -1 }), invalid);
  assert.throws(() => resolveConfig({ maxUpgradeHeadSize: 10 }), invalid);
  assert.throws(() => resolveConfig({ writeBufferSize: 0 }), invalid);
  assert.throws(() => resolveConfig(5 as never), invalid);
});

test('the limits that used to be constants have defaults here', () => {
  const c = resolveConfig({});
  assert.equal([c.maxPushes, c.maxUpgradeHeadSize, c.writeBufferSize, c.streamWriteHighWaterMark], [32, 16384, 65536, 65536]);
});

test('spdy3Fallback without peer flow control is refused: such a peer gives nothing to tell its version by', () => {
  assert.throws(() => resolveConfig({ spdy3Fallback: true, peerFlowControl: false }), invalid);
  assert.not.throws(() => resolveConfig({ spdy3Fallback: true }));
});

test('SPDY/3.1 streams layer: a buffer cap below the connection window is refused, as a peer within it would be cut off', () => {
  const ctx = { layer: 'streams', version: PROTO_SPDY3_1 } as const;
  assert.throws(() => resolveConfig({ maxSessionBufferedBytes: 100_000 }, SERVER, ctx), invalid);
  assert.not.throws(() => resolveConfig({ maxSessionBufferedBytes: 100_000, sessionWindowSize: 65536 }, SERVER, ctx));
  // No connection window in SPDY/3, and none is held to without peer flow control.
  assert.not.throws(() => resolveConfig({ maxSessionBufferedBytes: 100_000 }, SERVER, { layer: 'streams', version: PROTO_SPDY3 }));
  assert.not.throws(() => resolveConfig({ maxSessionBufferedBytes: 100_000, peerFlowControl: false }, SERVER, ctx));
});

test('the default buffer cap follows a connection window larger than it', () => {
  assert.is(resolveConfig({}).maxSessionBufferedBytes, 16 * 1024 * 1024);
  assert.is(resolveConfig({ sessionWindowSize: 64 * 1024 * 1024 }).maxSessionBufferedBytes, 64 * 1024 * 1024);
});

test('the codec gets its limits only: header bounds, frame length bounds and the compression level', () => {
  const limits = codecLimits(resolveConfig({ maxHeaderBlockSize: 1000, maxHeaderPairs: 9 }, SERVER));
  assert.equal(limits, {
    maxHeaderBlockSize: 1000, maxHeaderPairs: 9, maxControlFrameLength: 1000 + 4096,
    maxDataFrameLength: 1 << 20, headerCompressionLevel: 1,
  });
  assert.is(codecLimits(resolveConfig({ peerFlowControl: false })).maxDataFrameLength, 0xffffff);
  assert.is(codecLimits(resolveConfig({ initialWindowSize: 4 << 20 })).maxDataFrameLength, 4 << 20);
});

test.run();
