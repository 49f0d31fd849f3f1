// StoreBackups on real SQLite files: a backup is a whole, verified, private copy taken while the store is
// being written; a few are kept; a failed one (a damaged store, a full disk) is a health problem, never an
// exception, and the next success clears it.
import BetterSqlite3 from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonHealth } from '../../../main/core/health/daemon-health.js';
import { Database } from '../../../main/core/store/database.js';
import { BACKUP_COMPONENT, StoreBackups } from '../../../main/core/store/store-backups.js';
import type { HealthChangedEvent } from '../../../shared/health.js';
import { tempDir, waitFor } from '../../api/test-project.js';
import { scaled } from '../../helpers/load-scale.js';

const logger = pino({ level: 'silent' });
let tmp: { dir: string; dispose: () => void };
let events: HealthChangedEvent[];
let health: DaemonHealth;
let database: Database;
let dbPath: string;
let backupsDir: string;
const open: StoreBackups[] = [];

function backups(options: Partial<ConstructorParameters<typeof StoreBackups>[0]> = {}): StoreBackups {
  const b = new StoreBackups({ databasePath: dbPath, dir: backupsDir, health, logger, intervalMs: 0, ...options });
  open.push(b);
  return b;
}

function rows(path: string): number {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM log_lines').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function addLines(n: number, from = 0): void {
  const insert = database.db.prepare(
    "INSERT INTO log_lines (project, service, seq, ts, stream, text) VALUES ('p', 's', ?, 0, 'stdout', ?)",
  );
  database.db.transaction(() => {
    for (let i = 0; i < n; i++) insert.run(from + i, `line ${from + i} ${'x'.repeat(200)}`);
  })();
}

beforeEach(() => {
  tmp = tempDir('devmesh-backups-');
  dbPath = join(tmp.dir, 'devmesh.db');
  backupsDir = join(tmp.dir, 'backups');
  database = Database.open(dbPath);
  events = [];
  health = new DaemonHealth({ logger, emit: (e) => events.push(e) });
  addLines(2000);
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.dispose()));
  database.close();
  tmp.dispose();
});

