// HTTP headers to and from SPDY header blocks, in SPDY/2 and SPDY/3 names.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  FrameDecoder, HeaderInflater, PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SERVER, SYN_STREAM, SpdyClient, SpdySession,
  createMemoryTransportPair, type ProtocolVersion,
} from '../../src/index.js';
import { headersFromNv, parseStatus, requestNv, responseNv } from '../../src/http/headers.js';
import { responseFromNv } from '../../src/http/response.js';
import { pushedUrl } from '../../src/http/push-store.js';

test('repeated response headers are joined with NUL in one entry; set-cookie values stay apart', () => {
  const headers = new Headers();
  headers.append('set-cookie', 'a=1');
  headers.append('set-cookie', 'b=2');
  headers.append('Vary', 'accept');
  const nv = responseNv({ status: 200, statusText: '', headers });
  assert.equal(nv.slice(0, 2), [[':status', '200 OK'], [':version', 'HTTP/1.1']]);
  assert.ok(nv.some(([n, v]) => n === 'set-cookie' && v === 'a=1\0b=2'));
  assert.ok(nv.some(([n, v]) => n === 'vary' && v === 'accept'));
  assert.equal(headersFromNv([['set-cookie', 'a=1\0b=2']]).getSetCookie(), ['a=1', 'b=2']);
});

test('a request list starts with the five required headers, taken from the URL', () => {
  const nv = requestNv(new URL('https://example.com:8443/p?q#frag'), 'PUT', new Headers({ Host: 'evil' }));
  assert.equal(nv, [
    [':method', 'PUT'], [':path', '/p?q'], [':version', 'HTTP/1.1'], [':host', 'example.com:8443'], [':scheme', 'https'],
  ]);
});

/** The names and values of a header block as they are on the wire, before any SPDY/2 name mapping. */
function rawPairs(block: Uint8Array, version: 2 | 3): Array<[string, string]> {
  const size = version === 2 ? 2 : 4;
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const field = (pos: number): number => (size === 2 ? view.getUint16(pos) : view.getUint32(pos));
  const text = (pos: number, n: number): string => new TextDecoder().decode(block.subarray(pos, pos + n));
  const pairs: Array<[string, string]> = [];
  let pos = size;
  for (let i = field(0); i > 0; i--) {
    const nameLength = field(pos);
    const name = text(pos + size, nameLength);
    pos += size + nameLength;
    const valueLength = field(pos);
    pairs.push([name, text(pos + size, valueLength)]);
    pos += size + valueLength;
  }
  return pairs;
}

/** The first SYN_STREAM in the bytes a client sent: the codec's view, and its header block's raw pairs. */
async function firstRequestOnTheWire(version: ProtocolVersion, url: string, headers: HeadersInit) {
  const [ours, theirs] = createMemoryTransportPair();
  const session = new SpdySession(ours, { side: 'client', version });
  const client = new SpdyClient(session, { origin: new URL(url).origin });
  void client.fetch(url, { headers }).catch(() => undefined);
  const wire = version === PROTO_SPDY2 ? 2 : 3;
  const decoder = new FrameDecoder({ version, side: SERVER });
  const inflater = new HeaderInflater(wire, 1 << 20);
  const reader = theirs.readable.getReader();
  let pending = new Uint8Array(0);
  for (;;) {
    const { value } = await reader.read();
    const decoded = decoder.push(value!);
    const joined = new Uint8Array(pending.length + value!.length);
    joined.set(pending);
    joined.set(value!, pending.length);
    pending = joined;
    // Walk the same bytes frame by frame to reach the header block as sent.
    while (pending.length >= 8 && pending.length >= 8 + (((pending[5]! << 16) | (pending[6]! << 8) | pending[7]!) >>> 0)) {
      const length = (pending[5]! << 16) | (pending[6]! << 8) | pending[7]!;
      const frame = pending.subarray(0, 8 + length);
      pending = pending.subarray(8 + length);
      if ((frame[0]! & 0x80) === 0) continue;
      const type = (frame[2]! << 8) | frame[3]!;
      if (type !== SYN_STREAM) continue;
      const block = inflater.inflate(frame.subarray(18))!;
      const codecView = decoded.find((f) => f.frameType === SYN_STREAM) as any;
      session.destroy();
      return { version: codecView.version as number, nv: codecView.nv as Array<[string, string]>, raw: rawPairs(block.slice(), wire) };
    }
  }
}

