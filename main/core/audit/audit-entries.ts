// The audit entry each decision is recorded as: locks granted, released, expired and refused; services
// starting, healthy, crashed, restarting, stopped; agents exited, relaunched after a crash or given up on; version alerts; shared state set. Pure
// mapping: the code that decides records the entry through AuditTrail (coordination.ts wires the lock
// spaces, the shared state and the task board to it; the bus brings it the decisions other domains take).
import type { DevMeshEvent } from '../../../shared/events.js';
import type { LockChangedEvent } from '../../../shared/lock.js';
import type { AuditAppend } from '../../../shared/audit.js';
import type { StateEntry } from '../../../shared/message.js';

/** The entry for an event that announces a decision; null for the rest. */
export function entryFor(event: DevMeshEvent): AuditAppend | null {
  switch (event.type) {
    case 'lock.changed':
      return lockEntry(event);
    case 'service.state': {
      if (event.from === event.to || event.to === 'stopping') return null;
      const kind = event.to === 'backing-off' ? 'service.restart-scheduled' : `service.${event.to}`;
      return {
        actor: 'devmesh',
        kind,
        subject: `${event.project}/${event.service}`,
        data: {
          from: event.from,
          to: event.to,
          reason: event.reason,
          version: event.info.version,
          port: event.info.port,
        },
      };
    }
    case 'agent.status':
      if (event.to !== 'exited') return null;
      return {
        actor: event.agentId,
        kind: 'agent.exited',
        subject: event.name,
        data: { reason: event.reason, exitCode: event.record.exitCode },
      };
    case 'agent.supervised':
      if (event.action === 'relaunched') return null; // its agent.relaunching entry said it would be
      return {
        actor: 'devmesh',
        kind: `agent.${event.action}`,
        subject: event.name,
        data: {
          agentId: event.agentId,
          attempt: event.attempt,
          limit: event.limit,
          delayMs: event.delayMs,
          reason: event.reason,
        },
      };
    case 'alert.raised': {
      const a = event.alert;
      return {
        actor: 'devmesh',
        kind: `version.${a.action}`,
        subject: `${a.caller.project}/${a.caller.service} → ${a.dependency}`,
        data: { range: a.range, instance: a.instance, count: a.count },
      };
    }
    case 'state.changed':
      // a deletion's event carries no entry: Coordination records it with who asked (stateDeleted)
      return event.entry ? stateSet(event.key, event.entry) : null;
    default:
      return null;
  }
}

/** a shared-state key set */
export function stateSet(key: string, entry: StateEntry): AuditAppend {
  return { actor: entry.updatedBy, kind: 'state.set', subject: key, data: { version: entry.version } };
}

/** a shared-state key deleted (its event names no one: the deleter is known at the decision only) */
export function stateDeleted(key: string, by: string): AuditAppend {
  return { actor: by, kind: 'state.deleted', subject: key, data: null };
}

export function lockEntry(event: LockChangedEvent): AuditAppend | null {
  const c = event.change;
  const where = { root: event.root, project: event.project };
  switch (c.type) {
    case 'granted':
      return {
        actor: c.lock.holder,
        kind: 'lock.granted',
        subject: target(c.lock.target),
        data: {
          ...where,
          lockId: c.lock.id,
          mode: c.lock.mode,
          ttlMs: c.lock.ttlMs,
          waitedMs: c.waitedMs,
          previousMode: c.previousMode,
          // which MCP sessions took it (absent: its holder otherwise): a session's end releases only its own
          ...(c.lock.sessions?.length ? { sessions: c.lock.sessions } : {}),
        },
      };
    case 'released':
      return {
        actor: c.lock.holder,
        kind: 'lock.released',
        subject: target(c.lock.target),
        data: { ...where, lockId: c.lock.id, mode: c.lock.mode, reason: c.reason },
      };
    case 'expired':
      return {
        actor: 'devmesh',
        kind: 'lock.expired',
        subject: target(c.lock.target),
        data: { ...where, lockId: c.lock.id, mode: c.lock.mode, holder: c.lock.holder },
      };
    case 'refused':
      return {
        actor: c.holder,
        kind: 'lock.refused',
        subject: target(c.target),
        data: { ...where, mode: c.mode, code: c.error.code, why: c.error.message.slice(0, 500) },
      };
    default:
      return null;
  }
}

function target(t: { kind: 'file' | 'dir'; path: string } | { kind: 'glob'; pattern: string }): string {
  return t.kind === 'glob' ? t.pattern : t.kind === 'dir' ? `${t.path}/` : t.path;
}
