// The limit: a bare TCP socket (TLS with --tls) with no framing. Bulk: the
// server writes the bytes asked for and ends. Upload: the server counts the
// bytes announced and answers with the count. Requests: each byte the client
// sends is one request, answered with SMALL bytes, so only the syscalls and
// loop remain.
import { once } from 'node:events';
import { SMALL } from '../lib/settings.mjs';
import { writeNode } from '../lib/load.mjs';
import { listenLoopback } from '../lib/node-server.mjs';
import { createSocketServer, dialSocket } from '../lib/tls.mjs';

function onConnection(socket) {
  socket.setNoDelay(true);
  let head = '';
  const onHead = (data) => {
    head += data.toString('latin1');
    const nl = head.indexOf('\n');
    if (nl < 0) return;
    socket.off('data', onHead);
    const [kind, n] = head.slice(0, nl).split(' ');
    if (kind === 'bulk') return void writeNode(socket, Number(n));
    if (kind === 'upload') {
      let got = head.length - nl - 1;
      const answerWhenDone = () => {
        if (got >= Number(n)) socket.end(String(got));
      };
      socket.on('data', (d) => {
        got += d.length;
        answerWhenDone();
      });
      return void answerWhenDone();
    }
    const answer = (count) => socket.write(Buffer.alloc(count * SMALL, 0x62));
    if (head.length > nl + 1) answer(head.length - nl - 1);
    socket.on('data', (d) => answer(d.length));
  };
  socket.on('data', onHead);
  socket.on('error', () => {});
}

export const server = {
  listen() {
    return listenLoopback(createSocketServer(onConnection));
  },
};

export const client = {
  async bulk(port, bytes) {
    const socket = await dialSocket(port);
    const t0 = performance.now();
    let got = 0;
    socket.on('data', (d) => { got += d.length; });
    socket.write(`bulk ${bytes}\n`);
    await once(socket, 'end');
    const ms = performance.now() - t0;
    socket.destroy();
    if (got !== bytes) throw new Error(`received ${got} of ${bytes}`);
    return ms;
  },

  async upload(port, bytes) {
    const socket = await dialSocket(port);
    const t0 = performance.now();
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => { answer += d; });
    const ended = once(socket, 'end');
    socket.write(`upload ${bytes}\n`);
    await writeNode(socket, bytes);
    await ended;
    const ms = performance.now() - t0;
    socket.destroy();
    if (Number(answer) !== bytes) throw new Error(`the server read ${answer} of ${bytes}`);
    return ms;
  },

  async requests(port, n, inFlight) {
    const socket = await dialSocket(port);
    const t0 = performance.now();
    let sent = Math.min(n, inFlight);
    let got = 0;
    socket.write(`req\n${'r'.repeat(sent)}`);
    await new Promise((resolve) => {
      socket.on('data', (d) => {
        got += d.length;
        const done = Math.floor(got / SMALL);
        if (done >= n) return resolve();
        const more = Math.min(n, done + inFlight) - sent;
        if (more > 0) {
          sent += more;
          socket.write(Buffer.alloc(more, 0x72));
        }
      });
    });
    const ms = performance.now() - t0;
    socket.destroy();
    return ms;
  },
};
