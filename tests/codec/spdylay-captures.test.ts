// spdylay's captured bytes and traces (tests/fixtures/spdylay) decode to the traced frames; our client bytes match.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT, DataFrame, FrameDecoder, FrameEncoder, GoawayFrame, PROTO_SPDY3, SERVER, SettingsFrame,
  SYN_REPLY, SynReplyFrame, SynStreamFrame, formatFrame, type DecodedFrame, type Frame,
} from '../../src/codec/index.js';
import { Session } from '../../src/session/index.js';
import { captureBytes, toHex, traceLines } from './captures.js';

const clientBytes = captureBytes('WIRE-v3.hex');
const serverBytes = captureBytes('WIRE-v3-server.hex');
const trace = traceLines('TRACE-v3.txt');

/** The trace's frames: each a first line (`[  0.000] send ...`) and its indented lines. */
function traceFrames(lines: string[]): string[][] {
  const frames: string[][] = [];
  for (const line of lines) {
    if (/^\[\s*\d+\.\d{3}\] (send|recv) /.test(line)) frames.push([line]);
    else if (line.startsWith(' '.repeat(10)) && frames.length > 0) frames[frames.length - 1]!.push(line);
  }
  return frames;
}

/** `name: value` lines of a traced header list. */
function tracedHeaders(lines: string[]): [string, string][] {
  return lines.slice(2).map((l) => {
    const text = l.trim();
    const at = text.indexOf(': ', 1);
    return [text.slice(0, at), text.slice(at + 2)];
  });
}

const [tSyn, tSettings, tReply, tData, tDataFin, tGoaway] = traceFrames(trace);

function decodeAll(bytes: Uint8Array, side: typeof CLIENT | typeof SERVER): DecodedFrame[] {
  return new FrameDecoder({ version: PROTO_SPDY3, side }).push(bytes);
}

const client = suite('spdycat\'s SPDY/3 request bytes');

client('decode to the SYN_STREAM and GOAWAY of the trace', () => {
  const frames = decodeAll(clientBytes, SERVER);
  assert.is(frames.length, 2);
  const [syn, goaway] = frames;
  assert.instance(syn, SynStreamFrame);
  const s = syn as SynStreamFrame;
  assert.is(tSyn![0], '[  0.000] send SYN_STREAM frame <version=3, flags=1, length=229>');
  assert.equal([s.version, s.flags, s.length], [3, 1, 229]);
  assert.is(tSyn![1]!.trim(), '(stream_id=1, assoc_stream_id=0, pri=3)');
  assert.equal([s.streamId, s.assocStreamId, s.pri, s.slot], [1, 0, 3, 0]);
  const expected = tracedHeaders(tSyn!);
  assert.equal(s.nv.map(([n]) => n), expected.map(([n]) => n));
  for (const [i, [name, value]] of s.nv.entries()) {
    // The trace ran against another port: :host is the only header that differs.
    if (name === ':host') assert.match(value, /^127\.0\.0\.1:\d+$/);
    else assert.is(value, expected[i]![1], name);
  }
  assert.is(s.nv.find(([n]) => n === ':host')![1], '127.0.0.1:9903');
  assert.instance(goaway, GoawayFrame);
  assert.is(tGoaway![1]!.trim(), '(last_good_stream_id=0)');
  assert.equal([(goaway as GoawayFrame).lastGoodStreamId, (goaway as GoawayFrame).statusCode, goaway!.length], [0, 0, 8]);
});

client('our client encoder (level 0) reproduces them byte for byte', () => {
  const [syn, goaway] = decodeAll(clientBytes, SERVER) as [SynStreamFrame, GoawayFrame];
  const encoder = new FrameEncoder({ version: PROTO_SPDY3, side: CLIENT });
  const out = [
    encoder.encode({
      frameType: syn.frameType, streamId: syn.streamId, pri: syn.pri, flags: syn.flags,
      nv: syn.nv.map(([n, v]) => [n, v]),
    }),
    encoder.encode({ frameType: goaway.frameType, lastGoodStreamId: 0 }),
  ];
  assert.is(toHex(out[0]!) + toHex(out[1]!), toHex(clientBytes));
});

client.run();

const server = suite('spdyd\'s SPDY/3 response bytes');

