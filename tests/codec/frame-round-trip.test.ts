// Every frame of every version encodes to bytes and decodes back to itself.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CREDENTIAL, CTRL_FLAG_FIN, CTRL_FLAG_UNIDIRECTIONAL, CredentialFrame, DATA, DATA_FLAG_FIN, DataFrame,
  FLAG_SETTINGS_CLEAR_SETTINGS, FrameDecoder, FrameEncoder, GOAWAY, GOAWAY_INTERNAL_ERROR, GoawayFrame,
  HEADERS, HeaderInflater, HeadersFrame, ID_FLAG_SETTINGS_PERSIST_VALUE, NOOP, NoopFrame, PING, PROTO_SPDY2, PROTO_SPDY3,
  PROTO_SPDY3_1, PingFrame, REFUSED_STREAM, RST_STREAM, RstStreamFrame, SERVER, SETTINGS,
  SETTINGS_INITIAL_WINDOW_SIZE, SETTINGS_MAX_CONCURRENT_STREAMS, SYN_REPLY, SYN_STREAM, SettingsFrame,
  SynReplyFrame, SynStreamFrame, WINDOW_UPDATE, WindowUpdateFrame, type DecodedFrame, type Frame, type FrameInit,
  type ProtocolVersion, UnknownFrame, nameTo2,
} from '../../src/codec/index.js';
import { toHex } from './captures.js';

const VERSIONS: [string, ProtocolVersion, number][] = [
  ['SPDY/2', PROTO_SPDY2, 2], ['SPDY/3', PROTO_SPDY3, 3], ['SPDY/3.1', PROTO_SPDY3_1, 3],
];

const REQUEST: [string, string][] = [
  [':host', 'example.org'], [':method', 'GET'], [':path', '/a?b=c'], [':scheme', 'https'],
  [':version', 'HTTP/1.1'], ['accept', '*/*'], ['user-agent', 'spdy-streams'],
];
const RESPONSE: [string, string][] = [
  [':status', '200 OK'], [':version', 'HTTP/1.1'], ['content-type', 'text/plain'], ['server', 'test'],
];

/** `nv` in the order a decoder gives it back: sorted by the name on the wire. */
function inWireOrder(nv: [string, string][], wire: number): [string, string][] {
  const key = (name: string): string => (wire === 2 ? nameTo2(name) : name);
  return [...nv].sort((a, b) => (key(a[0]) < key(b[0]) ? -1 : key(a[0]) > key(b[0]) ? 1 : 0));
}

function pair(version: ProtocolVersion) {
  return {
    encoder: new FrameEncoder({ version, side: SERVER }),
    decoder: new FrameDecoder({ version }),
  };
}

/** Encodes one frame and decodes the bytes back to exactly one frame. */
function roundTrip(version: ProtocolVersion, frame: Frame | FrameInit): { bytes: Uint8Array; back: DecodedFrame } {
  const { encoder, decoder } = pair(version);
  const bytes = encoder.encode(frame);
  const frames = decoder.push(bytes);
  assert.is(frames.length, 1);
  return { bytes, back: frames[0]! };
}

