// One row of the services table. Clicking the row shows the service's log.
import { memo } from 'react';
import type { ServiceInfo } from '../../shared/service.js';
import type { ServiceAction } from './service-actions.js';
import { ServiceActionButtons } from './service-action-buttons.js';
import { ServiceTrafficCell, ServiceUrls } from './service-proxy.js';
import { TcpAddressCell, TcpTrafficCell } from './service-tcp.js';
import { StateBadge } from './state-badge.js';
import { ProcessUsageCell } from '../metrics/process-usage.js';
import { Uptime } from './uptime.js';
import { ServiceVersion } from './engine-missing.js';

interface Props {
  info: ServiceInfo;
  selected: boolean;
  busy: boolean;
  onSelect(name: string): void;
  onAction(name: string, action: ServiceAction): void;
}

export const ServiceRow = memo(function ServiceRow({ info, selected, busy, onSelect, onAction }: Props) {
  const { name } = info;
  return (
    <tr
      className={selected ? 'service-row selected' : 'service-row'}
      data-testid={`service-row-${name}`}
      aria-selected={selected}
      onClick={() => onSelect(name)}
    >
      <td className="col-name">
        {/* a button so the keyboard can select the row too; the click bubbles to the row */}
        <button type="button" className="link" title={`Show the log of ${name}`}>
          {name}
        </button>
        {/* narrow windows have no Version column: the version goes under the name */}
        <span className="col-name-version mono">
          <ServiceVersion info={info} />
        </span>
        {info.database && (
          <span className="tag engine-tag" title={`DevMesh runs it as a ${info.database} database`}>
            {info.database}
          </span>
        )}
      </td>
      <td className="col-version mono">
        <ServiceVersion info={info} testId={`service-version-${name}`} />
      </td>
      <td>
        <StateBadge name={name} state={info.state} />
      </td>
      <td className="mono">{info.port ?? <span className="muted">—</span>}</td>
      {/* a TCP service: its stable address and connection counters where an HTTP service has URL and traffic */}
      <td className="col-url">
        {info.protocol === 'tcp' ? (
          <TcpAddressCell name={name} fallback={info.tcpAddress ?? null} />
        ) : (
          <ServiceUrls name={name} />
        )}
      </td>
      <td className="col-traffic">
        {info.protocol === 'tcp' ? <TcpTrafficCell name={name} /> : <ServiceTrafficCell name={name} />}
      </td>
      <td className="col-usage">
        <ProcessUsageCell usageKey={`service:${info.project}/${name}`} label={name} running={info.pid !== null} />
      </td>
      <td className="col-pid mono">{info.pid ?? <span className="muted">—</span>}</td>
      <td className="mono num">{info.restarts}</td>
      <td className="mono">
        <Uptime startedAt={info.state === 'stopped' || info.state === 'crashed' ? null : info.startedAt} />
      </td>
      {/* cut short to the room left (the actions stay on screen); the whole reason on hover */}
      <td className="col-reason" title={info.reason ?? undefined}>
        <span className="reason-text">{info.reason ?? '—'}</span>
      </td>
      <td className="col-actions">
        <ServiceActionButtons
          name={name}
          state={info.state}
          disabled={busy}
          testIds
          onAction={(action, e) => {
            e.stopPropagation(); // an action is not a row selection
            onAction(name, action);
          }}
        />
      </td>
    </tr>
  );
});
