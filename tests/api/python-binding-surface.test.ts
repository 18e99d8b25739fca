// Every class, method, attribute, helper, constant and exception that the
// Python binding's documentation lists exists here under its camelCase name,
// with the same value for constants. The list is the document's own
// directives, kept in python-binding-names.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as api from '../../src/index-node.js';
import type { SessionCallbacks } from '../../src/index.js';
import { BINDING_ENTRIES } from './python-binding-names.js';

interface Entry { kind: string; owner: string | null; name: string }

function entries(): Entry[] {
  return BINDING_ENTRIES.map(([kind, owner, name]) => ({ kind, owner, name }));
}

const camel = (snake: string): string => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const exported = api as unknown as Record<string, unknown>;

// What the document calls `frame_type` and `status_code` on every frame, and the
// callbacks it lists under Session: a typed object, so a misnamed key fails to compile.
const noop = (): undefined => undefined;
const CALLBACKS: Required<Pick<SessionCallbacks,
  'sendCb' | 'recvCb' | 'onCtrlRecvCb' | 'onInvalidCtrlRecvCb' | 'onDataChunkRecvCb' | 'onDataRecvCb' |
  'beforeCtrlSendCb' | 'onCtrlSendCb' | 'onCtrlNotSendCb' | 'onDataSendCb' | 'onStreamCloseCb' |
  'onRequestRecvCb' | 'onCtrlRecvParseErrorCb' | 'onUnknownCtrlRecvCb'>> = {
  sendCb: noop, recvCb: noop, onCtrlRecvCb: noop, onInvalidCtrlRecvCb: noop, onDataChunkRecvCb: noop,
  onDataRecvCb: noop, beforeCtrlSendCb: noop, onCtrlSendCb: noop, onCtrlNotSendCb: noop, onDataSendCb: noop,
  onStreamCloseCb: noop, onRequestRecvCb: noop, onCtrlRecvParseErrorCb: noop, onUnknownCtrlRecvCb: noop,
};

/** One instance of each class, to look attributes up on. */
function instanceOf(name: string): object {
  const frameFields = {
    streamId: 1, assocStreamId: 0, pri: 0, slot: 0, nv: [], statusCode: 0, iv: [], uniqueId: 1,
    lastGoodStreamId: 0, deltaWindowSize: 1, proof: new Uint8Array(0), certificates: [],
  };
  switch (name) {
    case 'Session':
      return new api.Session(api.CLIENT, api.PROTO_SPDY3, { ...CALLBACKS, userData: { any: 'thing' } });
    case 'DataProvider':
      return new api.DataProvider(null, () => new Uint8Array(0));
    case 'CtrlFrame':
      return new api.SynStreamFrame(frameFields);
    case 'BaseSPDYStreamHandler':
      return new api.BaseSPDYStreamHandler('https://localhost/', null);
    case 'BaseSPDYRequestHandler':
      return new api.BaseSPDYRequestHandler(new Request('https://localhost/x'), ['127.0.0.1', 1], null);
    default: {
      const Class = exported[name] as new (init: object) => object;
      return new Class(frameFields);
    }
  }
}

test('the list holds every kind of entry the document has', () => {
  const kinds = new Set(entries().map((e) => e.kind));
  assert.equal([...kinds].sort(), ['attribute', 'class', 'data', 'function', 'method', 'module']);
  assert.ok(entries().length > 150, `${entries().length} entries`);
});

test('every class and exception is exported under its own name', () => {
  for (const e of entries().filter((x) => x.kind === 'class')) {
    assert.type(exported[e.name], 'function', `class ${e.name}`);
  }
  for (const name of ['EOFError', 'CallbackFailureError', 'TemporalCallbackFailureError', 'InvalidArgumentError',
    'ZlibError', 'UnsupportedVersionError', 'StreamClosedError']) {
    const Err = exported[name] as new () => Error;
    assert.instance(new Err(), api.SpdyError, name);
    assert.instance(new Err(), Error, name);
  }
});

test('every constant is exported with the same UPPER_CASE name and a number', () => {
  const data = entries().filter((e) => e.kind === 'data');
  assert.ok(data.length > 60, `${data.length} constants`);
  for (const e of data) assert.type(exported[e.name], 'number', e.name);
  // Wire values that peers depend on, spot-checked against the drafts.
  assert.equal([api.SYN_STREAM, api.HEADERS, api.CREDENTIAL, api.FRAME_TOO_LARGE, api.SETTINGS_INITIAL_WINDOW_SIZE], [1, 8, 10, 11, 7]);
  assert.equal([api.ERR_INVALID_ARGUMENT, api.ERR_DEFERRED, api.ERR_CALLBACK_FAILURE, api.READ_EOF], [-501, -508, -902, 1]);
  assert.equal([api.CLIENT, api.SERVER, api.PROTO_SPDY2, api.PROTO_SPDY3, api.PROTO_SPDY3_1], [1, 2, 2, 3, 4]);
});

test('every method is there in camelCase on its class', () => {
  for (const e of entries().filter((x) => x.kind === 'method')) {
    const owner = e.owner!;
    const target = instanceOf(owner) as Record<string, unknown>;
    assert.type(target[camel(e.name)], 'function', `${owner}.${camel(e.name)}`);
  }
});

test('every attribute is there in camelCase on an instance of its class', () => {
  for (const e of entries().filter((x) => x.kind === 'attribute')) {
    const owner = e.owner!;
    const target = instanceOf(owner);
    assert.ok(camel(e.name) in target, `${owner}.${camel(e.name)}`);
  }
  assert.equal((instanceOf('Session') as api.Session).userData, { any: 'thing' });
});

test('every helper function is exported, and every callback is a Session option', () => {
  const functions = entries().filter((e) => e.kind === 'function');
  const callbacks = functions.filter((e) => e.name.endsWith('_cb'));
  const helpers = functions.filter((e) => !e.name.endsWith('_cb'));
  for (const e of helpers) assert.type(exported[camel(e.name)], 'function', camel(e.name));
  // read_cb belongs to DataProvider; the rest are the Session's fourteen.
  const sessionCallbacks = callbacks.filter((e) => e.name !== 'read_cb').map((e) => camel(e.name)).sort();
  assert.equal(sessionCallbacks, Object.keys(CALLBACKS).sort());
  assert.type(instanceOf('DataProvider') as { readCb: unknown }, 'object');
});

test.run();
