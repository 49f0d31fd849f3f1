// TrafficStats per edge: each caller → instance pair counted with the service counters' window and
// percentiles, and a bounded number of edges however many callers clients make up.
import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../../shared/proxy.js';
import { EventBus } from '../../../main/core/events/event-bus.js';
import { TrafficStats } from '../../../main/core/proxy/traffic-stats.js';

let seq = 0;
const record = (over: Partial<RequestRecord>): RequestRecord => ({
  seq: ++seq,
  ts: 0,
  method: 'GET',
  host: 'api.localhost',
  path: '/',
  status: 200,
  bytesIn: 0,
  bytesOut: 10,
  durationMs: 1,
  project: 'shop',
  service: 'api',
  upstream: '127.0.0.1:4000',
  error: null,
  tls: false,
  websocket: false,
  caller: null,
  instance: null,
  ...over,
});

describe('TrafficStats edges', () => {
  it('counts requests, errors, rates and p95 per caller and instance', () => {
    let now = 1_000_000;
    const stats = new TrafficStats(new EventBus(), () => now);
    for (let i = 0; i < 100; i++) {
      const failed = i % 4 === 0;
      stats.observe(
        record({
          caller: 'web.shop',
          instance: 'me/shop/api',
          durationMs: i + 1,
          status: failed ? 502 : 200,
          error: failed ? 'connection refused' : null,
        }),
      );
    }
    for (let i = 0; i < 20; i++)
      stats.observe(record({ caller: 'web.shop', instance: 'alice/shop/api', durationMs: 50 }));
    stats.observe(record({ caller: 'worker.shop', instance: 'me/shop/api', status: 404 })); // a 4xx is an answer, not an error
    stats.observe(record({ caller: null, instance: 'me/shop/api' })); // no caller: the service counts it, no edge does
    stats.observe(record({ caller: 'web.shop', instance: null, status: 503, error: 'api is stopped' })); // DevMesh answered: no edge
    stats.observe(
      record({ service: 'ws', caller: 'web.shop', instance: 'me/shop/ws', websocket: true, durationMs: 60_000 }),
    );

    const edges = stats.edges();
    expect(edges).toHaveLength(4);
    const find = (caller: string, instance: string) =>
      edges.find((e) => e.caller === caller && e.instance === instance);
    expect(find('web.shop', 'me/shop/api')).toEqual({
      caller: 'web.shop',
      instance: 'me/shop/api',
      requests: 100,
      errors: 25,
      requestsPerSec: 10,
      errorsPerSec: 2.5,
      p95Ms: 96,
    });
    expect(find('web.shop', 'alice/shop/api')).toMatchObject({ requests: 20, errors: 0, requestsPerSec: 2, p95Ms: 50 });
    expect(find('worker.shop', 'me/shop/api')).toMatchObject({ requests: 1, errors: 0 });
    // a WebSocket session's length is no latency
    expect(find('web.shop', 'me/shop/ws')).toMatchObject({ requests: 1, p95Ms: null });
    expect(stats.snapshot('shop').find((s) => s.service === 'api')).toMatchObject({ requests: 123, errors: 26 });

    now += 11_000; // the 10 s window has passed: totals and latency stay, rates fall to zero
    expect(stats.edges().find((e) => e.instance === 'alice/shop/api')).toMatchObject({
      requests: 20,
      requestsPerSec: 0,
      errorsPerSec: 0,
      p95Ms: 50,
    });
  });

  it('keeps at most the bound of edges, making room from the least recently used', () => {
    const stats = new TrafficStats(new EventBus(), () => 1_000_000, 3);
    stats.observe(record({ caller: 'a.shop', instance: 'me/shop/api' }));
    stats.observe(record({ caller: 'b.shop', instance: 'me/shop/api' }));
    stats.observe(record({ caller: 'c.shop', instance: 'me/shop/api' }));
    stats.observe(record({ caller: 'a.shop', instance: 'me/shop/api' })); // a is recent again: b is the oldest
    stats.observe(record({ caller: 'd.shop', instance: 'me/shop/api' }));
    expect(
      stats
        .edges()
        .map((e) => e.caller)
        .sort(),
    ).toEqual(['a.shop', 'c.shop', 'd.shop']);
    expect(stats.edges().find((e) => e.caller === 'a.shop')!.requests).toBe(2);

    // a churn of made-up callers never grows past the bound
    for (let i = 0; i < 10_000; i++) stats.observe(record({ caller: `x${i}.shop`, instance: 'me/shop/api' }));
    expect(stats.edges()).toHaveLength(3);
    expect(stats.edges().map((e) => e.caller)).toEqual(['x9997.shop', 'x9998.shop', 'x9999.shop']);
  });

  it('bounds edges at 5,000 by default', () => {
    const stats = new TrafficStats(new EventBus(), () => 1_000_000);
    for (let i = 0; i < 6_000; i++) stats.observe(record({ caller: `c${i}.shop`, instance: 'me/shop/api' }));
    expect(stats.edges()).toHaveLength(5_000);
  });
});
