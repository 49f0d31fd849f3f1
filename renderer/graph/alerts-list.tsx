// Version mismatches the mesh has seen, newest first: which caller needed what, which instance it got,
// what DevMesh did about it (warned, or refused the request) and how often.
import { useStore } from 'zustand';
import type { VersionAlert } from '../../shared/mesh.js';
import { useApp } from '../shell/app-context.js';
import { formatAgo } from '../common/format-time.js';
import { useNow } from '../common/use-now.js';

export function AlertsList() {
  const { stores } = useApp();
  const alerts = useStore(stores.mesh, (s) => s.alerts);
  return (
    <section className="mesh-panel" data-testid="alerts-list" aria-label="Version alerts">
      <h2 className="mesh-panel-title">
        Version alerts <span className="muted">{alerts.length}</span>
      </h2>
      {alerts.length === 0 ? (
        <div className="empty">No version mismatch so far.</div>
      ) : (
        <ul className="alert-list">
          {alerts.map((a) => (
            <AlertItem key={a.id} alert={a} />
          ))}
        </ul>
      )}
    </section>
  );
}

function AlertItem({ alert }: { alert: VersionAlert }) {
  const now = useNow();
  const where = alert.instance.local ? 'this machine' : alert.instance.agent;
  return (
    <li className="alert-item" data-testid={`alert-${alert.id}`}>
      <div className="alert-head">
        <span>
          <strong>{alert.caller.service}</strong>
          {alert.caller.version ? <span className="mono muted"> {alert.caller.version}</span> : null} →{' '}
          {alert.dependency} <span className="mono">{alert.range}</span>
        </span>
        <span className="spacer" />
        <span className={`alert-action alert-${alert.action}`}>{alert.action}</span>
      </div>
      <div className="muted">
        got {where}'s {alert.instance.service} <span className="mono">{alert.instance.version}</span> · {alert.count}× ·
        last <span title={new Date(alert.lastTs).toLocaleString()}>{formatAgo(alert.lastTs, now)}</span>
      </div>
    </li>
  );
}
