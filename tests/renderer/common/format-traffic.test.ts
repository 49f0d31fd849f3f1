// How the proxy's numbers read in the services table and the Requests view.
import { describe, expect, it } from 'vitest';
import {
  describeTraffic,
  formatBytes,
  formatEdgeTraffic,
  formatLatency,
  formatRate,
  formatTraffic,
  statusClass,
} from '../../../renderer/common/format-traffic.js';
import { traffic } from '../proxy-fixtures.js';

describe('traffic formatting', () => {
  it('reads compactly: rate, error rate, p95', () => {
    expect(formatTraffic(traffic('api'))).toBe('12.3 req/s · 0.5 err/s · p95 8 ms');
    expect(formatTraffic(traffic('api', { requestsPerSec: 1234.5, errorsPerSec: 0, p95Ms: 0.456 }))).toBe(
      '1235 req/s · 0 err/s · p95 0.46 ms',
    );
    expect(formatTraffic(traffic('api', { p95Ms: null }))).toBe('12.3 req/s · 0.5 err/s');
  });

  it('labels a graph edge with its rate and p95 while it carries traffic', () => {
    expect(formatEdgeTraffic({ requestsPerSec: 12 })).toBe('12 req/s');
    expect(formatEdgeTraffic({ requestsPerSec: 0.5 })).toBe('0.5 req/s');
    expect(formatEdgeTraffic({ requestsPerSec: 0 })).toBe('');
    // the longest it gets: it must fit the room the layout plans for a label's traffic line
    expect(formatEdgeTraffic({ requestsPerSec: 99.94 }).length).toBeLessThanOrEqual(10);
  });

  it('shows a dash before the first request', () => {
    expect(formatTraffic(undefined)).toBe('—');
    expect(
      formatTraffic(
        traffic('api', { requests: 0, errors: 0, requestsPerSec: 0, errorsPerSec: 0, p50Ms: null, p95Ms: null }),
      ),
    ).toBe('—');
    expect(describeTraffic(undefined)).toContain('No request');
    expect(describeTraffic(traffic('api'))).toBe(
      '100 requests, 2 errors since DevMesh started; rates over the last 10 s; latency p50 3.2 ms, p95 8 ms',
    );
  });

  it('formats rates, latencies and sizes', () => {
    expect([0, -1, Number.NaN, 0.04, 0.06, 9.96, 99.94, 100.4].map(formatRate)).toEqual([
      '0',
      '0',
      '0',
      '<0.1',
      '0.1',
      '10',
      '99.9',
      '100',
    ]);
    expect([0.123, 4.56, 37.4, 999.6, 1250].map(formatLatency)).toEqual(['0.12 ms', '4.6 ms', '37 ms', '1 s', '1.3 s']);
    expect([0, 999, 1000, 1234, 45_600, 5_600_000].map(formatBytes)).toEqual([
      '0 B',
      '999 B',
      '1 kB',
      '1.2 kB',
      '46 kB',
      '5.6 MB',
    ]);
  });

  it('colours statuses by class', () => {
    expect([200, 204, 301, 404, 500, 0].map((s) => statusClass(s, null))).toEqual([
      'status-2xx',
      'status-2xx',
      'status-3xx',
      'status-4xx',
      'status-5xx',
      'status-err',
    ]);
    expect(statusClass(502, 'connection refused')).toBe('status-err');
  });
});
