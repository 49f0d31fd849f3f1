// The audit chain on a real full disk (a tmpfs): an entry that cannot be stored is refused with DISK_FULL
// and counted; decisions are refused up front while the disk is nearly full; a mirror that falls behind
// its database is reported as behind (not tampering) and rewritten once space is back; `verify` never says
// "ok" over a gap; and everything recovers without reopening the log.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../main/core/audit/audit-log.js';
import { DaemonHealth } from '../../../main/core/health/daemon-health.js';
import { Database } from '../../../main/core/store/database.js';
import { FullDisk } from '../../helpers/full-disk.js';
import { until } from '../../helpers/until.js';

const disks: FullDisk[] = [];
const closers: Array<() => void> = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
  for (const d of disks.splice(0)) d.dispose();
});

function open(sizeMb: number, reserveBytes: number) {
  const disk = FullDisk.mount(sizeMb);
  disks.push(disk);
  const db = Database.open(join(disk.dir, 'devmesh.db'));
  const health = new DaemonHealth({ logger: pino({ enabled: false }), emit: () => undefined });
  const mirrorPath = join(disk.dir, 'audit.jsonl');
  const log = new AuditLog(db, { mirrorPath, durability: 'grouped', health, homeDir: disk.dir, reserveBytes });
  closers.push(() => {
    log.dispose();
    db.close();
  });
  return { disk, db, health, log, mirrorPath };
}

const entry = (i: number, pad = 0) => ({
  actor: 'agent-1',
  kind: 'lock.granted',
  subject: `src/f${i}.ts`,
  data: { i, pad: 'p'.repeat(pad) },
});

describe.skipIf(FullDisk.unavailable() !== null)('AuditLog on a full disk', () => {
  it('refuses an entry it cannot store, shows the gap in verify, and records the outage once space is back', async () => {
    const { disk, health, log } = open(4, 0);
    for (let i = 0; i < 5; i++) log.append(entry(i));
    disk.fill();
    let refused: unknown = null;
    for (let i = 5; i < 2000 && refused === null; i++) {
      try {
        log.append(entry(i, 4000));
      } catch (err) {
        refused = err;
      }
    }
    expect(refused).toMatchObject({
      code: 'DISK_FULL',
      message: expect.stringMatching(/refused, nothing changed.*Free space/) as unknown as string,
    });
    const failedAt = log.head().seq;
    expect(() => log.append(entry(9999))).toThrow(/refused/);
    expect(health.problem('audit chain')).toMatchObject({ code: 'DISK_FULL' });
    const during = await log.verify();
    expect(during.ok).toBe(false);
    expect(during.gaps).toEqual([expect.objectContaining({ seq: 0, unrecorded: 2 })]);

    disk.release();
    await until('the outage closed', () => !health.has('audit chain'), 15_000);
    const closing = log.list({ limit: 1 }).entries[0]!;
    expect(closing).toMatchObject({
      seq: failedAt + 1,
      kind: 'audit.outage',
      data: { unrecorded: 2, kinds: { 'lock.granted': 2 }, code: 'DISK_FULL' },
    });
    const after = await log.verify();
    expect(after).toMatchObject({
      ok: false,
      firstBroken: null,
      mirror: 'ok',
      gaps: [{ seq: failedAt + 1, unrecorded: 2 }],
    });
    expect(() => log.append(entry(10_000))).not.toThrow();
  });

  it('refuses decisions while less than the reserve is free, and admits them again once space is freed', async () => {
    const { disk, health, log } = open(12, 4 * 1024 * 1024);
    expect(() => log.admit('granting a WRITE lock on src/a.ts')).not.toThrow();
    disk.fill();
    expect(() => log.admit('granting a WRITE lock on src/a.ts')).toThrow(
      /granting a WRITE lock on src\/a\.ts was refused, nothing changed.*only 0 KB free; DevMesh keeps 4\.0 MB/,
    );
    expect(health.problem('audit chain')).toMatchObject({ code: 'DISK_FULL' });
    disk.release();
    expect(() => log.admit('granting a WRITE lock on src/a.ts')).not.toThrow();
    expect(health.has('audit chain')).toBe(false);
    // nothing went unrecorded: the outage entry counts the refusal, and verify has no gap
    expect(log.list({ limit: 1 }).entries[0]).toMatchObject({
      kind: 'audit.outage',
      data: { unrecorded: 0, refused: 1 },
    });
    expect(await log.verify()).toMatchObject({ ok: true, gaps: [] });
  });

  it('reports a mirror that fell behind its database as behind, and rewrites it once space is back', async () => {
    const { disk, db, health, log, mirrorPath } = open(8, 0);
    // a WAL that has grown, then restarts from its start: later commits reuse its space on a full disk
    for (let i = 0; i < 300; i++) log.append(entry(i, 2000));
    db.db.pragma('wal_checkpoint(RESTART)');
    disk.fill();
    let behind = 0;
    for (let i = 300; i < 1300 && behind === 0; i++) {
      log.append(entry(i)); // stored in the database: it must not throw
      behind = log.mirrorBehind;
    }
    expect(behind).toBeGreaterThan(0);
    log.append(entry(5000));
    expect(health.problem('audit mirror')).toMatchObject({ code: 'DISK_FULL' });
    const lagging = await log.verify();
    expect(lagging).toMatchObject({ ok: false, firstBroken: null, mirror: 'behind', mirrorBehind: behind + 1 });
    // the mirror holds whole lines only
    expect(readFileSync(mirrorPath, 'utf8').endsWith('\n')).toBe(true);

    disk.release();
    await until('the mirror caught up', () => log.mirrorBehind === 0 && !health.has('audit mirror'), 15_000);
    expect(log.list({ limit: 1 }).entries[0]).toMatchObject({ kind: 'audit.mirror-restored' });
    expect(await log.verify()).toMatchObject({ ok: true, mirror: 'ok', mirrorBehind: 0, gaps: [] });
  });
});
