// Which team events an agent is told about, in words: the one place that decides it (AgentInbox queues what
// this returns; the context hooks hand it over). Pure: an event and the agents in, addressed notices out.
//
// Chosen from the events that exist today, for what changes an agent's next step:
// - a lock it queued for was granted, or a lock of its own expired or was taken away (not its own release);
// - a task was awarded to it, or its task was cancelled or abandoned by someone else;
// - another agent started or finished (presence), here or on a teammate's machine (`team.agent`);
// - a lock it holds was found to conflict with a teammate's, both granted across a partition
//   (`team.lock-conflict`: raised on each machine for its own side; the team domain also writes it a message).
// Task offers are not here: the task board already writes each eligible agent a message (TaskJournal.invite),
// which reaches it with the messages. Add a case below for a new event an agent should hear of.
import type { AgentNotice } from '../../../shared/agent-context.js';
import type { AgentRecord } from '../../../shared/agent.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { LockInfo } from '../../../shared/lock.js';

export interface AddressedNotice {
  /** the agent id it is for */
  to: string;
  notice: AgentNotice;
}

export interface NoticeAgents {
  /** the agents not exited */
  live(): AgentRecord[];
}

export function noticesFor(event: DevMeshEvent, agents: NoticeAgents): AddressedNotice[] {
  switch (event.type) {
    case 'lock.changed':
      return lockNotices(event, agents);
    case 'task.changed':
      return taskNotices(event);
    case 'agent.status':
      return presenceNotices(event, agents);
    case 'team.agent':
      return teammateNotices(event, agents);
    case 'team.lock-conflict':
      return conflictNotices(event, agents);
    default:
      return [];
  }
}

function lockNotices(event: Extract<DevMeshEvent, { type: 'lock.changed' }>, agents: NoticeAgents): AddressedNotice[] {
  const change = event.change;
  const mine = (lock: LockInfo): boolean => agents.live().some((a) => a.id === lock.holder);
  const note = (lock: LockInfo, kind: string, text: string): AddressedNotice[] =>
    mine(lock) ? [{ to: lock.holder, notice: { kind, text, ts: event.ts } }] : [];
  switch (change.type) {
    case 'granted':
      if (change.waitedMs <= 0) return []; // the agent's own call answered it at once
      return note(
        change.lock,
        'lock.granted',
        `your queued ${describe(change.lock)} was granted after ${seconds(change.waitedMs)} (${change.lock.id}).`,
      );
    case 'expired':
      return note(
        change.lock,
        'lock.expired',
        `your ${describe(change.lock)} expired without a heartbeat and is gone (${change.lock.id}); ` +
          'take it again before editing.',
      );
    case 'released':
      if (change.reason === 'released') return []; // released by its holder's own call
      return note(change.lock, 'lock.released', `your ${describe(change.lock)} was released: ${change.reason}.`);
    default:
      return [];
  }
}

function taskNotices(event: Extract<DevMeshEvent, { type: 'task.changed' }>): AddressedNotice[] {
  const { task, transition } = event;
  if (transition === null || task.assigneeId === null) return [];
  const to = task.assigneeId;
  const title = `task ${task.id} "${task.title}"`;
  if (transition.to === 'CLAIMED')
    return [{ to, notice: { kind: 'task.awarded', text: `${title} was awarded to you.`, ts: event.ts } }];
  if ((transition.to === 'CANCELLED' || transition.to === 'ABANDONED') && transition.by !== to) {
    const kind = transition.to === 'CANCELLED' ? 'task.cancelled' : 'task.abandoned';
    const text = `${title} was ${transition.to.toLowerCase()} (${transition.why}); stop working on it.`;
    return [{ to, notice: { kind, text, ts: event.ts } }];
  }
  return [];
}

function presenceNotices(
  event: Extract<DevMeshEvent, { type: 'agent.status' }>,
  agents: NoticeAgents,
): AddressedNotice[] {
  let notice: AgentNotice | null = null;
  const who = `agent ${event.name}${event.record.role ? ` (@${event.record.role})` : ''}`;
  if (event.to === 'exited') {
    notice = { kind: 'agent.exited', text: `${who} finished: ${event.reason ?? 'its terminal ended'}.`, ts: event.ts };
  } else if (event.from === 'starting') {
    const where = event.record.worktree ? ` on branch ${event.record.worktree.branch}` : '';
    notice = { kind: 'agent.started', text: `${who} started (${event.record.profile})${where}.`, ts: event.ts };
  }
  if (notice === null) return [];
  const told = notice;
  return agents
    .live()
    .filter((a) => a.id !== event.agentId)
    .map((a) => ({ to: a.id, notice: told }));
}

function teammateNotices(
  event: Extract<DevMeshEvent, { type: 'team.agent' }>,
  agents: NoticeAgents,
): AddressedNotice[] {
  const a = event.agent;
  if (event.change !== 'started' && event.change !== 'finished') return [];
  const who = `agent ${a.name}@${a.machine}${a.role ? ` (@${a.role})` : ''}, ${a.human}'s,`;
  const text =
    event.change === 'started'
      ? `${who} started (${a.profile})${a.branch ? ` on branch ${a.branch}` : ''}.`
      : `${who} finished.`;
  const notice: AgentNotice = { kind: `team.agent.${event.change}`, text, ts: event.ts };
  return agents.live().map((to) => ({ to: to.id, notice }));
}

function conflictNotices(
  event: Extract<DevMeshEvent, { type: 'team.lock-conflict' }>,
  agents: NoticeAgents,
): AddressedNotice[] {
  const { mine, theirs } = event;
  if (!agents.live().some((a) => a.id === mine.holder)) return [];
  const other = `${theirs.holderName}@${theirs.machine}`;
  const text =
    `your ${mine.what} conflicts with ${theirs.holderName} on ${theirs.machine} (${theirs.what}): both were granted ` +
    `while the machines could not reach each other. Agree with ${theirs.holderName} who lets go ` +
    `(send_message to ${other}) before changing it further.`;
  return [{ to: mine.holder, notice: { kind: 'team.lock-conflict', text, ts: event.ts } }];
}

function describe(lock: LockInfo): string {
  const target = lock.target.kind === 'glob' ? lock.target.pattern : lock.target.path;
  return `${lock.mode} lock on ${target}`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}