for (const [label, version, wire] of VERSIONS) {
  const t = suite(`round trip in ${label}`);

  t('SYN_STREAM keeps every field and the header list', () => {
    const pri = wire === 2 ? 3 : 7;
    const { bytes, back } = roundTrip(version, new SynStreamFrame({
      streamId: 0x7ffffffd, assocStreamId: 6, pri, slot: wire === 2 ? 0 : 9,
      flags: CTRL_FLAG_FIN | CTRL_FLAG_UNIDIRECTIONAL, nv: REQUEST,
    }));
    assert.instance(back, SynStreamFrame);
    const f = back as SynStreamFrame;
    assert.is(f.version, wire);
    assert.is(f.flags, CTRL_FLAG_FIN | CTRL_FLAG_UNIDIRECTIONAL);
    assert.is(f.length, bytes.length - 8);
    assert.is(f.streamId, 0x7ffffffd);
    assert.is(f.assocStreamId, 6);
    assert.is(f.pri, pri);
    assert.is(f.slot, wire === 2 ? 0 : 9);
    assert.equal(f.nv, inWireOrder(REQUEST, wire));
    assert.equal(Array.from(bytes.subarray(0, 5)), [0x80, wire, 0, SYN_STREAM, 3]);
  });

  t('SYN_STREAM priority has the version\'s width: 2 bits in SPDY/2, 3 bits and a slot in SPDY/3', () => {
    const { bytes } = roundTrip(version, { frameType: SYN_STREAM, streamId: 1, pri: wire === 2 ? 2 : 5, slot: 4, nv: REQUEST });
    if (wire === 2) {
      assert.is(bytes[16], 2 << 6);
      assert.is(bytes[17], 0, 'SPDY/2 has no slot');
    } else {
      assert.is(bytes[16], 5 << 5);
      assert.is(bytes[17], 4);
    }
  });

  t('SYN_REPLY keeps its fields; SPDY/2 puts 2 unused bytes after the stream id', () => {
    const { bytes, back } = roundTrip(version, new SynReplyFrame({ streamId: 3, flags: CTRL_FLAG_FIN, nv: RESPONSE }));
    assert.instance(back, SynReplyFrame);
    const f = back as SynReplyFrame;
    assert.is(f.version, wire);
    assert.is(f.streamId, 3);
    assert.is(f.flags, CTRL_FLAG_FIN);
    assert.is(f.length, bytes.length - 8);
    assert.equal(f.nv, inWireOrder(RESPONSE, wire));
    assert.is(bytes[3], SYN_REPLY);
    // The zlib header (0x38 for window bits 11) follows the fixed fields.
    if (wire === 2) assert.equal(Array.from(bytes.subarray(12, 15)), [0, 0, 0x38]);
    else assert.is(bytes[12], 0x38);
  });

  t('HEADERS keeps its fields; SPDY/2 puts 2 unused bytes after the stream id', () => {
    const nv: [string, string][] = [['x-trailer', 'done']];
    const { bytes, back } = roundTrip(version, new HeadersFrame({ streamId: 5, flags: CTRL_FLAG_FIN, nv }));
    assert.instance(back, HeadersFrame);
    const f = back as HeadersFrame;
    assert.is(f.streamId, 5);
    assert.is(f.flags, CTRL_FLAG_FIN);
    assert.equal(f.nv, nv);
    assert.is(bytes[3], HEADERS);
    if (wire === 2) assert.equal(Array.from(bytes.subarray(12, 15)), [0, 0, 0x38]);
    else assert.is(bytes[12], 0x38);
  });

  t('RST_STREAM is 8 bytes: stream id and status', () => {
    const { bytes, back } = roundTrip(version, new RstStreamFrame({ streamId: 9, statusCode: REFUSED_STREAM }));
    assert.is(toHex(bytes), `800${wire}0003000000080000000900000003`);
    assert.instance(back, RstStreamFrame);
    assert.is((back as RstStreamFrame).streamId, 9);
    assert.is((back as RstStreamFrame).statusCode, REFUSED_STREAM);
    assert.is((back as RstStreamFrame).length, 8);
  });

  t('SETTINGS keeps flags and every entry; the id bytes follow the version', () => {
    const iv: [number, number, number][] = [
      [SETTINGS_MAX_CONCURRENT_STREAMS, ID_FLAG_SETTINGS_PERSIST_VALUE, 100],
      [SETTINGS_INITIAL_WINDOW_SIZE, 0, 0x7fffffff],
      [0x123456, 2, 0xfffffffe],
    ];
    const { bytes, back } = roundTrip(version, new SettingsFrame({ flags: FLAG_SETTINGS_CLEAR_SETTINGS, iv }));
    assert.instance(back, SettingsFrame);
    const f = back as SettingsFrame;
    assert.is(f.flags, FLAG_SETTINGS_CLEAR_SETTINGS);
    assert.is(f.length, 4 + 3 * 8);
    assert.equal(f.iv, iv);
    const entries = toHex(bytes.subarray(12));
    if (wire === 2) {
      // SPDY/2: 24-bit id little-endian, then the flags byte.
      assert.is(entries, '04000001' + '00000064' + '07000000' + '7fffffff' + '56341202' + 'fffffffe');
    } else {
      // SPDY/3: flags byte, then the 24-bit id big-endian.
      assert.is(entries, '01000004' + '00000064' + '00000007' + '7fffffff' + '02123456' + 'fffffffe');
    }
    assert.is(toHex(bytes.subarray(0, 12)), `800${wire}0004010000${(28).toString(16)}00000003`);
  });

  t('NOOP is an empty control frame', () => {
    const { bytes, back } = roundTrip(version, new NoopFrame());
    assert.is(toHex(bytes), `800${wire}000500000000`);
    assert.instance(back, NoopFrame);
  });

  t('PING carries a 32-bit unique id', () => {
    const { bytes, back } = roundTrip(version, new PingFrame({ uniqueId: 0xfffffffe }));
    assert.is(toHex(bytes), `800${wire}000600000004fffffffe`);
    assert.instance(back, PingFrame);
    assert.is((back as PingFrame).uniqueId, 0xfffffffe);
  });

  t(`GOAWAY is ${wire === 2 ? '4 bytes with no status' : '8 bytes with a status'}`, () => {
    const { bytes, back } = roundTrip(version, new GoawayFrame({ lastGoodStreamId: 7, statusCode: GOAWAY_INTERNAL_ERROR }));
    assert.instance(back, GoawayFrame);
    const f = back as GoawayFrame;
    assert.is(f.lastGoodStreamId, 7);
    if (wire === 2) {
      assert.is(toHex(bytes), '80020007000000040000000' + '7');
      assert.is(f.statusCode, 0);
      assert.is(f.length, 4);
    } else {
      assert.is(toHex(bytes), '800300070000000800000007' + '00000002');
      assert.is(f.statusCode, GOAWAY_INTERNAL_ERROR);
      assert.is(f.length, 8);
    }
  });

  t('WINDOW_UPDATE carries a stream id (0 for the connection) and a 31-bit delta', () => {
    for (const streamId of [0, 1]) {
      const { bytes, back } = roundTrip(version, new WindowUpdateFrame({ streamId, deltaWindowSize: 0x7fffffff }));
      assert.is(toHex(bytes), `800${wire}0009000000080000000${streamId}7fffffff`);
      assert.instance(back, WindowUpdateFrame);
      assert.is((back as WindowUpdateFrame).streamId, streamId);
      assert.is((back as WindowUpdateFrame).deltaWindowSize, 0x7fffffff);
    }
  });

  t('DATA keeps stream id, flags and payload; it has no version', () => {
    const payload = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const { bytes, back } = roundTrip(version, new DataFrame({ streamId: 0x01020304, flags: DATA_FLAG_FIN, data: payload }));
    assert.is(toHex(bytes.subarray(0, 8)), '010203040100012c');
    assert.instance(back, DataFrame);
    const f = back as DataFrame;
    assert.is(f.streamId, 0x01020304);
    assert.is(f.flags, DATA_FLAG_FIN);
    assert.is(f.length, 300);
    assert.equal(Array.from(f.data), Array.from(payload));
  });

  t('an empty DATA frame with FIN is 8 bytes', () => {
    const { bytes, back } = roundTrip(version, { frameType: DATA, streamId: 1, flags: DATA_FLAG_FIN, data: new Uint8Array(0) });
    assert.is(toHex(bytes), '0000000101000000');
    assert.is((back as DataFrame).data.length, 0);
  });

  t('plain objects with frameType encode like the frame classes', () => {
    const inits: FrameInit[] = [
      { frameType: SYN_STREAM, streamId: 1, pri: 1, nv: REQUEST },
      { frameType: SYN_REPLY, streamId: 1, nv: RESPONSE },
      { frameType: HEADERS, streamId: 1, nv: [['a', 'b']] },
      { frameType: RST_STREAM, streamId: 1, statusCode: 5 },
      { frameType: SETTINGS, iv: [[4, 0, 10]] },
      { frameType: NOOP },
      { frameType: PING, uniqueId: 2 },
      { frameType: GOAWAY, lastGoodStreamId: 1 },
      { frameType: WINDOW_UPDATE, streamId: 1, deltaWindowSize: 10 },
      { frameType: DATA, streamId: 1, data: new Uint8Array([1, 2]) },
    ];
    const plain = pair(version);
    const classes = pair(version);
    const classFrames: Frame[] = [
      new SynStreamFrame({ streamId: 1, pri: 1, nv: REQUEST }),
      new SynReplyFrame({ streamId: 1, nv: RESPONSE }),
      new HeadersFrame({ streamId: 1, nv: [['a', 'b']] }),
      new RstStreamFrame({ streamId: 1, statusCode: 5 }),
      new SettingsFrame({ iv: [[4, 0, 10]] }),
      new NoopFrame(),
      new PingFrame({ uniqueId: 2 }),
      new GoawayFrame({ lastGoodStreamId: 1 }),
      new WindowUpdateFrame({ streamId: 1, deltaWindowSize: 10 }),
      new DataFrame({ streamId: 1, data: new Uint8Array([1, 2]) }),
    ];
    inits.forEach((init, i) => {
      const a = plain.encoder.encode(init);
      assert.is(toHex(a), toHex(classes.encoder.encode(classFrames[i]!)), `frameType ${init.frameType}`);
      const [back] = plain.decoder.push(a);
      assert.is(back!.frameType, init.frameType);
    });
  });

  t('the encoder stamps version and length on the frame it is given', () => {
    const frame = new PingFrame({ uniqueId: 1, version: wire === 2 ? 3 : 2 });
    pair(version).encoder.encode(frame);
    assert.is(frame.version, wire);
    assert.is(frame.length, 4);
  });

  if (wire === 2) {
    t('SPDY/2 has no CREDENTIAL frame: it decodes as unknown', () => {
      const { back } = roundTrip(version, new CredentialFrame({ slot: 1, proof: new Uint8Array([1]), certificates: [] }));
      assert.instance(back, UnknownFrame);
      assert.is((back as UnknownFrame).frameType, CREDENTIAL);
    });
  } else {
    t('CREDENTIAL keeps slot, proof and each certificate', () => {
      const proof = new Uint8Array([9, 8, 7]);
      const certificates = [new Uint8Array([1, 2, 3, 4]), new Uint8Array(0), new Uint8Array([5])];
      const { bytes, back } = roundTrip(version, new CredentialFrame({ slot: 0x0102, proof, certificates }));
      assert.is(toHex(bytes), '8003000a0000001a' + '0102' + '00000003' + '090807' + '00000004' + '01020304' + '00000000' + '00000001' + '05');
      assert.instance(back, CredentialFrame);
      const f = back as CredentialFrame;
      assert.is(f.slot, 0x0102);
      assert.equal(Array.from(f.proof), [9, 8, 7]);
      assert.equal(f.certificates.map((c) => Array.from(c)), [[1, 2, 3, 4], [], [5]]);
    });
  }

  t.run();
}

