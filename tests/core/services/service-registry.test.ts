// The registry survives restarts and is reconciled with reality at start: a service process left alive
// by a DevMesh that died (and whose reaper failed too) is stopped; stale states are reset with a reason.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Database } from '../../../main/core/store/database.js';
import { MIGRATIONS } from '../../../main/core/store/migrations/index.js';
import { ServiceRegistry } from '../../../main/core/services/service-registry.js';
import { processAlive } from '../../api/test-project.js';
import { pidAlive, waitFor } from '../../helpers/supervisor-harness.js';
import { until } from '../../helpers/until.js';

const base = { version: '1.0.0', port: 4000, restarts: 0, since: Date.now(), autostart: true, dependsOn: [] };

describe('ServiceRegistry', () => {
  it('stops processes a dead DevMesh left running and resets stale states at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-reg-'));
    try {
      const orphan = spawn('/bin/sh', ['-c', 'sleep 300'], { detached: true, stdio: 'ignore' });
      const first = Database.open(join(dir, 'devmesh.db'));
      const reg1 = new ServiceRegistry(first);
      reg1.save(
        { ...base, project: 'p', name: 'api', state: 'healthy', pid: orphan.pid!, startedAt: Date.now(), reason: null },
        dir,
      );
      reg1.save(
        {
          ...base,
          project: 'p',
          name: 'web',
          state: 'crashed',
          pid: null,
          startedAt: null,
          reason: 'exited with code 1',
        },
        dir,
      );
      // A recycled pid: alive, but not the process we started (start time differs) — must be left alone.
      reg1.save(
        { ...base, project: 'p', name: 'db', state: 'healthy', pid: process.pid, startedAt: Date.now(), reason: null },
        dir,
      );
      first.db.prepare("UPDATE services SET pid_start = 'not-this-one' WHERE name = 'db'").run();
      first.close();

      const second = Database.open(join(dir, 'devmesh.db'));
      const reg2 = new ServiceRegistry(second);
      const result = await reg2.reconcile(pino({ level: 'silent' }));
      expect(result.stoppedOrphans).toBe(1);
      await waitFor(() => !pidAlive(orphan.pid!), 5000, 'the orphan to stop');
      expect(pidAlive(process.pid)).toBe(true);
      expect(reg2.get('p', 'api')).toMatchObject({ state: 'stopped', pid: null });
      expect(reg2.get('p', 'api')!.reason).toMatch(/left running by a previous DevMesh/);
      expect(reg2.get('p', 'web')!.reason).toMatch(/DevMesh stopped while the service was crashed/);
      expect(reg2.get('p', 'db')).toMatchObject({ state: 'stopped', version: '1.0.0', port: 4000 });
      // each is in the service's history, as a transition like any other
      expect(reg2.transitions('p', 'web')[0]).toMatchObject({
        from_state: 'crashed',
        to_state: 'stopped',
        reason: 'DevMesh stopped while the service was crashed',
      });
      expect(reg2.transitions('p', 'api')[0]).toMatchObject({ from_state: 'healthy', to_state: 'stopped' });
      expect(result.stopped.map((r) => [r.name, r.orphan]).sort()).toEqual([
        ['api', true],
        ['db', false],
        ['web', false],
      ]);
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops each leftover with its own stop signal and time; a row from before they were kept gets SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-reg-'));
    // Says which signal reached it in a file, then exits; `stubborn` ignores its stop signal.
    // Each says it is ready once its traps are set: a signal before that would end it without a word.
    const script = (file: string) =>
      `trap 'echo TERM > ${file}; exit 0' TERM; trap 'echo INT > ${file}; exit 0' INT; : > ${file}.ready; ` +
      'while :; do sleep 0.2; done';
    const own = spawn('/bin/sh', ['-c', script('own')], { cwd: dir, detached: true, stdio: 'ignore' });
    const old = spawn('/bin/sh', ['-c', script('old')], { cwd: dir, detached: true, stdio: 'ignore' });
    const stubborn = spawn('/bin/sh', ['-c', "trap '' INT; : > stubborn.ready; while :; do sleep 0.2; done"], {
      cwd: dir,
      detached: true,
      stdio: 'ignore',
    });
    const pids = [own.pid!, old.pid!, stubborn.pid!];
    try {
      await until('the three scripts to set their traps', () =>
        ['own', 'old', 'stubborn'].every((n) => existsSync(join(dir, `${n}.ready`))),
      );
      const first = Database.open(join(dir, 'devmesh.db'));
      const reg1 = new ServiceRegistry(first);
      const running = (name: string, pid: number) =>
        ({ ...base, project: 'p', name, state: 'healthy', pid, startedAt: Date.now(), reason: null }) as const;
      reg1.save(running('own', own.pid!), dir, { signal: 'SIGINT', timeoutMs: 10_000 });
      reg1.save(running('old', old.pid!), dir, { signal: 'SIGINT', timeoutMs: 10_000 });
      reg1.save(running('stubborn', stubborn.pid!), dir, { signal: 'SIGINT', timeoutMs: 300 });
      // as a store written before schema 18 holds it
      first.db.prepare("UPDATE services SET stop_signal = NULL, stop_timeout_ms = NULL WHERE name = 'old'").run();
      first.close();

      const second = Database.open(join(dir, 'devmesh.db'));
      const reg2 = new ServiceRegistry(second);
      const result = await reg2.reconcile(pino({ level: 'silent' }));
      expect(result.stoppedOrphans).toBe(3);
      // the start waited for each: none is running when reconcile returns (a zombie our test spawned runs nothing)
      expect(pids.map((p) => processAlive(p))).toEqual([false, false, false]);
      expect(readFileSync(join(dir, 'own'), 'utf8').trim()).toBe('INT');
      expect(readFileSync(join(dir, 'old'), 'utf8').trim()).toBe('TERM');
      expect(reg2.get('p', 'own')!.reason).toMatch(/\(stopped with SIGINT\)$/);
      expect(reg2.get('p', 'old')!.reason).toMatch(/\(stopped with SIGTERM\)$/);
      expect(reg2.get('p', 'stubborn')!.reason).toMatch(/still running 300 ms after SIGINT, killed with SIGKILL/);
      expect(reg2.get('p', 'own')).toMatchObject({ stop_signal: null, stop_timeout_ms: null, pid: null });
      second.close();
    } finally {
      for (const pid of pids) if (pidAlive(pid)) process.kill(-pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps a running service's stop settings beside its pid, and none once it has no process", () => {
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-reg-'));
    try {
      const db = Database.open(join(dir, 'devmesh.db'));
      const reg = new ServiceRegistry(db);
      const stop = { signal: 'SIGQUIT', timeoutMs: 45_000 } as const;
      const info = { ...base, project: 'p', name: 'db', state: 'healthy', startedAt: 1, reason: null } as const;
      reg.save({ ...info, pid: process.pid }, dir, stop);
      const read = () =>
        db.db.prepare("SELECT stop_signal, stop_timeout_ms FROM services WHERE name = 'db'").get() as object;
      expect(read()).toEqual({ stop_signal: 'SIGQUIT', stop_timeout_ms: 45_000 });
      reg.save({ ...info, state: 'stopped', pid: null }, dir, stop);
      expect(read()).toEqual({ stop_signal: null, stop_timeout_ms: null });
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says how the DevMesh that ran a service ended, in its reason and its history', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-reg-'));
    try {
      const db = Database.open(join(dir, 'devmesh.db'));
      const reg = new ServiceRegistry(db);
      reg.save(
        { ...base, project: 'p', name: 'api', state: 'healthy', pid: 999_999_999, startedAt: Date.now(), reason: null },
        dir,
      );
      const seen: number[] = [];
      const { stopped } = await reg.reconcile(
        pino({ level: 'silent' }),
        (updatedAt) => (seen.push(updatedAt), 'the daemon died (pid 42, at 2026-11-30 14:03:07)'),
      );
      expect(seen).toHaveLength(1);
      expect(stopped).toEqual([
        expect.objectContaining({
          name: 'api',
          from: 'healthy',
          orphan: false,
          reason: 'the daemon died (pid 42, at 2026-11-30 14:03:07)',
        }),
      ]);
      expect(reg.get('p', 'api')!.reason).toBe('the daemon died (pid 42, at 2026-11-30 14:03:07)');
      expect(reg.transitions('p', 'api')[0]).toMatchObject({
        to_state: 'stopped',
        reason: 'the daemon died (pid 42, at 2026-11-30 14:03:07)',
      });
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('migrates a new store to the current schema version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-reg-'));
    try {
      const db = Database.open(join(dir, 'devmesh.db'));
      expect(db.schemaVersion).toBe(MIGRATIONS.length);
      expect(
        db.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'proxy_requests'").get(),
      ).toBeTruthy();
      expect(db.db.pragma('journal_mode', { simple: true })).toBe('wal');
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
