// One log line: its time, a level badge for a line with a known level, and its shown text (a structured
// line's message and fields), the search's matches marked. Memoised by identity and the current-match
// flag: lines never change, so a new batch renders only the new rows.
import { memo, type ReactNode } from 'react';
import { displayText, matchRanges } from '../../shared/log-match.js';
import { levelName, type TextTerm } from '../../shared/log-query.js';
import { formatClock } from '../common/format-time.js';
import type { ShownLine } from './log-session.js';

export interface LogLineRowProps {
  line: ShownLine;
  /** the search's words, for lines the daemon did not mark (live ones) */
  terms: readonly TextTerm[];
  /** the match the user jumped to */
  current: boolean;
}

export const LogLineRow = memo(function LogLineRow({ line, terms, current }: LogLineRowProps) {
  const text = displayText(line);
  const ranges = terms.length === 0 ? [] : (line.matches ?? matchRanges(text, terms));
  const level = levelName(line.level);
  // a plain stdout line with a guessed level stays quiet; a structured or stderr line shows its level
  const badge = level !== null && (line.msg !== undefined || line.stream === 'stderr' || (line.level ?? 0) >= 40);
  const classes = ['log-line', `log-${line.stream}`];
  if (level) classes.push(`log-level-${level}`);
  if (line.msg !== undefined) classes.push('log-structured');
  if (current) classes.push('log-current');
  return (
    <div
      className={classes.join(' ')}
      data-testid="log-line"
      data-seq={line.seq}
      data-level={level ?? undefined}
      aria-current={current ? 'true' : undefined}
    >
      <span className="log-ts">{formatClock(line.ts)}</span>
      {badge && <span className="log-level">{level}</span>}
      <span className="log-text">{marked(text, ranges)}</span>
    </div>
  );
});

function marked(text: string, ranges: readonly (readonly [number, number])[]): ReactNode {
  if (ranges.length === 0) return text;
  const out: ReactNode[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at || end > text.length) continue; // ranges of another text: shown unmarked
    if (start > at) out.push(text.slice(at, start));
    out.push(
      <mark key={start} className="log-match" data-testid="log-match">
        {text.slice(start, end)}
      </mark>,
    );
    at = end;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}