server('decode to SETTINGS, SYN_REPLY, DATA and DATA with FIN', () => {
  const frames = decodeAll(serverBytes, CLIENT);
  assert.equal(frames.map((f) => f.constructor.name), ['SettingsFrame', 'SynReplyFrame', 'DataFrame', 'DataFrame']);
  const [settings, reply, data, fin] = frames as [SettingsFrame, SynReplyFrame, DataFrame, DataFrame];

  assert.is(tSettings![0], '[  0.000] recv SETTINGS frame <version=3, flags=0, length=12>');
  assert.equal([settings.flags, settings.length], [0, 12]);
  assert.equal(settings.iv, [[4, 0, 100]]);

  assert.equal([reply.version, reply.flags, reply.streamId, reply.length], [3, 0, 1, 105]);
  const expected = tracedHeaders(tReply!);
  assert.equal(reply.nv.map(([n]) => n), expected.map(([n]) => n));
  const get = (nv: [string, string][], name: string): string => nv.find(([n]) => n === name)![1];
  for (const name of [':status', ':version', 'cache-control', 'content-length', 'server']) {
    assert.is(get(reply.nv, name), get(expected, name), name);
  }
  const httpDate = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/;
  assert.match(get(reply.nv, 'date'), httpDate);
  assert.match(get(reply.nv, 'last-modified'), httpDate);

  assert.is(tData![0], '[  0.000] recv DATA frame (stream_id=1, flags=0, length=22)');
  assert.equal([data.streamId, data.flags, data.length], [1, 0, 22]);
  assert.match(new TextDecoder().decode(data.data), /^hello spdy \d{4}-\d\d-\d\d\n$/);
  assert.is(tDataFin![0], '[  0.000] recv DATA frame (stream_id=1, flags=1, length=0)');
  assert.equal([fin.streamId, fin.flags, fin.length], [1, 1, 0]);
});

server('a server Session\'s first bytes are spdyd\'s: SETTINGS MAX_CONCURRENT_STREAMS=100 before anything else', () => {
  const written: Uint8Array[] = [];
  const session = new Session(SERVER, PROTO_SPDY3, { sendCb: (_s, d) => (written.push(d.slice()), d.length) });
  session.recv(clientBytes.subarray(0, 8 + 229));
  session.submitResponse(1, [[':status', '200 OK'], [':version', 'HTTP/1.1']]);
  session.send();
  assert.is(toHex(written[0]!), toHex(serverBytes.subarray(0, 20)));
  assert.is(written[1]![3], SYN_REPLY);
});

server('our server encoder at level 9 gives spdyd\'s SYN_REPLY byte for byte', () => {
  // zlib's own hash at memLevel 1 (pako's legacy hash), window bits 11, the dictionary: spdylay's settings.
  const [, reply] = decodeAll(serverBytes, CLIENT) as [SettingsFrame, SynReplyFrame];
  const theirs = serverBytes.subarray(20, 20 + 8 + reply.length);
  const ours = new FrameEncoder({ version: PROTO_SPDY3, side: SERVER, config: { headerCompressionLevel: 9 } }).encode({
    frameType: reply.frameType, streamId: 1, nv: reply.nv,
  });
  assert.is(toHex(ours), toHex(theirs));
  const [back] = decodeAll(ours, CLIENT);
  assert.equal((back as SynReplyFrame).nv, reply.nv);
});

server.run();

const format = suite('formatFrame prints the capture as spdycat -v does');

format('each frame of the exchange gives the trace\'s lines, bar the date-dependent ones', () => {
  const sent = decodeAll(clientBytes, SERVER) as Frame[];
  const received = decodeAll(serverBytes, CLIENT) as Frame[];
  const ours: [string, Frame][] = [
    ['send', sent[0]!], ['recv', received[0]!], ['recv', received[1]!], ['recv', received[2]!],
    ['recv', received[3]!], ['send', sent[1]!],
  ];
  const traced = [tSyn!, tSettings!, tReply!, tData!, tDataFin!, tGoaway!];
  assert.is(ours.length, traced.length);
  ours.forEach(([direction, frame], i) => {
    const lines = formatFrame(direction as 'send' | 'recv', frame, 0).split('\n');
    const expected = traced[i]!;
    assert.is(lines.length, expected.length, expected[0]);
    lines.forEach((line, j) => {
      const want = expected[j]!;
      // Recorded at another time and port: the date headers, the reply's length and :host vary.
      if (/^ +(date|last-modified|:host): /.test(want) || /SYN_REPLY frame/.test(want)) {
        const pattern = want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\d+/g, '\\d+');
        assert.match(line, new RegExp(`^${pattern}$`));
      } else {
        assert.is(line, want);
      }
    });
  });
});

format('the time stamp counts seconds with three decimals in a field of seven', () => {
  const goaway = decodeAll(clientBytes, SERVER)[1] as Frame;
  assert.ok(formatFrame('send', goaway, 0).startsWith('[  0.000] send GOAWAY'));
  assert.ok(formatFrame('send', goaway, 1234).startsWith('[  1.234] send GOAWAY'));
  assert.ok(formatFrame('send', goaway, 123456).startsWith('[123.456] send GOAWAY'));
});

format.run();
