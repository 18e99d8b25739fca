// A dialled session's socket reads are lent (one buffer read into again): every DATA chunk
// the application gets must be its own, however long it keeps it and however slowly it reads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SpdySession } from '../../src/index.js';
import { connectSession, listenSessions } from '../../src/node/index.js';
import { iterate, ok, randomBytes, request, sha256, writeAll } from '../streams/session-pair.js';
import { testCert } from './tls-cert.js';

const SIZE = 2 << 20;
const bodyOf = (path: string): Uint8Array => randomBytes(SIZE, Number(path.slice(1)));

/** A server answering `/N` with SIZE bytes made from seed N, written in uneven pieces. */
function bodiesServer(tls: boolean) {
  const { cert, key } = testCert();
  return listenSessions({ host: '127.0.0.1', ...(tls ? { cert, key } : { plain: true }) }, (session: SpdySession) => {
    void (async () => {
      for await (const stream of iterate(session.incoming)) {
        void (async () => {
          const path = (await stream.headers).find(([k]) => k === ':path')![1];
          await stream.respond(ok());
          await writeAll(stream.writable, bodyOf(path), 20_000 + Number(path.slice(1)) * 999);
        })().catch(() => {});
      }
    })().catch(() => {});
  });
}

for (const tls of [false, true]) {
  test(`${tls ? 'TLS' : 'cleartext'}: bodies read at once, slowly, kept chunk by chunk and whole all arrive intact`, async () => {
    const server = bodiesServer(tls);
    await server.ready;
    const { cert } = testCert();
    const client = await connectSession(tls
      ? { host: 'localhost', port: server.port, ca: cert }
      : { plain: true, host: '127.0.0.1', port: server.port });
    try {
      const open = (n: number) => client.openStream({ headers: request(`/${n}`), endStream: true });
      const [fast, slow, kept, whole] = await Promise.all([1, 2, 3, 4].map(open));
      const readFast = async (): Promise<string> => {
        const chunks: Uint8Array[] = [];
        for await (const c of iterate(fast!.readable)) chunks.push(c.slice());
        return sha256(Buffer.concat(chunks));
      };
      // Reads one chunk a turn: the others queue meanwhile, across many socket reads.
      const readSlow = async (): Promise<string> => {
        const chunks: Uint8Array[] = [];
        for await (const c of iterate(slow!.readable)) {
          chunks.push(c.slice());
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        return sha256(Buffer.concat(chunks));
      };
      // Keeps every chunk as it came and looks at them only at the end.
      const readKept = async (): Promise<string> => {
        const chunks: Uint8Array[] = [];
        for await (const c of iterate(kept!.readable)) chunks.push(c);
        return sha256(Buffer.concat(chunks));
      };
      const got = await Promise.all([readFast(), readSlow(), readKept(), whole!.bytes().then(sha256)]);
      assert.equal(got, [1, 2, 3, 4].map((n) => sha256(bodyOf(`/${n}`))));
    } finally {
      await client.close();
      await server.close();
    }
  });
}

test.run();
