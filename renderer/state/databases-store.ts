// The databases DevMesh runs for the project on screen (databases.list), each database's snapshots
// (databases.snapshots) and the snapshots teammates published for the project (databases.peerSnapshots).
// Listed whole on connect and after a database.changed event; an action's answer patches its entry at once.
import { createStore } from 'zustand/vanilla';
import type { DatabaseInfo, PeerSnapshot, SnapshotInfo } from '../../shared/database.js';
import type { ServiceState } from '../../shared/service.js';

export interface DatabasesState {
  projectId: string | null;
  /** by the service that runs the engine (`api-db`, `cache`) */
  byService: Record<string, DatabaseInfo>;
  /** display order: the daemon's */
  services: string[];
  /** each database's snapshots, newest first */
  snapshots: Record<string, SnapshotInfo[]>;
  peerSnapshots: PeerSnapshot[];
  /** false until the first databases.list answer for the project */
  loaded: boolean;
  /** why the last listing failed; null when it answered */
  error: string | null;
  showProject(projectId: string | null): void;
  replaceDatabases(projectId: string, list: readonly DatabaseInfo[]): void;
  replaceSnapshots(projectId: string, list: readonly SnapshotInfo[]): void;
  replacePeerSnapshots(projectId: string, list: readonly PeerSnapshot[]): void;
  /** An action's answer (reset, restore, pull): the database as it is now. */
  upsertDatabase(info: DatabaseInfo): void;
  /** An action's answer (snapshot, publish, pull): one snapshot as it is now. */
  upsertSnapshot(snapshot: SnapshotInfo): void;
  /** A service.state event of a database's service: its state follows at once, the rest on the next listing. */
  setState(projectId: string, service: string, state: ServiceState): void;
  fail(projectId: string, message: string): void;
}

const sameDatabase = (a: DatabaseInfo | undefined, b: DatabaseInfo): boolean =>
  a !== undefined && JSON.stringify(a) === JSON.stringify(b);

const newestFirst = (a: SnapshotInfo, b: SnapshotInfo): number => b.createdAt - a.createdAt;

export const createDatabasesStore = () =>
  createStore<DatabasesState>()((set) => ({
    projectId: null,
    byService: {},
    services: [],
    snapshots: {},
    peerSnapshots: [],
    loaded: false,
    error: null,
    showProject: (projectId) =>
      set((s) =>
        s.projectId === projectId
          ? s
          : { projectId, byService: {}, services: [], snapshots: {}, peerSnapshots: [], loaded: false, error: null },
      ),
    replaceDatabases: (projectId, list) =>
      set((s) => {
        if (s.projectId !== projectId) return s;
        const mine = list.filter((d) => d.project === projectId);
        const byService: Record<string, DatabaseInfo> = {};
        // An unchanged entry keeps its identity: a poll that found nothing new re-renders no card.
        for (const d of mine)
          byService[d.service] = sameDatabase(s.byService[d.service], d) ? s.byService[d.service]! : d;
        const services = mine.map((d) => d.service);
        const unchanged =
          s.loaded &&
          s.error === null &&
          services.length === s.services.length &&
          services.every((name, i) => name === s.services[i] && byService[name] === s.byService[name]);
        return unchanged ? s : { byService, services, loaded: true, error: null };
      }),
    replaceSnapshots: (projectId, list) =>
      set((s) => {
        if (s.projectId !== projectId) return s;
        const snapshots: Record<string, SnapshotInfo[]> = {};
        for (const snap of list) {
          if (snap.project !== projectId) continue;
          (snapshots[snap.service] ??= []).push(snap);
        }
        for (const l of Object.values(snapshots)) l.sort(newestFirst);
        return { snapshots };
      }),
    replacePeerSnapshots: (projectId, list) =>
      set((s) =>
        s.projectId === projectId
          ? { peerSnapshots: [...list].filter((p) => p.project === projectId).sort(newestFirst) }
          : s,
      ),
    upsertDatabase: (info) =>
      set((s) => {
        if (s.projectId !== info.project) return s;
        const services = s.services.includes(info.service) ? s.services : [...s.services, info.service];
        return { byService: { ...s.byService, [info.service]: info }, services };
      }),
    upsertSnapshot: (snap) =>
      set((s) => {
        if (s.projectId !== snap.project) return s;
        const list = (s.snapshots[snap.service] ?? []).filter((x) => x.name !== snap.name);
        list.push(snap);
        list.sort(newestFirst);
        const db = s.byService[snap.service];
        const byService =
          db && db.snapshots !== list.length
            ? { ...s.byService, [snap.service]: { ...db, snapshots: list.length } }
            : s.byService;
        return { snapshots: { ...s.snapshots, [snap.service]: list }, byService };
      }),
    setState: (projectId, service, state) =>
      set((s) => {
        const db = s.byService[service];
        if (s.projectId !== projectId || !db || db.state === state) return s;
        return { byService: { ...s.byService, [service]: { ...db, state } } };
      }),
    fail: (projectId, message) => set((s) => (s.projectId === projectId ? { error: message } : s)),
  }));

export type DatabasesStore = ReturnType<typeof createDatabasesStore>;