/** The names of an uncompressed SPDY/2 block (16-bit lengths), in wire order. */
function wireNames2(block: Uint8Array): string[] {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const names: string[] = [];
  let pos = 2;
  for (let i = 0; i < view.getUint16(0); i++) {
    const n = view.getUint16(pos);
    names.push(new TextDecoder().decode(block.subarray(pos + 2, pos + 2 + n)));
    pos += 2 + n;
    pos += 2 + view.getUint16(pos);
  }
  return names;
}

const names = suite('SPDY/2 header names');

names('the SPDY/3 names go out as method, url, version, host, scheme, status and come back as SPDY/3 names', () => {
  const { encoder, decoder } = pair(PROTO_SPDY2);
  const nv: [string, string][] = [...REQUEST, [':status', '200 OK']];
  const bytes = encoder.encode({ frameType: SYN_STREAM, streamId: 1, nv });
  const block = new HeaderInflater(2, 65536).inflate(bytes.subarray(18))!;
  assert.equal(wireNames2(block), ['accept', 'host', 'method', 'scheme', 'status', 'url', 'user-agent', 'version']);
  const [back] = decoder.push(bytes);
  // Sorted by the SPDY/2 wire names: accept, host, method, scheme, status, url, user-agent, version.
  assert.equal((back as SynStreamFrame).nv.map(([n]) => n), [
    'accept', ':host', ':method', ':scheme', ':status', ':path', 'user-agent', ':version',
  ]);
  assert.equal(new Map((back as SynStreamFrame).nv), new Map(nv));
});

names.run();
