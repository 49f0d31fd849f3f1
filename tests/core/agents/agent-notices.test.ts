// Which team events an agent is told about (noticesFor, a pure function): what changes its next step, for
// the agent it concerns, and nothing for what its own call already answered.
import { describe, expect, it } from 'vitest';
import { noticesFor } from '../../../main/core/agents/agent-notices.js';
import type { AgentRecord } from '../../../shared/agent.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { LockInfo } from '../../../shared/lock.js';
import type { TaskInfo } from '../../../shared/task.js';
import { agentRecord } from './agent-record-fixture.js';

const alice = agentRecord({ id: 'agent-a', name: 'alice', cwd: '/p', status: 'working', role: 'frontend' });
const bob = agentRecord({ id: 'agent-b', name: 'bob', cwd: '/p', status: 'idle' });
const agents = { live: (): AgentRecord[] => [alice, bob] };

const lock: LockInfo = {
  id: 'lock-1-1',
  holder: 'agent-a',
  mode: 'WRITE',
  target: { kind: 'file', path: 'src/a.ts' },
  acquiredAt: 1,
  expiresAt: 2,
  ttlMs: 30_000,
};
const lockEvent = (change: Extract<DevMeshEvent, { type: 'lock.changed' }>['change']): DevMeshEvent => ({
  type: 'lock.changed',
  ts: 5,
  root: '/p',
  project: 'p',
  change,
});
const task: TaskInfo = {
  id: 'task-abcd',
  project: 'p',
  root: '/p',
  title: 'Fix it',
  prompt: 'Fix it.',
  files: [],
  capabilities: [],
  priority: 0,
  dependsOn: [],
  criticRequired: false,
  criticOf: null,
  state: 'CLAIMED',
  stateReason: '',
  assigneeId: 'agent-b',
  assigneeName: 'bob',
  terminalId: null,
  attempts: 1,
  bidCount: 1,
  note: null,
  createdBy: 'user',
  createdAt: 0,
  updatedAt: 0,
};
const taskEvent = (to: TaskInfo['state'], by: string): DevMeshEvent => ({
  type: 'task.changed',
  ts: 6,
  task: { ...task, state: to },
  transition: { from: 'BIDDING', to, by, why: 'because', at: 6 },
});

