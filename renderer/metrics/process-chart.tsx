// The detail chart of one process: CPU and memory over the last minutes (every sample, refreshed as samples
// come) or the last 24 hours (a point a minute), with its active alerts. A modal dialog: focus moves in,
// Escape and Close close it and give focus back.
import { useEffect, useId, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { formatBytes, formatCpu, type MetricsHistory } from '../../shared/metrics.js';
import { useDrawer } from '../common/use-drawer.js';
import { LineChart } from './line-chart.js';
import { useMetrics } from './metrics-sync.js';
import '../styles/dialog.css';

type Range = 'fine' | 'day';

export function ProcessChart({ usageKey, label, onClose }: { usageKey: string; label: string; onClose(): void }) {
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
    // inside a table row or a card: a click here is not theirs
    <div
      className="db-dialog-backdrop"
      onClick={(e) => e.stopPropagation()}
      onMouseDown={(e) => e.target === e.currentTarget && onClose()}
    >
      <div
        ref={box}
        tabIndex={-1}
        className="db-dialog process-chart"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={`chart-${usageKey}`}
      >
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
        <div className="db-dialog-buttons">
          <button type="button" className="btn" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
