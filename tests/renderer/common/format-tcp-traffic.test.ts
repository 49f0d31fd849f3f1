// How a TCP service's counters read beside the HTTP traffic: open and total connections, bytes each way, and
// a tooltip with the exact totals, refused connections and where the next connection goes.
import { describe, expect, it } from 'vitest';
import { describeTcpTraffic, formatBytes, formatTcpTraffic } from '../../../renderer/common/format-traffic.js';
import { tcpRoute } from '../../helpers/view-fixtures.js';

describe('TCP traffic formatting', () => {
  it('shows open and total connections and the bytes each way, compactly', () => {
    const route = tcpRoute('db', { connections: 2, totalConnections: 1534, bytesIn: 1234, bytesOut: 5_600_000 });
    expect(formatTcpTraffic(route)).toBe('2 open · 1,534 total · in 1.2 kB · out 5.6 MB');
    expect(formatTcpTraffic(tcpRoute('db', { totalConnections: 3, bytesIn: 0, bytesOut: 999 }))).toBe(
      '0 open · 3 total · in 0 B · out 999 B',
    );
  });

  it('says nothing happened yet before the first connection, or without a route', () => {
    expect(formatTcpTraffic(tcpRoute('db'))).toBe('—');
    expect(formatTcpTraffic(undefined)).toBe('—');
  });

  it('reads large byte counts in the next unit, never as a long number', () => {
    expect([12_345_678, 7_200_000_000, 3_000_000_000_000, 4_500_000_000_000_000].map(formatBytes)).toEqual([
      '12 MB',
      '7.2 GB',
      '3 TB',
      '4500 TB',
    ]);
  });

  it('tells in the tooltip the exact totals, refused connections and who serves the next connection', () => {
    const route = tcpRoute('db', {
      connections: 1,
      totalConnections: 12_000,
      failedConnections: 3,
      bytesIn: 1_234_567,
      bytesOut: 89,
      servedBy: 'alice/db@15.0.0',
      target: 'alice 10.0.0.2:7791',
    });
    expect(describeTcpTraffic(route).split('\n')).toEqual([
      '12,000 connections since DevMesh started, 1 open now',
      '3 closed because no instance could be reached',
      '1,234,567 bytes in (client → service), 89 bytes out (service → client)',
      'next connection → alice/db@15.0.0 (alice 10.0.0.2:7791)',
    ]);
    expect(describeTcpTraffic(tcpRoute('db', { target: null, servedBy: null }))).toContain('nobody serves it now');
  });
});
