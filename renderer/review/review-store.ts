// The Review view's state: which agent's work is shown, its changed files against the base branch
// (review.summary), the file open in the diff pane (review.file), the list's filter, and the diff layout
// (unified or side by side, remembered across reloads). Answers are stamped with the agent and path they were
// asked for, so an answer for an agent or file no longer shown is dropped by the sync, never shown here.
import { createStore } from 'zustand/vanilla';
import type { FileDiff, ReviewSummary } from '../../shared/review.js';

export type DiffLayout = 'unified' | 'split';

/** where the chosen layout is kept (localStorage in a page; a test may hand in its own) */
export interface LayoutMemory {
  get(): DiffLayout | null;
  set(layout: DiffLayout): void;
}

const LAYOUT_KEY = 'devmesh.review.layout';

/** The page's localStorage, or no memory where there is none (a store made outside a page). */
export function pageLayoutMemory(): LayoutMemory {
  const storage = typeof localStorage === 'undefined' ? null : localStorage;
  return {
    get: () => {
      const value = storage?.getItem(LAYOUT_KEY);
      return value === 'unified' || value === 'split' ? value : null;
    },
    set: (layout) => storage?.setItem(LAYOUT_KEY, layout),
  };
}

export interface ReviewState {
  /** the agent whose work is shown */
  agentId: string | null;
  summary: ReviewSummary | null;
  /** a review.summary call is in flight */
  loading: boolean;
  /** why the summary could not be read (the daemon's message) */
  error: string | null;
  /** the file shown in the diff pane */
  path: string | null;
  diff: FileDiff | null;
  diffLoading: boolean;
  diffError: string | null;
  filter: string;
  layout: DiffLayout;
  /** shows another agent's work (the summary and the open file are forgotten) */
  showAgent(agentId: string | null): void;
  loadingSummary(): void;
  setSummary(summary: ReviewSummary): void;
  failSummary(message: string): void;
  openFile(path: string | null): void;
  loadingDiff(): void;
  setDiff(diff: FileDiff): void;
  failDiff(message: string): void;
  setFilter(filter: string): void;
  setLayout(layout: DiffLayout): void;
}

export const createReviewStore = (memory: LayoutMemory = pageLayoutMemory()) =>
  createStore<ReviewState>()((set) => ({
    agentId: null,
    summary: null,
    loading: false,
    error: null,
    path: null,
    diff: null,
    diffLoading: false,
    diffError: null,
    filter: '',
    layout: memory.get() ?? 'unified',
    showAgent: (agentId) =>
      set((s) =>
        s.agentId === agentId
          ? s
          : {
              agentId,
              summary: null,
              loading: false,
              error: null,
              path: null,
              diff: null,
              diffLoading: false,
              diffError: null,
            },
      ),
    loadingSummary: () => set({ loading: true }),
    setSummary: (summary) =>
      set((s) => {
        // the open file left the list (committed away, discarded): its diff pane closes with it
        const gone = s.path !== null && !summary.files.some((f) => f.path === s.path);
        return {
          summary,
          loading: false,
          error: null,
          ...(gone ? { path: null, diff: null, diffLoading: false, diffError: null } : {}),
        };
      }),
    failSummary: (message) => set({ loading: false, error: message }),
    openFile: (path) => set((s) => (s.path === path ? s : { path, diff: null, diffLoading: false, diffError: null })),
    loadingDiff: () => set({ diffLoading: true }),
    setDiff: (diff) => set({ diff, diffLoading: false, diffError: null }),
    failDiff: (message) => set({ diffLoading: false, diffError: message }),
    setFilter: (filter) => set({ filter }),
    setLayout: (layout) => {
      memory.set(layout);
      set({ layout });
    },
  }));

export type ReviewStore = ReturnType<typeof createReviewStore>;
