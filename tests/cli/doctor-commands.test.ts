// A damaged store, end to end with real `devmesh` processes and real SQLite files: `devmesh up` refuses a
// corrupt, truncated or emptied devmesh.db naming it and `devmesh doctor` (never a raw SqliteError, never
// a silently empty store), and `devmesh doctor` checks the home, keeps the broken files aside and restores
// the newest of DevMesh's own backups; with the daemon running it checks, reports the daemon's health
// ledger and refuses to restore, naming the daemon's pid.
import BetterSqlite3 from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../shared/audit.js';
import { tempDir, waitFor, writeProject } from '../api/test-project.js';
import { scaled } from '../helpers/load-scale.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';

interface DoctorReport {
  ok: boolean;
  daemon: { pid: number; face: string; url: string | null } | null;
  store: { path: string; state: string; problems: string[]; audit: { entries: number; head: number } | null };
  backups: { path: string; takenAt: number; bytes: number }[];
  health: { ok: boolean; problems: { component: string; code: string; message: string }[] } | null;
  actions: string[];
  setAside: string[];
  restoredFrom: string | null;
  problems: string[];
}

const tmp = tempDir('devmesh-doctor-');
const projectDir = join(tmp.dir, 'shop');
const daemons: RunningCli[] = [];
let homes = 0;

/** a fresh home; backups every second so a test need not wait hours for one */
function harness(): CliHarness {
  return new CliHarness(join(tmp.dir, `home-${homes++}`), tmp.dir, { DEVMESH_BACKUP_INTERVAL: '1s' });
}

async function up(h: CliHarness): Promise<RunningCli> {
  const { daemon } = await h.up(['--project', projectDir], scaled(30_000));
  daemons.push(daemon);
  return daemon;
}

