// A sparkline: a tiny plain-SVG line of recent values, no axes. The vertical scale starts at `min` (default:
// the lowest value) and reaches at least `max`, so 5% CPU stays low on a 100% scale while memory shows its
// own trend. Unmeasured points (null) break the line.
import { memo } from 'react';

interface Props {
  values: readonly (number | null)[];
  /** the scale reaches at least this (100 for CPU: one core) */
  max?: number;
  /** the scale starts here (0 for CPU); default the lowest value */
  min?: number;
  label: string;
  width?: number;
  height?: number;
  className?: string;
  testId?: string;
}

/** the polyline segments of `values` in a width × height box, one per run of measured values */
export function sparkPaths(
  values: readonly (number | null)[],
  width: number,
  height: number,
  scale: { min?: number; max?: number } = {},
): string[] {
  const measured = values.filter((v): v is number => v !== null);
  if (measured.length === 0) return [];
  const lo = scale.min ?? Math.min(...measured);
  const hi = Math.max(scale.max ?? -Infinity, ...measured);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const y = (v: number) => (hi === lo ? height / 2 : height - ((v - lo) / (hi - lo)) * (height - 2) - 1);
  const paths: string[] = [];
  let current: string[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (current.length > 0) paths.push(current.join(' '));
      current = [];
      return;
    }
    current.push(`${(values.length > 1 ? i * step : width / 2).toFixed(1)},${y(v).toFixed(1)}`);
  });
  if (current.length > 0) paths.push(current.join(' '));
  return paths;
}

export const Sparkline = memo(function Sparkline(props: Props) {
  const { values, label, width = 56, height = 16, className, testId } = props;
  const paths = sparkPaths(values, width, height, { min: props.min, max: props.max });
  return (
    <svg
      className={`sparkline ${className ?? ''}`}
      role="img"
      aria-label={label}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      data-testid={testId}
      data-points={values.length}
    >
      {paths.map((p, i) =>
        p.includes(' ') ? (
          <polyline key={i} points={p} fill="none" strokeWidth="1.5" />
        ) : (
          <circle key={i} cx={p.split(',')[0]} cy={p.split(',')[1]} r="1.5" />
        ),
      )}
    </svg>
  );
});
