// One log line. Memoised by identity: lines never change, so a new batch renders only the new rows.
import { memo } from 'react';
import type { LogLine } from '../../shared/service.js';
import { formatClock } from '../common/format-time.js';

export const LogLineRow = memo(function LogLineRow({ line }: { line: LogLine }) {
  return (
    <div className={`log-line log-${line.stream}`} data-testid="log-line" data-seq={line.seq}>
      <span className="log-ts">{formatClock(line.ts)}</span>
      <span className="log-text">{line.text}</span>
    </div>
  );
});