async function doctor(
  h: CliHarness,
  args: string[] = [],
): Promise<{ code: number | null; report: DoctorReport; stderr: string }> {
  const r = await h.run(['doctor', ...args, '--json'], { timeoutMs: scaled(60_000) });
  let report: DoctorReport;
  try {
    report = JSON.parse(r.stdout) as DoctorReport;
  } catch {
    throw new Error(`devmesh doctor --json printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, report, stderr: r.stderr };
}

function backups(h: CliHarness): string[] {
  const dir = join(h.home, 'backups');
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.db'))
        .sort()
    : [];
}

/** a home whose store holds data (an audited lock), with a backup taken after it, and the daemon stopped */
async function homeWithData(): Promise<{ h: CliHarness; lockSubject: string }> {
  const h = harness();
  const daemon = await up(h);
  const taken = await h.run(['locks', 'take', 'src/cart.ts', '--ttl', '10m'], { timeoutMs: scaled(30_000) });
  expect(taken.code, taken.stderr).toBe(0);
  const after = Date.now();
  await waitFor(
    'a backup taken after the lock',
    () => backups(h).some((f) => statSync(join(h.home, 'backups', f)).mtimeMs > after + 50),
    scaled(20_000),
  );
  expect(await daemon.stop('SIGTERM')).toBe(0);
  return { h, lockSubject: 'src/cart.ts' };
}

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function expectRefusedStore(r: { code: number | null; stderr: string }, h: CliHarness): void {
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(join(h.home, 'devmesh.db'));
  expect(r.stderr).toContain('devmesh doctor');
  expect(r.stderr).not.toMatch(/SqliteError|internal error|\n\s+at /);
  expect(existsSync(join(h.home, 'daemon.json'))).toBe(false);
}

beforeAll(() => {
  ensureCliBuilt();
  mkdirSync(join(projectDir, 'src'), { recursive: true });
  writeProject(projectDir, 'shop', { api: { autostart: false } });
});

afterEach(async () => {
  await Promise.all(daemons.splice(0).map((d) => d.stop('SIGTERM', scaled(20_000))));
});

afterAll(() => tmp.dispose());

describe('a damaged store at `devmesh up`', () => {
  it(
    'refuses a truncated devmesh.db naming it and `devmesh doctor`, and leaves it as it was',
    async () => {
      const { h } = await homeWithData();
      const db = join(h.home, 'devmesh.db');
      truncateSync(db, Math.floor(statSync(db).size / 2));
      const before = sha(db);
      expectRefusedStore(await h.run(['up', '--project', projectDir, '--port', '0'], { timeoutMs: scaled(60_000) }), h);
      expect(sha(db)).toBe(before);
    },
    scaled(90_000),
  );

  it(
    'refuses a devmesh.db that is not a database (overwritten header)',
    async () => {
      const { h } = await homeWithData();
      writeFileSync(join(h.home, 'devmesh.db'), 'this is not SQLite'.repeat(300));
      expectRefusedStore(await h.run(['up', '--project', projectDir, '--port', '0'], { timeoutMs: scaled(60_000) }), h);
    },
    scaled(90_000),
  );

  it.each([
    ['deleted', (db: string) => rmSync(db)],
    ['zero bytes', (db: string) => truncateSync(db, 0)],
    [
      'replaced by a database without tables',
      (db: string) => {
        rmSync(db);
        new BetterSqlite3(db).close();
      },
    ],
  ])(
    'refuses a store that held data and is now %s, instead of starting empty',
    async (_what, damage) => {
      const { h } = await homeWithData();
      for (const extra of ['-wal', '-shm']) rmSync(join(h.home, `devmesh.db${extra}`), { force: true });
      damage(join(h.home, 'devmesh.db'));
      const r = await h.run(['up', '--project', projectDir, '--port', '0'], { timeoutMs: scaled(60_000) });
      expectRefusedStore(r, h);
      expect(r.stderr).toMatch(/held data|was not empty/);
    },
    scaled(90_000),
  );
});

describe('devmesh doctor', () => {
  it(
    'on a healthy home with DevMesh stopped: checks the store and lists the backups, exit 0',
    async () => {
      const { h } = await homeWithData();
      const { code, report } = await doctor(h);
      expect(code).toBe(0);
      expect(report.ok).toBe(true);
      expect(report.daemon).toBe(null);
      expect(report.store.state).toBe('ok');
      expect(report.store.audit!.entries).toBeGreaterThan(0);
      expect(report.store.audit!.head).toBe(report.store.audit!.entries);
      expect(report.backups.length).toBeGreaterThan(0);
      expect(report.backups.length).toBeLessThanOrEqual(3);
      expect(report.setAside).toEqual([]);
      const text = await h.run(['doctor'], { timeoutMs: scaled(60_000) });
      expect(text.code).toBe(0);
      expect(text.stdout).toContain('devmesh.db');
      expect(text.stdout).toMatch(/backups?/);
    },
    scaled(90_000),
  );

  it(
    'keeps a truncated store aside (with its -wal and -shm) and restores the newest backup; DevMesh starts with the data',
    async () => {
      const { h, lockSubject } = await homeWithData();
      const db = join(h.home, 'devmesh.db');
      truncateSync(db, Math.floor(statSync(db).size / 2));
      writeFileSync(`${db}-wal`, 'a leftover wal');
      writeFileSync(`${db}-shm`, 'a leftover shm');
      const broken = sha(db);

      const { code, report } = await doctor(h);
      expect(code).toBe(0);
      expect(report.restoredFrom).toMatch(/backups\/devmesh-.*\.db$/);
      // never deleted: the broken file and its companions are kept, renamed with a timestamp
      expect(report.setAside.length).toBeGreaterThanOrEqual(3);
      const keptDb = report.setAside.find((p) => p.endsWith('.db'))!;
      expect(keptDb).toMatch(/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d/);
      expect(sha(keptDb)).toBe(broken);
      expect(report.setAside.some((p) => p.endsWith('.db-wal'))).toBe(true);
      expect(report.setAside.some((p) => p.endsWith('.db-shm'))).toBe(true);
      for (const p of report.setAside) expect(existsSync(p)).toBe(true);

      const again = await doctor(h, ['--check']);
      expect(again.code).toBe(0);
      expect(again.report.store.state).toBe('ok');

      await up(h);
      const entries = await h.json<AuditEntry[]>(['audit', 'ls']);
      expect(entries.some((e) => e.kind === 'lock.granted' && e.subject.includes(lockSubject))).toBe(true);
      expect(entries.some((e) => e.kind === 'store.restored')).toBe(true);
      const verify = await h.run(['audit', 'verify'], { timeoutMs: scaled(60_000) });
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    },
    scaled(120_000),
  );

  it(
    'restores a store that was deleted, and `--check` only reports (exit 4) without touching anything',
    async () => {
      const { h } = await homeWithData();
      rmSync(join(h.home, 'devmesh.db'));
      const check = await doctor(h, ['--check']);
      expect(check.code).toBe(4);
      expect(check.report.ok).toBe(false);
      expect(check.report.store.state).toBe('missing');
      expect(check.report.problems.join('\n')).toContain('devmesh doctor');
      expect(existsSync(join(h.home, 'devmesh.db'))).toBe(false);
      const fix = await doctor(h);
      expect(fix.code).toBe(0);
      expect(fix.report.restoredFrom).not.toBe(null);
      await up(h);
    },
    scaled(120_000),
  );

  it(
    'without a usable backup, says so (exit 4); `--fresh` keeps the broken store aside and lets DevMesh start empty',
    async () => {
      const { h } = await homeWithData();
      rmSync(join(h.home, 'backups'), { recursive: true });
      writeFileSync(join(h.home, 'devmesh.db'), 'garbage'.repeat(1000));
      const r = await doctor(h);
      expect(r.code).toBe(4);
      expect(r.report.problems.join('\n')).toContain('--fresh');
      const fresh = await doctor(h, ['--fresh']);
      expect(fresh.code).toBe(0);
      expect(fresh.report.setAside.some((p) => p.endsWith('.db'))).toBe(true);
      await up(h);
    },
    scaled(120_000),
  );

  it(
    'with DevMesh running: checks, reports its health ledger, and refuses to restore naming its pid',
    async () => {
      const h = harness();
      const daemon = await up(h);
      const { code, report } = await doctor(h);
      expect(code).toBe(0);
      expect(report.daemon?.pid).toBe(daemon.child.pid);
      expect(report.store.state).toBe('ok');
      expect(report.health).toMatchObject({ ok: true, problems: [] });
      const restore = await doctor(h, ['--fresh']);
      expect(restore.code).toBe(4);
      expect(restore.report.problems.join('\n')).toContain(`pid ${daemon.child.pid}`);
      expect(restore.report.problems.join('\n')).toContain('devmesh down');
      expect(existsSync(join(h.home, 'devmesh.db'))).toBe(true);
      expect(daemon.child.exitCode).toBe(null);
    },
    scaled(90_000),
  );
});

const root = process.getuid?.() === 0;
describe.skipIf(!root)('backups on a full disk (tmpfs home; needs root)', () => {
  it(
    'a backup that fails is a health problem, DevMesh stays up, doctor reports it; freed space clears it',
    async () => {
      const h = harness();
      mkdirSync(h.home, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=12m', 'tmpfs', h.home]);
      try {
        const daemon = await up(h);
        const filler = join(h.home, 'filler');
        try {
          execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { stdio: 'ignore' });
        } catch {
          // dd stops with ENOSPC: the disk is full, as wanted
        }
        const problem = await waitFor(
          'the backup failure in the health ledger',
          async () => {
            const r = await doctor(h, ['--check']);
            return r.report.health?.problems.find((p) => p.component === 'store backups');
          },
          scaled(30_000),
        );
        expect(problem.code).toBe('DISK_FULL');
        const full = await doctor(h, ['--check']);
        expect(full.code).toBe(4);
        expect(daemon.child.exitCode).toBe(null);
        rmSync(filler);
        await waitFor(
          'the problem to clear',
          async () => (await doctor(h, ['--check'])).report.health?.ok === true,
          scaled(30_000),
        );
        expect(daemon.child.exitCode).toBe(null);
        await daemon.stop('SIGTERM', scaled(20_000));
      } finally {
        execFileSync('umount', ['-l', h.home]);
      }
    },
    scaled(120_000),
  );
});
