// Time since the current process started, ticking once a second from the shared clock.
import { formatDuration } from '../common/format-time.js';
import { useNow } from '../common/use-now.js';

export function Uptime({ startedAt }: { startedAt: number | null }) {
  if (startedAt === null) return <span className="muted">—</span>;
  return <TickingUptime startedAt={startedAt} />;
}

// Split out so that only running services subscribe to the clock.
function TickingUptime({ startedAt }: { startedAt: number }) {
  const now = useNow();
  return <span title={new Date(startedAt).toLocaleString()}>{formatDuration(now - startedAt)}</span>;
}