describe('noticesFor', () => {
  it('tells the holder of a lock granted after a wait, expired, or taken away; not of its own calls', () => {
    const granted = noticesFor(
      lockEvent({ type: 'granted', ts: 5, lock, waitedMs: 4_200, previousMode: null }),
      agents,
    );
    expect(granted).toEqual([
      {
        to: 'agent-a',
        notice: {
          kind: 'lock.granted',
          text: 'your queued WRITE lock on src/a.ts was granted after 4 s (lock-1-1).',
          ts: 5,
        },
      },
    ]);
    expect(noticesFor(lockEvent({ type: 'granted', ts: 5, lock, waitedMs: 0, previousMode: null }), agents)).toEqual(
      [],
    );
    expect(noticesFor(lockEvent({ type: 'expired', ts: 5, lock }), agents)[0]?.notice.kind).toBe('lock.expired');
    expect(noticesFor(lockEvent({ type: 'released', ts: 5, lock, reason: 'released' }), agents)).toEqual([]);
    const taken = noticesFor(lockEvent({ type: 'released', ts: 5, lock, reason: 'task task-abcd cancelled' }), agents);
    expect(taken[0]?.notice.text).toBe('your WRITE lock on src/a.ts was released: task task-abcd cancelled.');
    // a holder that is not a running agent (the user, a script) has no one to tell
    expect(noticesFor(lockEvent({ type: 'expired', ts: 5, lock: { ...lock, holder: 'user' } }), agents)).toEqual([]);
  });

  it('tells the assignee of an award, and of a cancel someone else made', () => {
    expect(noticesFor(taskEvent('CLAIMED', 'devmesh'), agents)).toEqual([
      { to: 'agent-b', notice: { kind: 'task.awarded', text: 'task task-abcd "Fix it" was awarded to you.', ts: 6 } },
    ]);
    expect(noticesFor(taskEvent('CANCELLED', 'user'), agents)[0]?.notice.text).toBe(
      'task task-abcd "Fix it" was cancelled (because); stop working on it.',
    );
    expect(noticesFor(taskEvent('CANCELLED', 'agent-b'), agents)).toEqual([]);
    expect(noticesFor(taskEvent('WORKING', 'agent-b'), agents)).toEqual([]);
  });

  it('tells the other agents that one started or finished', () => {
    const status = (from: AgentRecord['status'], to: AgentRecord['status'], reason: string | null): DevMeshEvent => ({
      type: 'agent.status',
      ts: 7,
      agentId: 'agent-a',
      name: 'alice',
      from,
      to,
      reason,
      record: { ...alice, status: to },
    });
    expect(noticesFor(status('starting', 'working', 'output flowing'), agents)).toEqual([
      { to: 'agent-b', notice: { kind: 'agent.started', text: 'agent alice (@frontend) started (custom).', ts: 7 } },
    ]);
    expect(noticesFor(status('idle', 'exited', 'exited with code 0'), agents)).toEqual([
      {
        to: 'agent-b',
        notice: { kind: 'agent.exited', text: 'agent alice (@frontend) finished: exited with code 0.', ts: 7 },
      },
    ]);
    expect(noticesFor(status('working', 'idle', 'no output for 5 s'), agents)).toEqual([]);
  });

  it('tells the agent holding the local side of a mesh lock conflict, naming the other holder and machine', () => {
    const side = (holder: string, holderName: string, machine: string, partitioned: string[]) => ({
      holder,
      holderName,
      machineId: `m-${machine}`,
      machine,
      what: 'WRITE on src/orders.ts',
      partitioned,
    });
    const conflict = (holder: string): DevMeshEvent => ({
      type: 'team.lock-conflict',
      ts: 8,
      project: '0123456789abcdef',
      mine: side(holder, 'alice', 'dana', ['bob']),
      theirs: side('agent-z', 'zed', 'bob', ['dana']),
    });
    expect(noticesFor(conflict('agent-a'), agents)).toEqual([
      {
        to: 'agent-a',
        notice: {
          kind: 'team.lock-conflict',
          text:
            'your WRITE on src/orders.ts conflicts with zed on bob (WRITE on src/orders.ts): both were granted while ' +
            'the machines could not reach each other. Agree with zed who lets go (send_message to zed@bob) ' +
            'before changing it further.',
          ts: 8,
        },
      },
    ]);
    expect(noticesFor(conflict('user'), agents)).toEqual([]); // the human hears of it from the alert
  });

  it("tells this machine's agents that a teammate's agent started or finished, not its other changes", () => {
    const teamAgent = (change: 'started' | 'finished' | 'working' | 'updated'): DevMeshEvent => ({
      type: 'team.agent',
      ts: 9,
      change,
      agent: {
        id: 'agent-t',
        name: 'ben',
        profile: 'claude',
        model: null,
        role: 'backend',
        status: change === 'finished' ? 'exited' : 'working',
        statusReason: null,
        projectKey: '0123456789abcdef',
        branch: 'fix-orders',
        task: null,
        updatedAt: 9,
        machineId: 'm-bob',
        machine: 'bob',
        human: 'Bob',
        local: false,
        reachable: true,
      },
    });
    const started = noticesFor(teamAgent('started'), agents);
    expect(started.map((n) => n.to)).toEqual(['agent-a', 'agent-b']);
    expect(started[0]?.notice).toEqual({
      kind: 'team.agent.started',
      text: "agent ben@bob (@backend), Bob's, started (claude) on branch fix-orders.",
      ts: 9,
    });
    expect(noticesFor(teamAgent('finished'), agents)[0]?.notice).toEqual({
      kind: 'team.agent.finished',
      text: "agent ben@bob (@backend), Bob's, finished.",
      ts: 9,
    });
    expect(noticesFor(teamAgent('working'), agents)).toEqual([]);
    expect(noticesFor(teamAgent('updated'), agents)).toEqual([]);
  });
});
