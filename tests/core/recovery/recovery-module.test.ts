// What a start says about the runs before it, on a real store and audit chain on disk. Three starts: the first
// dies holding two locks (its reaper noted when); the second starts, fails to record one of them (the chain
// refuses an append), takes a lock of its own and dies leaving no note; the third records exactly what is
// still unsaid: the first run's other lock and the second run's lock, each naming its own dead daemon, and
// nothing twice. Lock ids carry the run's number.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditAppend, AuditEntry } from '../../../shared/audit.js';
import { AuditLog } from '../../../main/core/audit/audit-log.js';
import { EventBus } from '../../../main/core/events/event-bus.js';
import { DaemonHealth } from '../../../main/core/health/daemon-health.js';
import { RecoveryModule, type RecoveryCoordination } from '../../../main/core/recovery/recovery-module.js';
import { Database } from '../../../main/core/store/database.js';
import { LogStore } from '../../../main/core/logs/log-store.js';
import { ServiceRegistry } from '../../../main/core/services/service-registry.js';
import { processAlive } from '../../api/test-project.js';

const logger = pino({ level: 'silent' });
let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function open(db: Database, pid: number): RecoveryModule {
  return RecoveryModule.open({
    database: db,
    events: new EventBus(),
    health: DaemonHealth.detached(logger),
    logger,
    notesDir: join(dir, 'runs'),
    pid,
  });
}

function grant(audit: AuditLog, lockId: string, path: string, holder = 'user'): void {
  audit.append({
    actor: holder,
    kind: 'lock.granted',
    subject: path,
    data: { root: dir, project: 'p', lockId, mode: 'WRITE', ttlMs: 60_000, waitedMs: 0, previousMode: null },
  });
}

function dropped(audit: AuditLog): Array<[string, string]> {
  return audit
    .list({ kind: 'lock.dropped', limit: 100 })
    .entries.reverse()
    .map((e: AuditEntry) => [(e.data as { lockId: string }).lockId, (e.data as { reason: string }).reason]);
}

describe('RecoveryModule', () => {
  it('records each lock a dead run held once, naming that run, across a crash during recovery', () => {
    dir = mkdtempSync(join(tmpdir(), 'devmesh-recovery-'));
    const db = Database.open(join(dir, 'devmesh.db'));
    const audit = new AuditLog(db, { mirrorPath: join(dir, 'audit.jsonl') });
    const chain: RecoveryCoordination = { record: (e: AuditAppend) => void audit.append(e), locks: { list: () => [] } };
    try {
      // run 1: three grants, one released; then it dies (no shutDown), its reaper noting when
      const first = open(db, 900000001);
      const ids = [first.nextLockId(), first.nextLockId(), first.nextLockId()];
      expect(ids).toEqual(['lock-1-1', 'lock-1-2', 'lock-1-3']);
      grant(audit, ids[0]!, 'a.ts');
      grant(audit, ids[1]!, 'b.ts');
      audit.append({
        actor: 'user',
        kind: 'lock.released',
        subject: 'b.ts',
        data: { lockId: ids[1], reason: 'released' },
      });
      grant(audit, ids[2]!, 'c.ts');
      writeFileSync(join(dir, 'runs', 'run-1.died'), `${Math.floor(Date.now() / 1000)}\n`);
      first.dispose();

      // run 2: recording fails after the first entry (a full disk, say), then it takes a lock and dies
      const second = open(db, 900000002);
      let appends = 0;
      second.record({
        ...chain,
        record: (e) =>
          appends++ < 2
            ? chain.record(e)
            : (() => {
                throw new Error('SQLITE_FULL: database or disk is full');
              })(),
      });
      const own = second.nextLockId();
      expect(own).toBe('lock-2-1');
      grant(audit, own, 'd.ts', 'agent-x');
      second.dispose();

      // run 3 says the rest
      const third = open(db, 900000003);
      third.record(chain);
      third.dispose();

      const died1 = /^the daemon died \(pid 900000001, at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)$/;
      const died2 = /^the daemon died \(pid 900000002, some time after .+, its last recorded activity\)$/;
      const drops = dropped(audit);
      expect(drops.map(([id]) => id).sort()).toEqual(['lock-1-1', 'lock-1-3', 'lock-2-1']);
      for (const [id, reason] of drops) expect(reason, id).toMatch(id.startsWith('lock-1-') ? died1 : died2);
      const deaths = audit.list({ kind: 'daemon.died', limit: 10 }).entries.map((e) => e.subject);
      expect(deaths.sort()).toEqual(['pid 900000001', 'pid 900000002']);

      // a fourth start has nothing left to say
      const fourth = open(db, 900000004);
      fourth.record(chain);
      fourth.dispose();
      expect(dropped(audit)).toHaveLength(3);
    } finally {
      audit.dispose();
      db.close();
    }
  });

  it('records the locks still held at a clean shutdown, so the next start has nothing to say', () => {
    dir = mkdtempSync(join(tmpdir(), 'devmesh-recovery-'));
    const db = Database.open(join(dir, 'devmesh.db'));
    const audit = new AuditLog(db, { mirrorPath: join(dir, 'audit.jsonl') });
    try {
      const first = open(db, 900000001);
      const id = first.nextLockId();
      grant(audit, id, 'a.ts');
      const held = [
        {
          root: dir,
          project: 'p',
          waiters: [],
          locks: [
            {
              id,
              holder: 'user',
              mode: 'WRITE' as const,
              target: { kind: 'file' as const, path: 'a.ts' },
              acquiredAt: 1,
              expiresAt: 2,
              ttlMs: 1,
            },
          ],
        },
      ];
      first.shutDown({ record: (e) => void audit.append(e), locks: { list: () => held } });
      const second = open(db, 900000002);
      second.record({ record: (e) => void audit.append(e), locks: { list: () => [] } });
      second.dispose();
      expect(dropped(audit)).toEqual([[id, 'DevMesh shut down']]);
      expect(audit.list({ kind: 'daemon', limit: 10 }).entries).toEqual([]);
    } finally {
      audit.dispose();
      db.close();
    }
  });

  it('leaves alone a run whose DevMesh still runs (same pid, same start time): another daemon on this home', async () => {
    dir = mkdtempSync(join(tmpdir(), 'devmesh-recovery-'));
    const other = spawn('sleep', ['300'], { stdio: 'ignore' });
    const db = Database.open(join(dir, 'devmesh.db'));
    const audit = new AuditLog(db, { mirrorPath: join(dir, 'audit.jsonl') });
    try {
      const first = open(db, other.pid!); // "the other daemon", alive
      const registry = new ServiceRegistry(db);
      const base = {
        version: '1.0.0',
        port: 4000,
        restarts: 0,
        since: Date.now(),
        autostart: true,
        dependsOn: [],
        reason: null,
      };
      registry.save(
        { ...base, project: 'p', name: 'api', state: 'healthy', pid: other.pid!, startedAt: Date.now() },
        dir,
      );
      grant(audit, first.nextLockId(), 'a.ts');
      const second = open(db, 900000002);
      await second.reconcile(registry, new LogStore(db, new EventBus()));
      second.record({ record: (e) => void audit.append(e), locks: { list: () => [] } });
      expect(processAlive(other.pid!)).toBe(true);
      expect(registry.get('p', 'api')).toMatchObject({ state: 'healthy', pid: other.pid });
      expect(dropped(audit)).toEqual([]);
      expect(audit.list({ kind: 'daemon', limit: 10 }).entries).toEqual([]);
      first.dispose();
      second.dispose();
    } finally {
      other.kill('SIGKILL');
      audit.dispose();
      db.close();
    }
  });
});
