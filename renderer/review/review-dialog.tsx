// A modal dialog of the Review view (merge, discard, keep): titled, focus moved into it on open and given back
// on close, Escape and Cancel close it; the confirming button is the form's submit (Enter confirms).
import { useId, useRef, type FormEvent, type ReactNode } from 'react';
import { useDrawer } from '../common/use-drawer.js';

export interface ReviewDialogProps {
  title: string;
  /** the confirming button's text */
  confirm: string;
  danger?: boolean;
  busy: boolean;
  /** false: the confirming button is disabled (conflicts found, a message missing) */
  canConfirm?: boolean;
  onConfirm(): void;
  onClose(): void;
  testId: string;
  children: ReactNode;
}

export function ReviewDialog(props: ReviewDialogProps) {
  const { title, confirm, danger, busy, canConfirm = true, onConfirm, onClose, testId, children } = props;
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  useDrawer(onClose, { ref: box });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!busy && canConfirm) onConfirm();
  };
  return (
    <div className="review-dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={box}
        tabIndex={-1}
        className="review-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testId}
      >
        {/* the box is the dialog, the form inside it (a form may not take the dialog role) */}
        <form className="dialog-form" onSubmit={submit}>
          <h2 id={titleId}>{title}</h2>
          {children}
          <div className="review-dialog-buttons">
            <button type="button" className="btn" onClick={onClose}>
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
