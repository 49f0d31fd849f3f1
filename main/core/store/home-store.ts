// How the core opens its store in $DEVMESH_HOME, under the home's exclusive hold (HomeLock, taken by the
// face before this runs): tighten what is readable by others, refuse a store that shrank to nothing where
// data existed (StoreMarker), open it (a damaged file is refused with STORE_CORRUPT), run the migrations,
// then keep rolling backups (StoreBackups) once the health ledger exists.
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { DevMeshError } from '../../../shared/errors.js';
import { parseDuration } from '../base/duration.js';
import type { DaemonHealth } from '../health/daemon-health.js';
import type { DevMeshHome } from '../home/devmesh-home.js';
import { HomePermissions } from '../home/home-permissions.js';
import { Database } from './database.js';
import { StoreBackups } from './store-backups.js';
import { StoreMarker } from './store-marker.js';

export interface BackupSettings {
  /** between backups while running (default 6 h); 0: only at start */
  intervalMs?: number;
  /** how many are kept (default 3) */
  keep?: number;
}

/** `DEVMESH_BACKUP_INTERVAL` (`6h`, `30m`, `0` for only at start), for both faces. */
export function backupSettingsFromEnv(env: NodeJS.ProcessEnv): BackupSettings {
  const raw = env.DEVMESH_BACKUP_INTERVAL;
  if (raw === undefined || raw.trim() === '') return {};
  const ms = parseDuration(raw);
  if (ms === null) {
    throw new DevMeshError(
      'CONFIG_INVALID',
      `DEVMESH_BACKUP_INTERVAL=${raw} is not a duration: use e.g. 6h, 30m, or 0 for a backup at start only`,
    );
  }
  return { intervalMs: ms };
}

export class HomeStore {
  private backups: StoreBackups | null = null;

  private constructor(
    readonly home: DevMeshHome,
    readonly database: Database,
    private readonly logger: Logger,
  ) {}

  static open(home: DevMeshHome, logger: Logger): HomeStore {
    home.ensure();
    const permissions = new HomePermissions(home).tighten();
    HomeStore.log(() => {
      if (permissions.tightened.length > 0) {
        const tightened = permissions.tightened;
        logger.info({ domain: 'store', tightened }, 'made files in the DevMesh home readable by you only');
      }
      for (const problem of permissions.problems) {
        logger.warn({ domain: 'store', problem }, 'a file in the DevMesh home is readable by others');
      }
    });
    const marker = new StoreMarker(home.storeMarkerPath);
    const held = marker.read();
    const since = held && held.since > 0 ? ` since ${new Date(held.since).toISOString()}` : '';
    const why = held ? `${home.storeMarkerPath} records it${since}` : '';
    if (held && !existsSync(home.databasePath)) {
      throw HomeStore.withBackups(
        home,
        new DevMeshError(
          'STORE_CORRUPT',
          `the DevMesh store ${home.databasePath} is missing, but it held data (${why}): it was deleted or moved. ` +
            'DevMesh did not start, so no empty store replaced it. Run `devmesh doctor` to restore the newest ' +
            "of DevMesh's backups " +
            '(or `devmesh doctor --fresh` to start with an empty store on purpose).',
        ),
      );
    }
    let database: Database;
    try {
      database = Database.open(home.databasePath, held ? { requireSchema: { why } } : {});
    } catch (err) {
      throw HomeStore.withBackups(home, err);
    }
    try {
      marker.write(database.schemaVersion);
    } catch (err) {
      database.close();
      throw err;
    }
    return new HomeStore(home, database, logger);
  }

  /** Starts the rolling backups; their failures go to `health`. */
  startBackups(health: DaemonHealth, settings: BackupSettings = {}): void {
    if (this.backups) return;
    this.backups = new StoreBackups({
      databasePath: this.home.databasePath,
      dir: this.home.backupsDir,
      health,
      logger: this.logger,
      intervalMs: settings.intervalMs,
      keep: settings.keep,
    });
    this.backups.start();
  }

  /** A backup now (tests, and `devmesh doctor`'s callers through the core); null when none could be made. */
  backupNow(): Promise<unknown> {
    return this.backups?.backupNow() ?? Promise.resolve(null);
  }

  /** Stops the backups (a copy in progress is abandoned) and closes the store. */
  async close(): Promise<void> {
    const backups = this.backups;
    this.backups = null;
    try {
      await backups?.dispose();
    } finally {
      this.database.close();
    }
  }

  /** A refused store's message, with what `devmesh doctor` has to restore. */
  private static withBackups(home: DevMeshHome, err: unknown): unknown {
    if (!(err instanceof DevMeshError) || err.code !== 'STORE_CORRUPT') return err;
    const backups = StoreBackups.list(home.backupsDir);
    const newest = backups[0];
    const what = newest
      ? `Backups: ${backups.length} in ${home.backupsDir}, the newest of ${new Date(newest.takenAt).toISOString()}.`
      : `There is no backup in ${home.backupsDir} yet: \`devmesh doctor --fresh\` keeps the store aside and ` +
        'starts an empty one.';
    return new DevMeshError('STORE_CORRUPT', `${err.message} ${what}`, err.details);
  }

  private static log(write: () => void): void {
    try {
      write();
    } catch {
      // the log may sit on a full disk; starting matters more than saying so
    }
  }
}
