// web 1.0.0: a page showing the orders api returned (at $API_URL), and who auth said is signed in.
import { createServer } from 'node:http';

const VERSION = '1.0.0';
const port = Number(process.env.PORT ?? 4003);
const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:4002';

const escape = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

const server = createServer(async (req, res) => {
  // Health checks come every few seconds; logging them would bury the requests that matter.
  if (req.url !== '/health') console.log(`${req.method} ${req.url}`);
  if (req.url === '/health') return void res.writeHead(200).end('ok');
  if (req.url !== '/') return void res.writeHead(404).end('not found');
  let body;
  let status = 200;
  try {
    const reply = await fetch(`${apiUrl}/orders`);
    const data = await reply.json();
    if (!reply.ok) throw new Error(data.error);
    const items = data.orders.map((o) => `<li>#${o.id} ${escape(o.item)}</li>`).join('');
    body = `<h1>Orders of ${escape(data.user)}</h1><ul>${items}</ul><p>via web ${VERSION} → ${data.via.map(escape).join(' → ')}</p>`;
  } catch (err) {
    console.error(`web: api at ${apiUrl} failed: ${err.message}`);
    status = 502;
    body = `<h1>Shop</h1><p>api at ${escape(apiUrl)} failed: ${escape(err.message)}</p>`;
  }
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><title>Shop</title>${body}`);
});

server.listen(port, '127.0.0.1', () => console.log(`web ${VERSION} listening on http://127.0.0.1:${port}, api at ${apiUrl}`));

process.on('SIGTERM', () => {
  console.log('web: SIGTERM, closing');
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
