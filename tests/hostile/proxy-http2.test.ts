// Hostile HTTP/2 clients against a real daemon's proxy (HTTPS, h2 by ALPN): malformed frames written raw,
// floods, and h2load bursts; after every case the daemon and its service still run and answer.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { h2Cases } from './h2-cases.js';
import { HostileDaemon } from './hostile-daemon.js';
import { scaled } from '../helpers/load-scale.js';

describe('hostile HTTP/2 clients at the proxy', () => {
  let d: HostileDaemon;
  beforeAll(async () => {
    d = await HostileDaemon.start('proxy-h2');
  }, scaled(120_000));
  afterAll(async () => {
    await d?.stop();
  }, scaled(30_000));

  for (const c of h2Cases('api.localhost', '/h2', '2xx')) {
    it(
      c.name,
      async () => {
        await c.run({ name: 'proxy HTTPS (h2)', port: d.httpsPort, servername: 'api.localhost' }, d);
        await d.alive(c.name);
      },
      c.timeoutMs,
    );
  }
});
