// What a process uses, where services and agents are shown: CPU and memory sparklines with their latest
// figures, and a badge per active leak or spin alert (shown, never acted on). The figures are a button that
// opens the process's detail chart (ProcessChartPanel, below the table or the strip); the click goes on to the
// row, which selects the service as any click on it does.
import { useStore } from 'zustand';
import { formatBytes, formatCpu, type MetricsAlert } from '../../shared/metrics.js';
import { Sparkline } from './sparkline.js';
import '../styles/metrics.css';
import { useMetrics } from './metrics-sync.js';

const NO_ALERTS: MetricsAlert[] = [];

/** `running: false` (a stopped service): no figures, even before the next sample drops its last ones */
export function ProcessUsageCell(props: { usageKey: string; label: string; running?: boolean }) {
  const { usageKey, label, running = true } = props;
  const sync = useMetrics();
  const series = useStore(sync.store, (s) => s.byKey[usageKey]);
  const alerts = useStore(sync.store, (s) => s.alerts[usageKey] ?? NO_ALERTS);
  const open = useStore(sync.store, (s) => s.detail === usageKey);
  if (!series || !running) {
    return (
      <span className="muted" data-testid={`usage-${usageKey}`} title="not measured (not running)">
        —
      </span>
    );
  }
  const { usage } = series;
  const cpu = formatCpu(usage.cpuPercent);
  const mem = formatBytes(usage.rssBytes);
  const procs = usage.pids === 1 ? '1 process' : `${usage.pids} processes`;
  return (
    <span className="process-usage" data-testid={`usage-${usageKey}`}>
      <button
        type="button"
        className="process-usage-figures"
        // the visible figures, in their order, first: a spoken name that contains what is seen (WCAG 2.5.3)
        aria-label={`${label}: ${cpu} ${mem}, CPU and memory; ${open ? 'close' : 'open'} its chart`}
        aria-expanded={open}
        title={`${procs}, ${usage.connections} TCP connections${usage.gpuBytes ? `, GPU ${formatBytes(usage.gpuBytes)}` : ''}`}
        onClick={() => sync.store.getState().open(open ? null : usageKey)}
      >
        <Sparkline values={series.cpu} min={0} max={100} label={`CPU of ${label}`} className="spark-cpu" />
        <span className="process-usage-value mono" data-testid={`usage-cpu-${usageKey}`}>
          {cpu}
        </span>
        <Sparkline values={series.rss} label={`memory of ${label}`} className="spark-mem" />
        <span className="process-usage-value mono" data-testid={`usage-mem-${usageKey}`}>
          {mem}
        </span>
      </button>
      {alerts.map((a) => (
        <AlertBadge key={a.kind} alert={a} />
      ))}
    </span>
  );
}

export function AlertBadge({ alert }: { alert: MetricsAlert }) {
  return (
    <span
      className={`badge badge-alert badge-alert-${alert.kind}`}
      role="status"
      data-testid={`alert-${alert.kind}-${alert.key}`}
      title={`${alert.kind === 'leak' ? 'Memory climbing' : 'CPU pinned'}: ${alert.message}. Shown only: DevMesh does not act on it.`}
    >
      {alert.kind}
    </span>
  );
}
