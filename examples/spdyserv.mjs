// The Python binding's spdyserv.py in JavaScript: answers GET with an HTML
// page, and /notfound with an error page.
//   node examples/spdyserv.mjs [CERT KEY]
// Without CERT and KEY it uses the development-only localhost certificate.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BaseSPDYRequestHandler, ThreadedSPDYServer, DEV_ONLY_LOCALHOST_CERT, DEV_ONLY_LOCALHOST_KEY,
} from '../dist/esm/node/index.js';

class MySPDYRequestHandler extends BaseSPDYRequestHandler {
  do_GET() {
    if (this.path === '/notfound') {
      // How to answer with an error.
      this.sendError(404);
      return;
    }
    this.sendResponse(200);
    this.sendHeader('content-type', 'text/html; charset=UTF-8');
    this.wfile.write('<html><head><title>SPDY</title></head><body><h1>SPDY is up</h1></body></html>\n');
  }
}

let [certFile, keyFile] = process.argv.slice(2);
if (!certFile || !keyFile) {
  const dir = mkdtempSync(join(tmpdir(), 'spdyserv-'));
  certFile = join(dir, 'cert.pem');
  keyFile = join(dir, 'key.pem');
  writeFileSync(certFile, DEV_ONLY_LOCALHOST_CERT);
  writeFileSync(keyFile, DEV_ONLY_LOCALHOST_KEY);
}
const server = new ThreadedSPDYServer(['localhost', 3000], MySPDYRequestHandler, { certFile, keyFile });
await server.start();
console.log(`serving https://localhost:${server.port}/ (Ctrl-C stops)`);
process.on('SIGINT', () => void server.shutdown());
