// The command center's tasks (TaskInfo), kept by updatedAt so a late answer never rolls a task back, and
// the detail (history, bids, locks) of the one task the operator opened.
import { createStore } from 'zustand/vanilla';
import type { TaskDetail, TaskInfo } from '../../shared/task.js';

export interface TasksState {
  byId: Record<string, TaskInfo>;
  /** false until the first listing answered */
  loaded: boolean;
  error: string | null;
  /** the task whose detail is open, and that detail once fetched */
  openId: string | null;
  detail: TaskDetail | null;
  /** why the open task's detail could not be read */
  detailError: string | null;
  /** whether the New task form is open (its button, or the palette's "New task…") */
  composing: boolean;
  /** A fresh tasks.list answer. */
  replace(list: TaskInfo[]): void;
  /** A task from an event or a call's answer: replaces its entry unless it is older, or adds it. */
  upsert(task: TaskInfo): void;
  fail(message: string | null): void;
  open(id: string | null): void;
  setDetail(detail: TaskDetail): void;
  failDetail(id: string, message: string): void;
  /** Opens the New task form (closing the open task's drawer, which would cover half the board) or closes it. */
  setComposing(composing: boolean): void;
}

const isOlder = (incoming: { updatedAt: number }, seen: { updatedAt: number } | undefined | null) =>
  seen !== undefined && seen !== null && incoming.updatedAt < seen.updatedAt;

export const createTasksStore = () =>
  createStore<TasksState>()((set) => ({
    byId: {},
    loaded: false,
    error: null,
    openId: null,
    detail: null,
    detailError: null,
    composing: false,
    replace: (list) =>
      set((s) => {
        const byId: Record<string, TaskInfo> = {};
        // An event that arrived while the list was in flight can be newer than the list: keep it.
        for (const task of list) byId[task.id] = isOlder(task, s.byId[task.id]) ? s.byId[task.id]! : task;
        return { byId, loaded: true, error: null };
      }),
    upsert: (task) => set((s) => (isOlder(task, s.byId[task.id]) ? s : { byId: { ...s.byId, [task.id]: task } })),
    fail: (message) => set((s) => (s.error === message ? s : { error: message })),
    open: (id) => set((s) => (s.openId === id ? s : { openId: id, detail: null, detailError: null })),
    setDetail: (detail) =>
      set((s) => {
        if (detail.id !== s.openId) return s; // the operator moved on to another task meanwhile
        if (s.detail && s.detail.id === detail.id && isOlder(detail, s.detail)) return s;
        return {
          detail,
          detailError: null,
          byId: isOlder(detail, s.byId[detail.id]) ? s.byId : { ...s.byId, [detail.id]: stripDetail(detail) },
        };
      }),
    failDetail: (id, message) => set((s) => (s.openId === id ? { detailError: message } : s)),
    setComposing: (composing) =>
      set((s) =>
        s.composing === composing
          ? s
          : composing
            ? { composing, openId: null, detail: null, detailError: null }
            : { composing },
      ),
  }));

function stripDetail(detail: TaskDetail): TaskInfo {
  const { history: _h, bids: _b, lockIds: _l, ...info } = detail;
  return info;
}

export type TasksStore = ReturnType<typeof createTasksStore>;
