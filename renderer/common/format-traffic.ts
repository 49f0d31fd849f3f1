// How proxy numbers read in the UI: compact, fixed shapes that do not jitter as they tick.
import type { ServiceTraffic, TcpRoute } from '../../shared/proxy.js';

/** 0, 0.4, 12.3, 148 */
export function formatRate(perSec: number): string {
  if (!Number.isFinite(perSec) || perSec <= 0) return '0';
  if (perSec < 100) {
    const rounded = Math.round(perSec * 10) / 10;
    // 0.04 req/s would read as "0": say that there is some.
    return rounded === 0 ? '<0.1' : String(rounded);
  }
  return String(Math.round(perSec));
}

/** 0.42 ms, 8.1 ms, 37 ms, 1.2 s */
export function formatLatency(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1) return `${Math.round(ms * 100) / 100} ms`;
  if (ms < 10) return `${Math.round(ms * 10) / 10} ms`;
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  return `${Math.round(ms / 100) / 10} s`;
}

/** 512 B, 1.2 kB, 34 kB, 5.6 MB */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 10 ? Math.round(value * 10) / 10 : Math.round(value)} ${units[unit]}`;
}

/** "12.3 req/s · 0.5 err/s · p95 8 ms"; "—" before the proxy saw any request for the service */
export function formatTraffic(t: ServiceTraffic | undefined): string {
  if (!t || t.requests === 0) return '—';
  const parts = [`${formatRate(t.requestsPerSec)} req/s`, `${formatRate(t.errorsPerSec)} err/s`];
  if (t.p95Ms !== null) parts.push(`p95 ${formatLatency(t.p95Ms)}`);
  return parts.join(' · ');
}

/** A service graph edge label's traffic line: "12 req/s" ('' while the caller sends it nothing). Short, so it
 *  fits the room the layout plans for a label; the edge's tooltip has the latency. */
export function formatEdgeTraffic(e: { requestsPerSec: number }): string {
  return e.requestsPerSec > 0 ? `${formatRate(e.requestsPerSec)} req/s` : '';
}

/** The tooltip: totals and both percentiles. */
export function describeTraffic(t: ServiceTraffic | undefined): string {
  if (!t || t.requests === 0) return 'No request through the DevMesh proxy yet';
  const latency =
    t.p50Ms !== null && t.p95Ms !== null
      ? `; latency p50 ${formatLatency(t.p50Ms)}, p95 ${formatLatency(t.p95Ms)}`
      : '';
  return `${t.requests.toLocaleString('en-US')} requests, ${t.errors.toLocaleString('en-US')} errors since DevMesh started; rates over the last 10 s${latency}`;
}

/** The CSS class of a status code: 2xx, 3xx, 4xx, 5xx (or "err" when DevMesh answered itself with an error). */
export function statusClass(status: number, error: string | null): string {
  if (error !== null && status >= 500) return 'status-err';
  if (status >= 500) return 'status-5xx';
  if (status >= 400) return 'status-4xx';
  if (status >= 300) return 'status-3xx';
  if (status >= 100) return 'status-2xx';
  return 'status-err';
}

/** A TCP service's counters beside the HTTP ones: "2 open · 15 total · in 1.2 kB · out 34 kB"; "—" before the
 *  first connection through its stable address. */
export function formatTcpTraffic(t: TcpRoute | undefined): string {
  if (!t || t.totalConnections === 0) return '—';
  return [
    `${t.connections} open`,
    `${t.totalConnections.toLocaleString('en-US')} total`,
    `in ${formatBytes(t.bytesIn)}`,
    `out ${formatBytes(t.bytesOut)}`,
  ].join(' · ');
}

/** The TCP counters' tooltip: exact totals, refused connections, where the next connection goes. */
export function describeTcpTraffic(t: TcpRoute | undefined): string {
  if (!t) return 'No TCP address known for this service yet';
  const n = (v: number) => v.toLocaleString('en-US');
  const lines = [
    t.totalConnections === 0
      ? 'No connection through DevMesh yet'
      : `${n(t.totalConnections)} connections since DevMesh started, ${n(t.connections)} open now`,
  ];
  if (t.failedConnections > 0) lines.push(`${n(t.failedConnections)} closed because no instance could be reached`);
  lines.push(`${n(t.bytesIn)} bytes in (client → service), ${n(t.bytesOut)} bytes out (service → client)`);
  lines.push(t.target ? `next connection → ${t.servedBy ?? t.target} (${t.target})` : 'nobody serves it now');
  if (t.direct)
    lines.push(
      'The local engine listens on this address itself (no forwarding hop): its connections are sampled from ' +
        'the kernel each second, so one shorter than that may not be counted',
    );
  return lines.join('\n');
}
