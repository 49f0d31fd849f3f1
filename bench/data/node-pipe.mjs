// The floor of any forwarder written on Node's streams: accept, connect to the target, pipe both ways (what
// DevMesh's TCP forwarding does, without routing, counters or containment). bench/data.mjs measures it beside
// DevMesh so a gap to direct can be told apart from DevMesh's own cost.
// Usage: node node-pipe.mjs <target port>   (prints {"port": N} once listening on 127.0.0.1)
import net from 'node:net';

const target = Number(process.argv[2]);
const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (client) => {
  const upstream = net.connect({ port: target, host: '127.0.0.1', noDelay: true, allowHalfOpen: true });
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
