// `devmesh doctor`: checks the home (permissions, the store's integrity, the audit chain's presence, the
// backups) and, when the store is damaged or gone and no DevMesh runs, repairs it: the broken store (with
// its -wal and -shm) and the audit mirror are kept aside in $DEVMESH_HOME/broken, renamed with a timestamp
// and never deleted, and the newest backup that passes integrity_check takes the store's place. The
// restored chain records the restore itself (`store.restored`: which backup, what was set aside), so the
// entries lost since that backup are declared in the chain, not silently missing.
//
// It works with DevMesh stopped, holding the home's lock meanwhile so no DevMesh starts on a half-restored
// store. With DevMesh running it checks (read-only) and refuses to change the store, naming the pid.
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { AuditLog } from '../audit/audit-log.js';
import type { DevMeshHome } from '../home/devmesh-home.js';
import { HolderSchema, HomeLock } from '../home/home-lock.js';
import { HomePermissions } from '../home/home-permissions.js';
import { Database } from '../store/database.js';
import { StoreBackups } from '../store/store-backups.js';
import * as storeCheck from '../store/store-check.js';
import { StoreCheckSchema } from '../store/store-check.js';
import { StoreMarker } from '../store/store-marker.js';

export interface DoctorOptions {
  /** report only: change nothing */
  check?: boolean;
  /** set the store aside and let DevMesh start with an empty one */
  fresh?: boolean;
  /** restore this backup (a path), whatever the state of the store */
  from?: string | null;
}

export const DoctorReportSchema = z.object({
  ok: z.boolean(),
  home: z.object({ dir: z.string(), tightened: z.array(z.string()), problems: z.array(z.string()) }),
  /** the DevMesh holding the home (daemon, app, or another doctor), null when none runs */
  daemon: HolderSchema.nullable(),
  store: StoreCheckSchema,
  backups: z.array(z.object({ path: z.string(), takenAt: z.number(), bytes: z.number() })),
  /** the running daemon's health ledger (filled by the CLI over the API), null when none runs */
  health: z.unknown().nullable(),
  /** what doctor did, in sentences */
  actions: z.array(z.string()),
  /** files moved aside (never deleted) */
  setAside: z.array(z.string()),
  restoredFrom: z.string().nullable(),
  /** what is still wrong, each with how to fix it */
  problems: z.array(z.string()),
});
export type DoctorReport = z.infer<typeof DoctorReportSchema>;

export class StoreDoctor {
  constructor(private readonly home: DevMeshHome) {}

  async run(options: DoctorOptions = {}): Promise<DoctorReport> {
    const home = this.home;
    const lock = options.check ? null : HomeLock.tryAcquire(home, 'doctor');
    const holder = lock ? null : HomeLock.readHolder(home);
    try {
      const permissions = options.check ? new HomePermissions(home).inspect() : new HomePermissions(home).tighten();
      const tightened = permissions.tightened.map((t) => `${t.path} (was ${t.was})`);
      const marker = new StoreMarker(home.storeMarkerPath);
      const report: DoctorReport = {
        ok: false,
        home: { dir: home.dir, tightened, problems: permissions.problems },
        daemon: holder,
        store: storeCheck.check(home.databasePath, marker.read() !== null),
        backups: StoreBackups.list(home.backupsDir),
        health: null,
        actions: tightened.length > 0 ? [`made ${tightened.length} file(s) readable by you only`] : [],
        setAside: [],
        restoredFrom: null,
        problems: [],
      };
      const broken = ['missing', 'empty', 'corrupt'].includes(report.store.state);
      const wanted = broken || options.fresh === true || (options.from ?? null) !== null;
      if (wanted && !options.check && lock === null) {
        report.problems.push(...report.store.problems);
        const what = broken ? 'restore the store' : options.fresh ? 'set the store aside' : 'restore a backup';
        report.problems.push(StoreDoctor.running(holder, what));
      } else if (wanted && !options.check) {
        // on success report.store is the new store's check; without a backup the problem says what to do
        if (this.repair(report, marker, options)) report.problems.push(...report.store.problems);
      } else if (broken) {
        report.problems.push(this.advice(report));
      } else {
        report.problems.push(...report.store.problems);
      }
      report.problems.push(...report.home.problems);
      report.ok = report.problems.length === 0;
      return report;
    } finally {
      lock?.release();
    }
  }

