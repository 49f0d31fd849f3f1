// auth 2.3.1: says who is signed in. Depends on nothing.
import { createServer } from 'node:http';

const VERSION = '2.3.1';
const port = Number(process.env.PORT ?? 4001);
const user = process.env.SESSION_USER ?? 'ada';

const server = createServer((req, res) => {
  // Health checks come every few seconds; logging them would bury the requests that matter.
  if (req.url !== '/health') console.log(`${req.method} ${req.url}`);
  if (req.url === '/health') return send(res, 200, { ok: true });
  if (req.url === '/session') return send(res, 200, { user, by: `auth ${VERSION}` });
  send(res, 404, { error: `no route ${req.url}` });
});

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

server.listen(port, '127.0.0.1', () => console.log(`auth ${VERSION} listening on http://127.0.0.1:${port}`));

process.on('SIGTERM', () => {
  console.log('auth: SIGTERM, closing');
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
