// The direct HTTP/2 baseline of bench:proxy: node:http2 over TLS (the cert and key named by CERT and KEY),
// answering every request with the same ~100-byte body as target-server.mjs. Listens on 127.0.0.1:$PORT
// (0: any) and prints {"port":N} once listening.
import { createSecureServer } from 'node:http2';
import { readFileSync } from 'node:fs';

const body = Buffer.from(`{"ok":true,"service":"target","pad":"${'x'.repeat(60)}"}\n`);
const server = createSecureServer(
  { cert: readFileSync(process.env.CERT), key: readFileSync(process.env.KEY) },
  (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  },
);
server.on('sessionError', () => undefined);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () =>
  console.log(JSON.stringify({ port: server.address().port })),
);
const stop = () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 500).unref();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
