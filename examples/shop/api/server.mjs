// api 1.4.0: lists the signed-in user's orders; asks auth (at $AUTH_URL) who that is.
import { createServer } from 'node:http';

const VERSION = '1.4.0';
const port = Number(process.env.PORT ?? 4002);
const authUrl = process.env.AUTH_URL ?? 'http://127.0.0.1:4001';

const server = createServer(async (req, res) => {
  // Health checks come every few seconds; logging them would bury the requests that matter.
  if (req.url !== '/health') console.log(`${req.method} ${req.url}`);
  if (req.url === '/health') return send(res, 200, { ok: true });
  if (req.url !== '/orders') return send(res, 404, { error: `no route ${req.url}` });
  try {
    const reply = await fetch(`${authUrl}/session`);
    if (!reply.ok) throw new Error(`HTTP ${reply.status}`);
    const session = await reply.json();
    const orders = [{ id: 1, item: 'teapot' }, { id: 2, item: 'kettle' }];
    send(res, 200, { user: session.user, orders, via: [`api ${VERSION}`, session.by] });
  } catch (err) {
    console.error(`api: auth at ${authUrl} failed: ${err.message}`);
    send(res, 502, { error: `auth unreachable at ${authUrl}` });
  }
});

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

server.listen(port, '127.0.0.1', () => console.log(`api ${VERSION} listening on http://127.0.0.1:${port}, auth at ${authUrl}`));

process.on('SIGTERM', () => {
  console.log('api: SIGTERM, closing');
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
