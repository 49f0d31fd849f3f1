// One proxied request. Memoised by identity: records never change, so a new batch renders only new rows.
import { memo } from 'react';
import type { RequestRecord } from '../../shared/proxy.js';
import { formatClock } from '../common/format-time.js';
import { formatBytes, formatLatency, statusClass } from '../common/format-traffic.js';

export const RequestRow = memo(function RequestRow({ record: r }: { record: RequestRecord }) {
  const failed = r.error !== null;
  return (
    <tr
      className={failed ? 'request-row failed' : 'request-row'}
      data-testid="request-row"
      data-seq={r.seq}
      data-host={r.host}
      data-service={r.service ?? ''}
      data-status={r.status}
    >
      <td className="mono muted">{formatClock(r.ts)}</td>
      <td className="mono">
        {r.method}
        {r.websocket && (
          <span className="tag" title="WebSocket upgrade">
            ws
          </span>
        )}
      </td>
      <td className="mono col-host" title={r.host}>
        {r.tls && (
          <span className="tag" title="HTTPS">
            tls
          </span>
        )}
        {r.host}
      </td>
      <td className="mono col-path" title={r.path}>
        {r.path}
      </td>
      <td className="mono">
        <span className={`status ${statusClass(r.status, r.error)}`}>{r.status}</span>
      </td>
      <td
        className="mono num"
        title={`${r.bytesIn.toLocaleString('en-US')} bytes in, ${r.bytesOut.toLocaleString('en-US')} bytes out`}
      >
        {formatBytes(r.bytesOut)}
      </td>
      <td className="mono num">{formatLatency(r.durationMs)}</td>
      <td
        className={failed ? 'mono col-upstream request-error' : 'mono col-upstream muted'}
        title={r.error ?? r.upstream ?? undefined}
      >
        {r.error ?? r.upstream ?? '—'}
      </td>
    </tr>
  );
});
