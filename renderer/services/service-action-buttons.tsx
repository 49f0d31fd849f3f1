// A service's Start / Stop / Restart buttons, each enabled only where it makes sense for the service's state:
// the services table's rows and a worktree copy's rows use the same ones.
import type { MouseEvent } from 'react';
import type { ServiceState } from '../../shared/service.js';
import { canRun, type ServiceAction } from './service-actions.js';

const ACTIONS: { action: ServiceAction; label: string }[] = [
  { action: 'start', label: 'Start' },
  { action: 'stop', label: 'Stop' },
  { action: 'restart', label: 'Restart' },
];

interface Props {
  name: string;
  state: ServiceState;
  /** all off (busy, or no connection) */
  disabled: boolean;
  onAction(action: ServiceAction, e: MouseEvent): void;
  /** each button's accessible name, when its text alone would be ambiguous */
  ariaLabel?: (label: string) => string;
  /** `service-<action>-<name>` test ids */
  testIds?: boolean;
}

export function ServiceActionButtons({ name, state, disabled, onAction, ariaLabel, testIds }: Props) {
  return ACTIONS.map(({ action, label }) => (
    <button
      key={action}
      type="button"
      className={`btn btn-${action}`}
      {...(testIds ? { 'data-testid': `service-${action}-${name}` } : {})}
      {...(ariaLabel ? { 'aria-label': ariaLabel(label) } : {})}
      disabled={disabled || !canRun(action, state)}
      onClick={(e) => onAction(action, e)}
    >
      {label}
    </button>
  ));
}