  /** false when there was nothing to restore (the problem is in the report) */
  private repair(report: DoctorReport, marker: StoreMarker, options: DoctorOptions): boolean {
    const home = this.home;
    if (options.fresh) {
      report.setAside = this.setAside();
      marker.clear();
      const kept = `${report.setAside.length} file(s) in ${home.brokenDir}`;
      report.actions.push(`kept the store aside (${kept}); DevMesh starts with an empty store`);
      report.store = storeCheck.check(home.databasePath, false);
      return true;
    }
    const chosen = this.chooseBackup(report, options.from ?? null);
    if (chosen === null) return false;
    // the copy first: a full disk then fails before anything was moved
    const tmp = `${home.databasePath}.restore.tmp`;
    copyFileSync(chosen.path, tmp);
    const fd = openSync(tmp, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    report.setAside = this.setAside();
    renameSync(tmp, home.databasePath);
    report.restoredFrom = chosen.path;
    // migrations (an older backup), then the restore itself as an entry of the restored chain
    const database = Database.open(home.databasePath);
    try {
      marker.write(database.schemaVersion);
      const audit = new AuditLog(database, { mirrorPath: home.auditMirrorPath, durability: 'full' });
      try {
        audit.append({
          actor: 'devmesh',
          kind: 'store.restored',
          subject: home.databasePath,
          data: { backup: chosen.path, takenAt: chosen.takenAt, setAside: report.setAside, reason: report.store.state },
        });
      } finally {
        audit.dispose();
      }
    } finally {
      database.close();
    }
    const when = StoreDoctor.when(chosen.takenAt);
    report.actions.push(
      `kept the ${report.store.state} store aside in ${home.brokenDir} and restored the backup of ${when} ` +
        `(${chosen.path}); what DevMesh stored after that time is only in the files set aside`,
    );
    report.store = storeCheck.check(home.databasePath, true);
    return true;
  }

  /** The backup to restore: `from`, or the newest that passes integrity_check; null (with a problem) when none. */
  private chooseBackup(report: DoctorReport, from: string | null): { path: string; takenAt: number } | null {
    const candidates = from !== null ? [{ path: from, takenAt: Date.now(), bytes: 0 }] : report.backups;
    const refused: string[] = [];
    for (const candidate of candidates) {
      if (!existsSync(candidate.path)) {
        refused.push(`${candidate.path}: no such file`);
        continue;
      }
      const check = storeCheck.sound(candidate.path);
      if (check.state === 'ok') return candidate;
      refused.push(`${basename(candidate.path)}: ${check.problems.join('; ')}`);
    }
    const none =
      candidates.length === 0
        ? `there is no backup in ${this.home.backupsDir}`
        : `no backup passes the check (${refused.join('; ')})`;
    report.problems.push(
      `the store ${this.home.databasePath} is ${report.store.state} and ${none}. Run \`devmesh doctor --fresh\` ` +
        'to keep it aside and start with an empty store (projects are then opened and agents and tasks created ' +
        'again), or restore a copy of your own with `devmesh doctor --from FILE`.',
    );
    return null;
  }

  /** Moves the store, its -wal/-shm/-journal and the audit mirror to broken/, named with a timestamp. */
  private setAside(): string[] {
    const home = this.home;
    const stamp = new Date().toISOString().replace(/:/g, '-');
    const store = (suffix: string): [string, string] => [
      `${home.databasePath}${suffix}`,
      join(home.brokenDir, `devmesh-${stamp}.db${suffix}`),
    ];
    const moves: Array<[string, string]> = [
      ...['', '-wal', '-shm', '-journal'].map(store),
      [home.auditMirrorPath, join(home.brokenDir, `audit-${stamp}.jsonl`)],
    ];
    const moved: string[] = [];
    for (const [from, to] of moves) {
      if (!existsSync(from)) continue;
      if (moved.length === 0) StoreDoctor.ensurePrivateDir(home.brokenDir);
      renameSync(from, to);
      moved.push(to);
    }
    return moved;
  }

  private advice(report: DoctorReport): string {
    const newest = report.backups[0];
    const taken = newest ? StoreDoctor.when(newest.takenAt) : '';
    const fix = newest
      ? `run \`devmesh doctor\` without --check to keep it aside and restore the backup of ${taken}`
      : 'there is no backup to restore: `devmesh doctor --fresh` keeps it aside and starts an empty store';
    return `${report.store.problems.join('; ')}; ${fix}`;
  }

  private static running(holder: z.infer<typeof HolderSchema> | null, what: string): string {
    if (holder?.face === 'doctor') {
      return `another \`devmesh doctor\` (pid ${holder.pid}) is working on this home; wait for it, then run it again`;
    }
    const at = holder?.url ? `, ${holder.url}` : '';
    const who = holder ? `DevMesh (${holder.face}, pid ${holder.pid}${at})` : 'another DevMesh';
    return (
      `${who} is running on this home, so doctor will not ${what}: stop it with \`devmesh down\` ` +
      '(or quit the app), then run `devmesh doctor` again'
    );
  }

  private static when(ms: number): string {
    return new Date(ms).toISOString();
  }

  private static ensurePrivateDir(dir: string): void {
    if (!existsSync(dir)) mkdirSync(dir, { mode: 0o700 });
  }
}
