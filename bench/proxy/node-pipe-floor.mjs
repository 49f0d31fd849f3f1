// The floor for any proxy written on Node: each client connection gets its own target connection and
// bytes are copied both ways with no HTTP parsing, no header rewriting, no log. Not a usable proxy (it
// cannot route by Host, add X-Forwarded-*, or log); it measures what Node's event loop and streams cost
// per request on this machine, so the DevMesh row can be read against what Node itself allows.
// Usage: node node-pipe-floor.mjs <targetPort>; prints {"port":N} once listening on 127.0.0.1.
import net from 'node:net';

const targetPort = Number(process.argv[2]);
const server = net.createServer({ noDelay: true }, (client) => {
  const target = net.connect({ port: targetPort, host: '127.0.0.1', noDelay: true });
  client.pipe(target).pipe(client);
  const close = () => (client.destroy(), target.destroy());
  for (const s of [client, target]) s.on('error', close).on('close', close);
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
