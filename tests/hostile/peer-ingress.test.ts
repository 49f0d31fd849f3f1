// Hostile clients at a real daemon's peer ingress (HTTPS; h2 or http/1.1 by ALPN; 0.0.0.0 in real use), none
// holding a teammate's credentials: the HTTP/1.1 cases and the HTTP/2 frame cases. Every request it can
// parse is refused (403), the rest end as the protocol says; after each case the daemon and service run.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { h2Cases } from './h2-cases.js';
import { HostileDaemon } from './hostile-daemon.js';
import { HTTP1_CASES } from './http1-cases.js';
import { scaled } from '../helpers/load-scale.js';

describe('hostile clients at the peer ingress', () => {
  let d: HostileDaemon;
  beforeAll(async () => {
    d = await HostileDaemon.start('ingress');
  }, scaled(120_000));
  afterAll(async () => {
    await d?.stop();
  }, scaled(30_000));

  const h1 = HTTP1_CASES.map((x) => ({ ...x, name: `HTTP/1.1: ${x.name}` }));
  const h2 = h2Cases('api.localhost', '/h2', '4xx').map((x) => ({ ...x, name: `HTTP/2: ${x.name}` }));
  for (const c of [...h1, ...h2]) {
    it(
      c.name,
      async () => {
        await c.run({ name: 'peer ingress', port: d.ingressPort, servername: 'api.localhost' }, d);
        await d.alive(c.name);
      },
      c.timeoutMs,
    );
  }
});
