// A client and an echo server on the simulated network, written exactly as with Node's `net`.
// Run: node examples/echo.mjs   (after npm install)
import { createHash } from 'node:crypto';
import { SimNetwork } from '../dist/src/index.js';

const net = new SimNetwork({ seed: 7, loss: 0.02, delay: 20, clock: 'virtual' });
const server = net.addHost({ address: '198.18.0.2' });
const client = net.addHost({ address: '198.18.0.1' });

server.createServer((socket) => socket.pipe(socket)).listen(7);

const payload = new Uint8Array(1_000_000).map((_, i) => (i * 31) & 0xff);
const received = [];
const socket = client.connect(7, '198.18.0.2', () => socket.end(payload));
socket.on('data', (chunk) => received.push(chunk));
socket.on('close', () => {
  const got = Buffer.concat(received);
  const hash = (b) => createHash('sha256').update(b).digest('hex').slice(0, 16);
  console.log(
    `sent ${payload.length} bytes (sha256 ${hash(payload)}), got back ${got.length} (sha256 ${hash(got)})`,
  );
  console.log(
    `client: ${socket.tcpState}, retransmitted segments: ${client.counters.TcpRetransSegs}`,
  );
});
await net.settle();
