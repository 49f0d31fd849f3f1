// Terminals a dead DevMesh left running when its reaper could not end them: the next start stops every process
// of each one's session (HUP ignored, a job in its own process group), identified by the leader's pid AND
// start time, and records that the terminal ended; a row whose pid now names another process (same pid,
// another start time) is recorded but its process is left alone. Real PTYs, a real store.
import { spawn as spawnChild } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn as spawnPty } from 'node-pty';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { TerminalInfo } from '../../../shared/terminal.js';
import { AuditLog } from '../../../main/core/audit/audit-log.js';
import { EventBus } from '../../../main/core/events/event-bus.js';
import { DaemonHealth } from '../../../main/core/health/daemon-health.js';
import { RecoveryModule } from '../../../main/core/recovery/recovery-module.js';
import { Database } from '../../../main/core/store/database.js';
import { LogStore } from '../../../main/core/logs/log-store.js';
import { ServiceRegistry } from '../../../main/core/services/service-registry.js';
import { processAlive, waitFor } from '../../api/test-project.js';

const logger = pino({ level: 'silent' });
let dir = '';
const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
  rmSync(dir, { recursive: true, force: true });
});

const kill = (pid: number) => () => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
};

function info(id: string, pid: number): TerminalInfo {
  return {
    id,
    name: 'sh',
    command: '/bin/sh',
    args: [],
    cwd: dir,
    project: null,
    cols: 80,
    rows: 24,
    pid,
    state: 'running',
    exitCode: null,
    signal: null,
    exitReason: null,
    startedAt: Date.now(),
    endedAt: null,
    recording: null,
    recordingNote: null,
    bytesOut: 0,
    viewers: 0,
    paused: false,
  };
}

describe('terminals left by a dead DevMesh', () => {
  it('are stopped at start by pid and start time, and recorded as ended', async () => {
    dir = mkdtempSync(join(tmpdir(), 'devmesh-leftovers-'));
    const term = spawnPty('/bin/sh', ['-c', 'set -m; trap "" HUP; sleep 300 & echo "job $!"; wait'], {});
    cleanup.push(kill(term.pid));
    let out = '';
    term.onData((d) => (out += d));
    const job = await waitFor('the job', () => Number(/job (\d+)/.exec(out)?.[1] ?? 0) || null, 10_000);
    cleanup.push(kill(job));
    // another process whose pid a row names with another start time: a reused pid, never to be touched
    const bystander = spawnChild('sleep', ['300'], { detached: true, stdio: 'ignore' });
    cleanup.push(kill(bystander.pid!));

    const db = Database.open(join(dir, 'devmesh.db'));
    const audit = new AuditLog(db, { mirrorPath: join(dir, 'audit.jsonl') });
    try {
      const events = new EventBus();
      const first = RecoveryModule.open({
        database: db,
        events,
        health: DaemonHealth.detached(logger),
        logger,
        notesDir: join(dir, 'runs'),
        pid: 900000001,
      });
      events.emit({ type: 'terminal.started', ts: Date.now(), info: info('t-left', term.pid) });
      events.emit({ type: 'terminal.started', ts: Date.now(), info: info('t-reused', bystander.pid!) });
      const stat = readFileSync(`/proc/${bystander.pid}/stat`, 'utf8');
      const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
      db.db.prepare("UPDATE live_terminals SET pid_start = ? WHERE id = 't-reused'").run(String(ticks - 1));
      first.dispose(); // it dies: no shutDown, and its reaper never ran

      const second = RecoveryModule.open({
        database: db,
        events: new EventBus(),
        health: DaemonHealth.detached(logger),
        logger,
        notesDir: join(dir, 'runs'),
        pid: 900000002,
      });
      await second.reconcile(new ServiceRegistry(db), new LogStore(db, new EventBus()));
      second.record({ record: (e) => void audit.append(e), locks: { list: () => [] } });
      second.dispose();

      await waitFor(
        'the terminal and its job to be stopped',
        () => !processAlive(term.pid) && !processAlive(job),
        10_000,
      );
      expect(processAlive(bystander.pid!)).toBe(true);
      const ended = audit
        .list({ kind: 'terminal.ended', limit: 10 })
        .entries.map((e) => e.data as { terminalId: string; processesStoppedAtStart: number; reason: string });
      expect(ended.map((e) => [e.terminalId, e.processesStoppedAtStart]).sort()).toEqual([
        ['t-left', 2],
        ['t-reused', 0],
      ]);
      expect(ended[0]!.reason).toMatch(/the daemon died \(pid 900000001/);
      expect(db.db.prepare('SELECT COUNT(*) AS n FROM live_terminals').get()).toEqual({ n: 0 });
    } finally {
      audit.dispose();
      db.close();
    }
  });
});
