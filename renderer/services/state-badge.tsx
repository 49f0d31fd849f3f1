// A service's state as a coloured pill; the colour lives in CSS (one class per state).
import type { ServiceState } from '../../shared/service.js';

export function StateBadge({ name, state }: { name: string; state: ServiceState }) {
  return (
    <span className={`badge badge-${state}`} data-testid={`service-state-${name}`}>
      {state}
    </span>
  );
}
