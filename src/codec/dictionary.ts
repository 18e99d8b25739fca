/**
 * The preset zlib dictionaries of SPDY header compression, as the drafts
 * define them. A peer's zlib stream names its dictionary by Adler-32:
 * 0xdfa251b2 for SPDY/2, 0xe3c6a7c2 for SPDY/3 (tests check both).
 */
import type { WireVersion } from '../base/constants.js';

// SPDY/2: one string, NUL-terminated (the NUL is part of the dictionary).
const SPDY2_TEXT =
  'optionsgetheadpostputdeletetraceacceptaccept-charsetaccept-encodingaccept-' +
  'languageauthorizationexpectfromhostif-modified-sinceif-matchif-none-matchi' +
  'f-rangeif-unmodifiedsincemax-forwardsproxy-authorizationrangerefererteuser' +
  '-agent10010120020120220320420520630030130230330430530630740040140240340440' +
  '5406407408409410411412413414415416417500501502503504505accept-rangesageeta' +
  'glocationproxy-authenticatepublicretry-afterservervarywarningwww-authentic' +
  'ateallowcontent-basecontent-encodingcache-controlconnectiondatetrailertran' +
  'sfer-encodingupgradeviawarningcontent-languagecontent-lengthcontent-locati' +
  'oncontent-md5content-rangecontent-typeetagexpireslast-modifiedset-cookieMo' +
  'ndayTuesdayWednesdayThursdayFridaySaturdaySundayJanFebMarAprMayJunJulAugSe' +
  'pOctNovDecchunkedtext/htmlimage/pngimage/jpgimage/gifapplication/xmlapplic' +
  'ation/xhtmltext/plainpublicmax-agecharset=iso-8859-1utf-8gzipdeflateHTTP/1' +
  '.1statusversionurl\0';

// SPDY/3: a run of words, each behind a 32-bit big-endian length, then raw text.
const SPDY3_WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset',
  'accept-encoding', 'accept-language', 'accept-ranges', 'age', 'allow',
  'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
  'content-language', 'content-length', 'content-location', 'content-md5',
  'content-range', 'content-type', 'date', 'etag', 'expect', 'expires', 'from', 'host',
  'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
  'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate',
  'proxy-authorization', 'range', 'referer', 'retry-after', 'server', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url',
  'public', 'set-cookie', 'keep-alive', 'origin',
];
const SPDY3_TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417' +
  '502504505203 Non-Authoritative Information204 No Content301 Moved Permanently' +
  '400 Bad Request401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error' +
  '501 Not Implemented503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct ' +
  'Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,' +
  'image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
  'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8' +
  'charset=iso-8859-1,utf-,*,enq=0.';

function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

function buildSpdy3(): Uint8Array {
  const bytes: number[] = [];
  for (const word of SPDY3_WORDS) {
    const n = word.length;
    bytes.push(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff, ...ascii(word));
  }
  bytes.push(...ascii(SPDY3_TAIL));
  return Uint8Array.from(bytes);
}

const SPDY2_DICTIONARY = Uint8Array.from(ascii(SPDY2_TEXT));
const SPDY3_DICTIONARY = buildSpdy3();

/** The header-compression dictionary of a wire version. */
export function dictionaryFor(version: WireVersion): Uint8Array {
  return version === 2 ? SPDY2_DICTIONARY : SPDY3_DICTIONARY;
}

const SPDY2_ID = adler32(SPDY2_DICTIONARY);
const SPDY3_ID = adler32(SPDY3_DICTIONARY);

/** The Adler-32 of a wire version's dictionary: what a zlib stream names it by. */
export function dictionaryIdFor(version: WireVersion): number {
  return version === 2 ? SPDY2_ID : SPDY3_ID;
}

/** The Adler-32 checksum of `bytes`, as zlib names a dictionary by it. */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}
