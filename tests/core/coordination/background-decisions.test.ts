// A decision DevMesh takes on its own (a lock expiring on its timer) while the audit chain cannot be written:
// the decision stands (the lock is gone) and its lost entry is never swallowed: the daemon's health ledger
// names it and counts it, so `devmesh status` and the UI show what the chain is missing. The chain lives on
// a tmpfs of its own, filled to the last byte to make the append fail, then freed again.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentRecord } from '../../../shared/agent.js';
import type { HealthProblem } from '../../../shared/health.js';
import { Coordination } from '../../../main/core/coordination/coordination.js';
import { EventBus } from '../../../main/core/events/event-bus.js';
import { DaemonHealth } from '../../../main/core/health/daemon-health.js';
import type { ProjectManager } from '../../../main/core/projects/project-manager.js';
import type { AgentManager } from '../../../main/core/agents/agent-manager.js';
import type { TerminalManager } from '../../../main/core/terminals/terminal-manager.js';
import { Database } from '../../../main/core/store/database.js';
import { FullDisk } from '../../helpers/full-disk.js';
import { FakeLockClock } from '../locks/fake-lock-clock.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function open() {
  const disk = FullDisk.mount(16);
  cleanups.push(() => disk.dispose());
  const root = join(disk.dir, 'shop');
  mkdirSync(join(root, 'src'), { recursive: true });
  const database = Database.open(join(disk.dir, 'devmesh.db'));
  const health = new DaemonHealth({ logger: pino({ enabled: false }), emit: () => undefined });
  const clock = new FakeLockClock();
  const projects = {
    resolve: () => ({ id: 'shop', root }),
    all: () => [{ id: 'shop', root }],
  } as unknown as ProjectManager;
  const agents = {
    get: (x: string): AgentRecord => {
      throw new Error(`no agent ${x}`);
    },
    list: (): AgentRecord[] => [],
  } as unknown as AgentManager;
  const coordination = new Coordination({
    database,
    events: new EventBus(),
    projects,
    agents,
    terminals: {} as TerminalManager,
    health,
    homeDir: disk.dir,
    auditMirrorPath: join(disk.dir, 'audit.jsonl'),
    auditDurability: 'grouped',
    logger: pino({ enabled: false }),
    clock,
  });
  cleanups.push(() => {
    coordination.dispose();
    database.close();
  });
  return { disk, coordination, health, clock };
}

const lostDecision = (problems: HealthProblem[]) => problems.find((p) => /lock\.expired/.test(p.rule));

describe.skipIf(FullDisk.unavailable() !== null)('a background decision the audit chain cannot record', () => {
  it('stands, and its lost entry is in the health ledger, named and counted, instead of swallowed', async () => {
    const { disk, coordination, health, clock } = open();
    const lock = await coordination.locks.acquire(undefined, {
      holder: 'alice',
      mode: 'WRITE',
      target: { kind: 'file', path: 'src/a.ts' },
      ttlMs: 5_000,
      waitMs: 0,
    });
    expect(coordination.audit.list({ limit: 1 }).entries[0]).toMatchObject({
      kind: 'lock.granted',
      subject: 'src/a.ts',
    });

    disk.fill();
    clock.advance(60_000); // past TTL + grace: the lock's timer takes it away
    expect(coordination.locks.list()[0]?.locks ?? []).not.toContainEqual(expect.objectContaining({ id: lock.id }));

    const problem = lostDecision(health.snapshot().problems);
    expect(problem).toMatchObject({
      code: 'DISK_FULL',
      dropped: 1,
      rule: expect.stringMatching(/lock\.expired for src\/a\.ts/) as unknown as string,
    });

    // once the chain takes writes again, the outage entry counts the lost decision
    disk.release();
    await coordination.locks.acquire(undefined, {
      holder: 'bob',
      mode: 'WRITE',
      target: { kind: 'file', path: 'src/b.ts' },
      ttlMs: 5_000,
      waitMs: 0,
    });
    const kinds = coordination.audit.list({ limit: 5 }).entries.map((e) => e.kind);
    expect(kinds.slice(0, 2)).toEqual(['lock.granted', 'audit.outage']);
    expect(coordination.audit.list({ kind: 'audit.outage' }).entries[0]).toMatchObject({
      data: { kinds: { 'lock.expired': 1 } },
    });
    expect(lostDecision(health.snapshot().problems)).toBeUndefined();
  });
});