const HOP_BY_HOP_HEADERS = {
  connection: 'keep-alive', 'keep-alive': '5', 'proxy-connection': 'x', 'transfer-encoding': 'chunked', host: 'evil',
};

test('on the wire, a SPDY/2 request names its headers method url version host scheme, filled from the URL, plus accept-encoding', async () => {
  const sent = await firstRequestOnTheWire(PROTO_SPDY2, 'http://example.test:8080/p?q=1', { ...HOP_BY_HOP_HEADERS, 'x-a': 'b' });
  assert.is(sent.version, 2);
  const raw = new Map(sent.raw);
  assert.is(raw.get('method'), 'GET');
  assert.is(raw.get('url'), '/p?q=1');
  assert.is(raw.get('version'), 'HTTP/1.1');
  assert.is(raw.get('host'), 'example.test:8080', 'SPDY/2 host is the URL\'s, not the hop-by-hop header given');
  assert.is(raw.get('scheme'), 'http');
  assert.is(raw.get('x-a'), 'b');
  for (const name of raw.keys()) assert.not.ok(name.startsWith(':'), `${name} is not a SPDY/2 name`);
  for (const name of ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding']) assert.not.ok(raw.has(name), `${name} was sent`);
  assert.is(raw.get('accept-encoding'), 'gzip, deflate');
  assert.is(sent.raw.length, 7);
  // The codec reads the same block with SPDY/3 names.
  assert.is(new Map(sent.nv).get(':path'), '/p?q=1');
});

for (const [label, version] of [['SPDY/3', PROTO_SPDY3], ['SPDY/3.1', PROTO_SPDY3_1]] as const) {
  test(`on the wire, a ${label} request carries :method :path :version :host :scheme, accept-encoding and no hop-by-hop header`, async () => {
    const sent = await firstRequestOnTheWire(version, 'https://example.test/a/b', HOP_BY_HOP_HEADERS);
    assert.is(sent.version, 3);
    assert.equal(sent.raw, [
      [':host', 'example.test'], [':method', 'GET'], [':path', '/a/b'], [':scheme', 'https'], [':version', 'HTTP/1.1'],
      ['accept-encoding', 'gzip, deflate'],
    ]);
  });
}

test(':status parses with and without a reason; the reason survives into the Response', () => {
  assert.equal(parseStatus('200 OK'), { status: 200, statusText: 'OK' });
  assert.equal(parseStatus('204'), { status: 204, statusText: '' });
  assert.equal(parseStatus('418 I am a teapot'), { status: 418, statusText: 'I am a teapot' });
  assert.is(parseStatus('OK 200'), null);
  assert.is(parseStatus(undefined), null);
  const r = responseFromNv([[':status', '304 Not Modified'], ['etag', '"x"']], new ReadableStream(), 'https://h/');
  assert.is(r.status, 304);
  assert.is(r.body, null);
  assert.is(r.url, 'https://h/');
});

test('a push URL comes from :scheme :host :path, or a whole URL in :path (SPDY/2)', () => {
  const base = new URL('https://origin.test/');
  assert.is(pushedUrl([[':scheme', 'https'], [':host', 'a.test'], [':path', '/x.css']], base), 'https://a.test/x.css');
  assert.is(pushedUrl([[':path', 'https://b.test/y.js']], base), 'https://b.test/y.js');
  assert.is(pushedUrl([[':host', 'a.test']], base), null);
});

test.run();