describe('StoreBackups', { timeout: scaled(60_000) }, () => {
  it('writes a verified, self-contained copy readable by its owner only', async () => {
    const made = await backups().backupNow();
    expect(made).not.toBe(null);
    expect(made!.path).toMatch(/backups\/devmesh-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z\.db$/);
    expect(statSync(made!.path).mode & 0o777).toBe(0o600);
    expect(statSync(backupsDir).mode & 0o777).toBe(0o700);
    expect(rows(made!.path)).toBe(2000);
    // one file: no -wal, -shm or half-written copy beside it
    expect(readdirSync(backupsDir)).toEqual([made!.path.split('/').pop()]);
    expect(health.snapshot().ok).toBe(true);
  });

  it('copies one consistent snapshot while the store is written meanwhile', async () => {
    let next = 2000;
    const writer = setInterval(() => {
      addLines(50, next);
      next += 50;
    }, 2);
    try {
      addLines(20_000, 100_000); // a store of some megabytes: the copy takes several steps
      const made = await backups().backupNow();
      expect(made).not.toBe(null);
      const copy = new BetterSqlite3(made!.path, { readonly: true });
      try {
        expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
        // whole batches only: each transaction of 50 lines is in the copy entirely or not at all
        const n = (copy.prepare('SELECT count(*) AS n FROM log_lines WHERE seq < 100000').get() as { n: number }).n;
        expect(n % 50).toBe(0);
      } finally {
        copy.close();
      }
    } finally {
      clearInterval(writer);
    }
  });

  it('keeps the newest three, dropping the oldest', async () => {
    let t = Date.parse('2030-01-01T00:00:00Z');
    const b = backups({ now: () => (t += 60_000) });
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await b.backupNow())!.path);
    const kept = StoreBackups.list(backupsDir).map((f) => f.path);
    expect(kept).toEqual(made.slice(2).reverse());
    expect(StoreBackups.list(backupsDir)[0]!.takenAt).toBe(t);
  });

  it('takes one at start and then every interval', async () => {
    backups({ intervalMs: 200, minGapMs: 0, startDelayMs: 0 }).start();
    await waitFor('three backups', () => StoreBackups.list(backupsDir).length >= 3, scaled(20_000));
  });

  it("the start's backup waits for the services to start first", async () => {
    backups({ intervalMs: 3_600_000, startDelayMs: 400 }).start();
    expect(StoreBackups.list(backupsDir)).toEqual([]);
    await waitFor('the start backup', () => StoreBackups.list(backupsDir).length === 1, scaled(20_000));
  });

  it('at start, takes none when the newest is younger than the minimum gap (a restart loop keeps older backups)', async () => {
    await backups().backupNow();
    const before = StoreBackups.list(backupsDir);
    backups({ minGapMs: 3_600_000, intervalMs: 3_600_000 }).start();
    await new Promise((r) => setTimeout(r, 300));
    expect(StoreBackups.list(backupsDir)).toEqual(before);
  });

  it('a damaged store: no backup, a CORRUPT health problem naming the store and `devmesh doctor`; the older backups stay', async () => {
    const good = await backups().backupNow();
    database.close();
    const size = statSync(dbPath).size;
    const fd = openSync(dbPath, 'r+');
    writeSync(fd, Buffer.alloc(4096 * 4, 0x41), 0, 4096 * 4, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    const made = await backups().backupNow();
    expect(made).toBe(null);
    const problem = health.problem(BACKUP_COMPONENT)!;
    expect(problem.code).toBe('CORRUPT');
    expect(problem.message).toContain(dbPath);
    expect(problem.message).toContain('devmesh doctor');
    expect(events.at(-1)?.problems.map((p) => p.component)).toEqual([BACKUP_COMPONENT]);
    expect(StoreBackups.list(backupsDir).map((f) => f.path)).toEqual([good!.path]);
    expect(readdirSync(backupsDir).filter((f) => f.includes('.tmp'))).toEqual([]);
    database = Database.open(join(tmp.dir, 'other.db')); // for afterEach
  });

  const root = process.getuid?.() === 0;
  it.skipIf(!root)(
    'a full disk: DISK_FULL in the health ledger, nothing thrown or half-written; freed space clears it by itself',
    async () => {
      mkdirSync(backupsDir);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', backupsDir]);
      try {
        const b = backups({ retryMs: 3_600_000, spaceCheckMs: 100 });
        const filler = join(backupsDir, 'filler');
        try {
          execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=16k'], { stdio: 'ignore' });
        } catch {
          // dd ends with ENOSPC: full, as wanted
        }
        expect(await b.backupNow()).toBe(null);
        const problem = health.problem(BACKUP_COMPONENT)!;
        expect(problem.code).toBe('DISK_FULL');
        expect(problem.message).toContain(backupsDir);
        expect(problem.rule).toContain('kept');
        expect(problem.rule).toContain('once the disk has room');
        expect(readdirSync(backupsDir)).toEqual(['filler']);
        // no copy is attempted while there is no room: the failure count stays
        await new Promise((r) => setTimeout(r, 500));
        expect(health.problem(BACKUP_COMPONENT)!.failures).toBe(1);
        rmSync(filler);
        await waitFor('the backup to be taken again by itself', () => health.snapshot().ok, scaled(20_000));
        expect(health.snapshot().recovered).toEqual([expect.objectContaining({ component: BACKUP_COMPONENT })]);
        expect(StoreBackups.list(backupsDir)).toHaveLength(1);
      } finally {
        await Promise.all(open.splice(0).map((x) => x.dispose()));
        execFileSync('umount', ['-l', backupsDir]);
      }
    },
  );

  it('a backups folder that cannot be made is a health problem too, not an exception', async () => {
    rmSync(backupsDir, { recursive: true, force: true });
    closeSync(openSync(backupsDir, 'w')); // a file where the folder should be
    expect(await backups().backupNow()).toBe(null);
    expect(health.has(BACKUP_COMPONENT)).toBe(true);
    expect(existsSync(dbPath)).toBe(true);
  });
});
