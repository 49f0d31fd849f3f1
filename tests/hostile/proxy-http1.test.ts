// Hostile HTTP/1.1 clients against a real daemon's proxy, on its HTTP and its HTTPS listener (ALPN
// http/1.1): after every case the daemon answers its API, proxies a GET to the service, and the service
// is still the same running process.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { HostileDaemon } from './hostile-daemon.js';
import { HTTP1_CASES } from './http1-cases.js';
import { scaled } from '../helpers/load-scale.js';

describe('hostile HTTP/1.1 clients at the proxy', () => {
  let d: HostileDaemon;
  beforeAll(async () => {
    d = await HostileDaemon.start('proxy-h1');
  }, scaled(120_000));
  afterAll(async () => {
    await d?.stop();
  }, scaled(30_000));

  const listeners = HostileDaemon.proxyListeners(() => d);
  for (const [which, listener] of listeners) {
    for (const c of HTTP1_CASES) {
      it(
        `${which}: ${c.name}`,
        async () => {
          const l = listener();
          await c.run(l, d);
          await d.alive(`${c.name} on ${l.name}`);
        },
        c.timeoutMs,
      );
    }
  }
});
