// The Python binding's spdyclient.py in JavaScript: fetches the URLs given on
// the command line and prints each stream's headers, data and close.
//   node examples/spdyclient.mjs https://localhost:3000/ https://localhost:3000/notfound
// (add --insecure for a server with a self-signed certificate)
import { BaseSPDYStreamHandler } from '../dist/esm/index.js';
import { urlfetch } from '../dist/esm/node/index.js';

class MyStreamHandler extends BaseSPDYStreamHandler {
  onHeader(nv) {
    process.stdout.write(`Stream#${this.streamId}\n`);
    for (const [name, value] of nv) process.stdout.write(`${name}: ${value}\n`);
  }

  onData(data) {
    process.stdout.write(`Stream#${this.streamId}\n`);
    process.stdout.write(data);
  }

  onClose(statusCode) {
    process.stdout.write(`Stream#${this.streamId} closed (status ${statusCode})\n`);
  }
}

const args = process.argv.slice(2);
const insecure = args.includes('--insecure');
await urlfetch(args.filter((a) => a !== '--insecure'), MyStreamHandler, { rejectUnauthorized: !insecure });
