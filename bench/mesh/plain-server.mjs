// Runs inside a host's network namespace (bench/mesh.mjs starts it): the same kind of tiny JSON HTTP
// server as MeshLab's services, but listening on the host's lab address (argv[2]) so a neighbour can reach
// it directly: the baseline for "a request over the lab network, no DevMesh". Prints {port}.
import http from 'node:http';

const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    const body = JSON.stringify({
      agent: 'plain',
      service: 'plain',
      version: null,
      method: req.method,
      path: req.url,
      headers: req.headers,
      bodyBytes: 0,
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, process.argv[2], () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('SIGTERM', () => process.exit(0));
