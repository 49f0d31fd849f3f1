// The Audit view's state that outlives a visit: the filter as typed, and requests to verify the chain
// (from the palette) that the view answers when it is shown.
import { createStore } from 'zustand/vanilla';
import { EMPTY_AUDIT_FORM, type AuditFilterForm } from './audit-filter.js';

export interface AuditState {
  form: AuditFilterForm;
  /** bumped by each request to verify; the view verifies when it changes (and when it is first shown) */
  verifyRequests: number;
  setForm(form: AuditFilterForm): void;
  requestVerify(): void;
}

export const createAuditStore = () =>
  createStore<AuditState>()((set) => ({
    form: EMPTY_AUDIT_FORM,
    verifyRequests: 0,
    setForm: (form) => set({ form }),
    requestVerify: () => set((s) => ({ verifyRequests: s.verifyRequests + 1 })),
  }));

export type AuditStore = ReturnType<typeof createAuditStore>;
