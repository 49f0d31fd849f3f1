// Plain http-proxy 1.18 with a keep-alive agent (what most Node dev proxies do), HTTP and WebSocket.
// Usage: node http-proxy-server.mjs <targetPort>; prints {"port":N} once listening on 127.0.0.1.
import { Agent, createServer } from 'node:http';
import httpProxy from 'http-proxy';

const target = `http://127.0.0.1:${Number(process.argv[2])}`;
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const proxy = httpProxy.createProxyServer({ target, agent, ws: true });
proxy.on('error', (err, req, res) => {
  try {
    if (res && typeof res.writeHead === 'function' && !res.headersSent) res.writeHead(502);
    res?.end?.();
  } catch {}
});
const server = createServer((req, res) => proxy.web(req, res));
server.keepAliveTimeout = 120_000;
server.on('upgrade', (req, socket, head) => proxy.ws(req, socket, head));
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
