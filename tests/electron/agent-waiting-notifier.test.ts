// An agent waiting for the user (a permission question) shows a desktop notification naming it, why and
// its task; one per wait: the same wait does not notify twice, the next wait (after it worked again) does.
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import type { AgentRecord, AgentStatus } from '../../shared/agent.js';
import { Notification, resetFake } from './fake-electron.js';
import { FakeCore } from './fake-core.js';
import { AgentWaitingNotifier } from '../../main/electron/agent-waiting-notifier.js';

let core: FakeCore;
let onClick: () => void;

const record: AgentRecord = {
  id: 'a-1',
  name: 'claude-2',
  profile: 'claude',
  role: null,
  cwd: '/repo',
  project: null,
  command: 'claude',
  args: [],
  worktree: null,
  terminalId: 't-9',
  task: 'fix the readme',
  status: 'waiting',
  statusReason: 'permission prompt',
  exitCode: null,
  createdAt: 1,
  updatedAt: 1,
  resources: { ramGb: 0, gpus: 0 },
};

const status = (from: AgentStatus, to: AgentStatus, reason: string | null = null) =>
  core.events.emit({
    type: 'agent.status',
    ts: 1,
    agentId: record.id,
    name: record.name,
    from,
    to,
    reason,
    record: { ...record, status: to },
  });

beforeEach(() => {
  resetFake();
  core = new FakeCore();
  onClick = vi.fn();
  new AgentWaitingNotifier(core.api(), { onClick, now: () => 1_000 });
});

describe('AgentWaitingNotifier', () => {
  it('names the agent, why it waits and its task; clicking opens the window', () => {
    status('working', 'waiting', 'permission prompt');
    expect(Notification.instances).toHaveLength(1);
    expect(Notification.instances[0]!.options.title).toBe('claude-2 is waiting for you');
    expect(Notification.instances[0]!.options.body).toContain('permission prompt');
    expect(Notification.instances[0]!.options.body).toContain('fix the readme');
    Notification.instances[0]!.emit('click');
    expect(onClick).toHaveBeenCalledTimes(1);
  });

  it('notifies once per wait, again after the agent worked, never for other statuses', () => {
    status('starting', 'working');
    status('working', 'waiting');
    status('waiting', 'waiting');
    expect(Notification.instances).toHaveLength(1);
    status('waiting', 'working');
    status('working', 'waiting');
    status('waiting', 'exited');
    expect(Notification.instances).toHaveLength(2);
  });
});
