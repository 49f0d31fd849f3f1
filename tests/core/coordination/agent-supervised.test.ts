// What Coordination makes of the supervisor's agent.supervised events, on a real SQLite file and a real audit
// chain: a relaunch scheduled and a give-up are audited, and a give-up is told to the human (`user`) as a
// message, so an agent that stopped relaunching does not go unnoticed.
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentRecord, AgentSupervisedEvent } from '../../../shared/agent.js';
import { Coordination } from '../../../main/core/coordination/coordination.js';
import { EventBus } from '../../../main/core/events/event-bus.js';
import { DaemonHealth } from '../../../main/core/health/daemon-health.js';
import type { ProjectManager } from '../../../main/core/projects/project-manager.js';
import type { AgentManager } from '../../../main/core/agents/agent-manager.js';
import type { TerminalManager } from '../../../main/core/terminals/terminal-manager.js';
import { Database } from '../../../main/core/store/database.js';
import { until } from '../../helpers/until.js';
import { FakeLockClock } from '../locks/fake-lock-clock.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function open() {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'devmesh-supervised-')));
  const root = join(dir, 'shop');
  mkdirSync(join(root, 'src'), { recursive: true });
  const database = Database.open(join(dir, 'devmesh.db'));
  const events = new EventBus();
  const coordination = new Coordination({
    database,
    events,
    projects: { resolve: () => ({ id: 'shop', root }), all: () => [{ id: 'shop', root }] } as unknown as ProjectManager,
    agents: { list: (): AgentRecord[] => [], get: () => null } as unknown as AgentManager,
    terminals: {} as TerminalManager,
    health: new DaemonHealth({ logger: pino({ enabled: false }), emit: () => undefined }),
    homeDir: dir,
    auditMirrorPath: join(dir, 'audit.jsonl'),
    auditDurability: 'grouped',
    logger: pino({ enabled: false }),
    clock: new FakeLockClock(),
  });
  cleanups.push(() => {
    coordination.dispose();
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { events, coordination };
}

const event = (over: Partial<AgentSupervisedEvent>): AgentSupervisedEvent => ({
  type: 'agent.supervised',
  ts: 1_700_000_000_000,
  agentId: 'agent-0123456789',
  name: 'claude-1',
  action: 'relaunching',
  attempt: 1,
  limit: 5,
  delayMs: 1000,
  reason: 'exited with code 3; relaunching in 1.0 s (attempt 1 of 5)',
  ...over,
});

describe('agent.supervised in Coordination', () => {
  it('audits a scheduled relaunch and a give-up, and tells the human of the give-up', async () => {
    const { events, coordination } = open();
    events.emit(event({}));
    const gaveUp =
      'exited with code 1; crashed 6 times in a row, not relaunching (limit: 5 relaunches): look at its terminal, then relaunch it';
    events.emit(event({ action: 'gave-up', attempt: 6, delayMs: null, reason: gaveUp }));
    const entries = await until('both audit entries', () => {
      const list = coordination.audit.list({ limit: 10 }).entries.filter((e) => e.kind.startsWith('agent.'));
      return list.length === 2 && list;
    });
    expect(entries.map((e) => [e.kind, e.subject]).sort()).toEqual([
      ['agent.gave-up', 'claude-1'],
      ['agent.relaunching', 'claude-1'],
    ]);
    const told = coordination.messages.list({ limit: 10, party: 'user' });
    expect(told.map((m) => [m.from, m.to, m.body])).toEqual([['devmesh', 'user', `Agent claude-1 ${gaveUp}`]]);
  });
});
