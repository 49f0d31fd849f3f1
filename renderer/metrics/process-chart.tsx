// The detail chart of one process: CPU and memory over the last minutes (every sample, refreshed as samples
// come) or the last 24 hours (a point a minute), with its active alerts. A panel below the services table or
// the agent strip, not a modal: the rows stay usable beside it. Focus moves in; Escape and Close close it and
// give focus back.
import { useEffect, useId, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { formatBytes, formatCpu, type MetricsHistory } from '../../shared/metrics.js';
import { useDrawer } from '../common/use-drawer.js';
import { LineChart } from './line-chart.js';
import { useMetrics } from './metrics-sync.js';

type Range = 'fine' | 'day';

/** The chart of the open process when it is of `kind` (a service of the project shown, an agent). */
export function ProcessChartPanel({ kind, project }: { kind: 'service' | 'agent'; project?: string }) {
  const sync = useMetrics();
  const detail = useStore(sync.store, (s) => s.detail);
  const name = useStore(sync.store, (s) => (s.detail === null ? null : (s.byKey[s.detail]?.usage.name ?? null)));
  const prefix = kind === 'service' ? `service:${project}/` : 'agent:';
  if (detail === null || !detail.startsWith(prefix)) return null;
  const label = name ?? detail.slice(prefix.length);
  return <ProcessChart key={detail} usageKey={detail} label={label} onClose={() => sync.store.getState().open(null)} />;
}

function ProcessChart({ usageKey, label, onClose }: { usageKey: string; label: string; onClose(): void }) {
  const sync = useMetrics();
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  useDrawer(onClose, { ref: box });
  const [range, setRange] = useState<Range>('fine');
  const [history, setHistory] = useState<MetricsHistory | null | 'loading'>('loading');
  // in the fine range, a new sample brings the chart up to date
  const sampledAt = useStore(sync.store, (s) => (range === 'fine' ? (s.byKey[usageKey]?.usage.ts ?? 0) : 0));
  const alerts = useStore(sync.store, (s) => s.alerts[usageKey]);
  useEffect(() => {
    let live = true;
    void sync.history(usageKey, range).then((h) => live && setHistory(h));
    return () => {
      live = false;
    };
  }, [sync, usageKey, range, sampledAt]);
  const points = history !== null && history !== 'loading' ? history.points : [];
  return (
    <section
      ref={box}
      tabIndex={-1}
      className="process-chart"
      aria-labelledby={titleId}
      data-testid={`chart-${usageKey}`}
    >
      <div className="process-chart-head">
        <h2 id={titleId}>What {label} uses</h2>
        <div className="process-chart-ranges" role="group" aria-label="Range">
          {(['fine', 'day'] as const).map((r) => (
            <button
              key={r}
              type="button"
              className={r === range ? 'btn btn-small active' : 'btn btn-small'}
              aria-pressed={r === range}
              onClick={() => setRange(r)}
            >
              {r === 'fine' ? 'Last minutes' : 'Last 24 hours'}
            </button>
          ))}
        </div>
        <button type="button" className="btn btn-small" onClick={onClose}>
          Close
        </button>
      </div>
      {alerts?.map((a) => (
        <div key={a.kind} className="banner banner-warn" role="status">
          {a.kind === 'leak' ? 'Memory climbing' : 'CPU pinned'}: {a.message} (shown only; DevMesh does not act on it)
        </div>
      ))}
      {history === 'loading' ? (
        <div className="muted">Loading…</div>
      ) : history === null ? (
        <div className="muted">No figures: the daemon could not be asked.</div>
      ) : (
        <>
          <LineChart
            title="CPU (% of one core)"
            points={points.map((p) => ({ ts: p.ts, value: p.cpuPercent }))}
            format={(v) => formatCpu(v)}
            max={100}
            testId={`chart-cpu-${usageKey}`}
          />
          <LineChart
            title="Memory (resident, whole tree)"
            points={points.map((p) => ({ ts: p.ts, value: p.rssBytes }))}
            format={(v) => formatBytes(v)}
            testId={`chart-mem-${usageKey}`}
          />
        </>
      )}
    </section>
  );
}
