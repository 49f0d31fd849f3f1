// Errors from the operator's actions, shown as dismissible toasts with the error's own message, and news
// the operator should see at once (a version mismatch in the mesh).
import { createStore } from 'zustand/vanilla';
import { DevMeshError } from '../../shared/errors.js';

export interface Toast {
  id: number;
  code: string;
  message: string;
}

export interface ToastsState {
  toasts: Toast[];
  push(err: unknown, context?: string): void;
  /** A toast that is not an error of an action: `code` is its label (e.g. VERSION_MISMATCH). */
  notify(code: string, message: string): void;
  dismiss(id: number): void;
}

const MAX_TOASTS = 5;

export const createToastsStore = () => {
  let nextId = 1;
  return createStore<ToastsState>()((set, get) => ({
    toasts: [],
    push: (err, context) => {
      const code = err instanceof DevMeshError ? err.code : 'INTERNAL';
      const text = err instanceof Error ? err.message : String(err);
      get().notify(code, context ? `${context}: ${text}` : text);
    },
    notify: (code, message) =>
      set((s) => {
        // The same failure repeated (a button clicked five times) is one toast, not a wall of them.
        if (s.toasts.some((t) => t.message === message)) return s;
        return { toasts: [...s.toasts, { id: nextId++, code, message }].slice(-MAX_TOASTS) };
      }),
    dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  }));
};

export type ToastsStore = ReturnType<typeof createToastsStore>;
