// Errors from actions, each with the daemon's own message, until dismissed (or after a while).
import { useEffect } from 'react';
import { useStore } from 'zustand';
import type { Toast } from '../state/toasts-store.js';
import { useApp } from './app-context.js';

const AUTO_DISMISS_MS = 12_000;

export function ToastList() {
  const { stores } = useApp();
  const toasts = useStore(stores.toasts, (s) => s.toasts);
  return (
    <div className="toasts" aria-live="assertive">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} dismiss={stores.toasts.getState().dismiss} />
      ))}
    </div>
  );
}

function ToastItem({ toast, dismiss }: { toast: Toast; dismiss(id: number): void }) {
  const onDismiss = () => dismiss(toast.id);
  useEffect(() => {
    const timer = setTimeout(() => dismiss(toast.id), AUTO_DISMISS_MS);
    return () => clearTimeout(timer);
  }, [dismiss, toast.id]);
  return (
    <div className="toast" role="alert" data-testid="toast" data-code={toast.code}>
      <div className="toast-body">
        <div className="toast-code">{toast.code}</div>
        <div className="toast-message">{toast.message}</div>
      </div>
      <button type="button" className="toast-close" aria-label="Dismiss" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}
