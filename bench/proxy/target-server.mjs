// The bench's target: a node:http server answering every request with the same ~100-byte body
// (keep-alive), plus a WebSocket echo on the same port. Listens on 127.0.0.1:$PORT (0: any) and prints
// {"port":N} once listening.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const body = Buffer.from(`{"ok":true,"service":"target","pad":"${'x'.repeat(60)}"}\n`); // ~100 bytes
const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 120_000; // proxies' pooled upstream connections stay open between phases
server.headersTimeout = 130_000;
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
const stop = () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 500).unref();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
