// A modal dialog of the Services view's databases (restore, reset, pull): titled, focus moved into it on open
// and given back on close, Escape and Cancel close it, the confirming button is the form's submit (Enter
// confirms). The daemon's refusal shows inside it, in its own words, and the dialog stays open.
import { useId, useRef, type FormEvent, type ReactNode } from 'react';
import { useDrawer } from '../common/use-drawer.js';
import '../styles/dialog.css';

export interface DatabaseDialogProps {
  title: string;
  /** the confirming button's text */
  confirm: string;
  danger?: boolean;
  busy: boolean;
  /** false: the confirming button is disabled (no snapshot chosen yet) */
  canConfirm?: boolean;
  /** the daemon's answer to the last attempt, when it refused */
  error: string | null;
  onConfirm(): void;
  onClose(): void;
  testId: string;
  children: ReactNode;
}

export function DatabaseDialog(props: DatabaseDialogProps) {
  const { title, confirm, danger, busy, canConfirm = true, error, onConfirm, onClose, testId, children } = props;
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  // while the daemon works on it, Escape does not pretend to cancel what it cannot
  useDrawer(() => !busy && onClose(), { ref: box });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!busy && canConfirm) onConfirm();
  };
  return (
    <div className="db-dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && !busy && onClose()}>
      <div
        ref={box}
        tabIndex={-1}
        className="db-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testId}
      >
        {/* the box is the dialog, the form inside it (a form may not take the dialog role) */}
        <form className="dialog-form" onSubmit={submit}>
          <h2 id={titleId}>{title}</h2>
          {children}
          {error !== null && (
            <div className="db-error" role="alert" data-testid={`${testId}-error`}>
              {error}
            </div>
          )}
          <div className="db-dialog-buttons">
            <button type="button" className="btn" onClick={onClose} disabled={busy}>
              Cancel
            </button>
            <button
              type="submit"
              className={danger ? 'btn btn-stop' : 'btn btn-start'}
              disabled={busy || !canConfirm}
              data-testid={`${testId}-confirm`}
            >
              {busy ? 'Working…' : confirm}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
