// A plain-SVG line chart for the detail view: one series over time, its highest value and the time span
// labelled, the area under the line shaded. No chart library: two lines of figures do not need one.
import { sparkPaths } from './sparkline.js';

export interface ChartPoint {
  ts: number;
  value: number | null;
}

interface Props {
  title: string;
  points: readonly ChartPoint[];
  format: (v: number) => string;
  /** the scale reaches at least this */
  max?: number;
  testId: string;
}

const W = 480;
const H = 110;

const clock = (ts: number) => new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export function LineChart({ title, points, format, max, testId }: Props) {
  const values = points.map((p) => p.value);
  const measured = values.filter((v): v is number => v !== null);
  const top = Math.max(max ?? 0, ...measured);
  const paths = sparkPaths(values, W, H, { min: 0, max: top });
  const latest = measured.at(-1);
  return (
    <figure className="line-chart" data-testid={testId}>
      <figcaption>
        {title}
        <span className="muted">
          {latest === undefined
            ? ' — no figures in this range'
            : ` now ${format(latest)}, highest ${format(Math.max(...measured))}`}
        </span>
      </figcaption>
      <svg role="img" aria-label={`${title} over time`} viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none">
        <line x1="0" y1={H - 0.5} x2={W} y2={H - 0.5} className="axis" />
        {paths.map((p, i) => (
          <g key={i}>
            <polygon
              points={`${p.split(' ')[0]!.split(',')[0]},${H} ${p} ${p.split(' ').at(-1)!.split(',')[0]},${H}`}
              className="area"
            />
            <polyline points={p} fill="none" strokeWidth="1.5" />
          </g>
        ))}
      </svg>
      <div className="line-chart-axis muted">
        <span>{points[0] ? clock(points[0].ts) : ''}</span>
        <span>scale 0–{format(top)}</span>
        <span>{points.at(-1) ? clock(points.at(-1)!.ts) : ''}</span>
      </div>
    </figure>
  );
}
