// What the e2e suites send through the daemon's proxy: a free loopback port to give it, and a request with
// the Host header a browser would send for `<service>.localhost`. Not a test file: the suites import it.
import { request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { scaled } from '../helpers/load-scale.js';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** GET `path` with `Host: host` from the proxy on 127.0.0.1:`port`; resolves with the status once the body is read. */
export function viaProxy(port: number, host: string, path: string, timeoutMs = scaled(10_000)): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from the proxy for ${host}${path}`)));
    req.on('error', reject);
    req.end();
  });
}
