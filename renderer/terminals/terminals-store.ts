// The terminal sessions the daemon runs, as TerminalInfo only (their output never enters a store: it goes
// straight from the stream to xterm), plus which session each pane of the Terminals view shows.
import { createStore } from 'zustand/vanilla';
import type { TerminalInfo } from '../../shared/terminal.js';

export interface TerminalsState {
  byId: Record<string, TerminalInfo>;
  /** tab order: the daemon's list order, then sessions first seen in events */
  ids: string[];
  /** what the left pane shows, and the right pane when the view is split (null: split off) */
  panes: [string | null, string | null];
  split: boolean;
  /** the pane a newly opened or clicked tab goes to */
  focus: 0 | 1;
  /** why the list could not be read, shown in place of the tabs */
  error: string | null;
  /** A fresh terminals.list answer. */
  replace(list: TerminalInfo[]): void;
  /** A session from an event or a call's answer: replaces its entry, or adds a tab. */
  upsert(info: TerminalInfo): void;
  remove(id: string): void;
  show(id: string, pane?: 0 | 1): void;
  setSplit(split: boolean): void;
  setFocus(pane: 0 | 1): void;
  fail(message: string | null): void;
}

type Panes = TerminalsState['panes'];

/** Keeps the panes on sessions that exist, never both on the same one (a terminal has one screen element). */
function fixPanes(panes: Panes, ids: string[], split: boolean): Panes {
  const left = panes[0] !== null && ids.includes(panes[0]) ? panes[0] : (ids[0] ?? null);
  if (!split) return [left, null];
  const rightOk = panes[1] !== null && panes[1] !== left && ids.includes(panes[1]);
  return [left, rightOk ? panes[1] : (ids.find((id) => id !== left) ?? null)];
}

const samePanes = (a: Panes, b: Panes) => a[0] === b[0] && a[1] === b[1];

export const createTerminalsStore = () =>
  createStore<TerminalsState>()((set) => ({
    byId: {},
    ids: [],
    panes: [null, null],
    split: false,
    focus: 0,
    error: null,
    replace: (list) =>
      set((s) => {
        const byId: Record<string, TerminalInfo> = {};
        for (const info of list) {
          // An event that arrived while the list was in flight can be newer than the list: keep it.
          const seen = s.byId[info.id];
          byId[info.id] = seen && newer(seen, info) ? seen : info;
        }
        const ids = list.map((i) => i.id);
        const panes = fixPanes(s.panes, ids, s.split);
        return { byId, ids, panes: samePanes(panes, s.panes) ? s.panes : panes, error: null };
      }),
    upsert: (info) =>
      set((s) => {
        const seen = s.byId[info.id];
        if (seen && newer(seen, info)) return s;
        const ids = s.ids.includes(info.id) ? s.ids : [...s.ids, info.id];
        const panes = fixPanes(s.panes, ids, s.split);
        return { byId: { ...s.byId, [info.id]: info }, ids, panes: samePanes(panes, s.panes) ? s.panes : panes };
      }),
    remove: (id) =>
      set((s) => {
        if (!(id in s.byId)) return s;
        const { [id]: _gone, ...byId } = s.byId;
        const ids = s.ids.filter((i) => i !== id);
        return { byId, ids, panes: fixPanes(s.panes, ids, s.split) };
      }),
    show: (id, pane) =>
      set((s) => {
        if (!s.ids.includes(id)) return s;
        const target = s.split ? (pane ?? s.focus) : 0;
        const panes: Panes = [...s.panes];
        const other = target === 0 ? 1 : 0;
        // Showing in one pane what the other shows swaps them rather than drawing one terminal twice.
        if (s.split && panes[other] === id) panes[other] = panes[target];
        panes[target] = id;
        return { panes: fixPanes(panes, s.ids, s.split), focus: target };
      }),
    // Splitting focuses the new pane, so the next New shell (or tab click) lands beside the current terminal.
    setSplit: (split) =>
      set((s) => (s.split === split ? s : { split, panes: fixPanes(s.panes, s.ids, split), focus: split ? 1 : 0 })),
    setFocus: (pane) => set((s) => (s.focus === pane ? s : { focus: pane })),
    fail: (message) => set((s) => (s.error === message ? s : { error: message })),
  }));

/** An exited session never runs again, and the daemon's byte counter only grows. */
function newer(a: TerminalInfo, b: TerminalInfo): boolean {
  if (a.state === 'exited' && b.state === 'running') return true;
  return a.state === b.state && a.bytesOut > b.bytesOut;
}

export type TerminalsStore = ReturnType<typeof createTerminalsStore>;
