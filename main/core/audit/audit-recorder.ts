// Turns the decisions the core announces into audit entries: locks granted, released, expired and refused;
// services starting, healthy, crashed, restarting, stopped; agents exited; version alerts; shared state
// set. Task transitions and awards are appended by the task board itself; agent starts and stops, and
// shared state deleted, by the composition root (they are decided there, with who asked).
import type { DevMeshEvent } from '../../../shared/events.js';
import type { LockChangedEvent } from '../../../shared/lock.js';
import type { AuditAppend } from '../../../shared/audit.js';

export class AuditRecorder {
  constructor(private readonly append: (entry: AuditAppend) => void) {}

  /** Records the event when it is a decision; ignores the rest. */
  record(event: DevMeshEvent): void {
    const entry = AuditRecorder.entryFor(event);
    if (entry) this.append(entry);
  }

  static entryFor(event: DevMeshEvent): AuditAppend | null {
    switch (event.type) {
      case 'lock.changed':
        return AuditRecorder.lockEntry(event);
      case 'service.state': {
        if (event.from === event.to || event.to === 'stopping') return null;
        const kind = event.to === 'backing-off' ? 'service.restart-scheduled' : `service.${event.to}`;
        return {
          actor: 'devmesh',
          kind,
          subject: `${event.project}/${event.service}`,
          data: { from: event.from, to: event.to, reason: event.reason, version: event.info.version, port: event.info.port },
        };
      }
      case 'agent.status':
        if (event.to !== 'exited') return null;
        return { actor: event.agentId, kind: 'agent.exited', subject: event.name, data: { reason: event.reason, exitCode: event.record.exitCode } };
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
        // a deletion is recorded by the composition root, which knows who deleted (the event does not)
        if (!event.entry) return null;
        return { actor: event.entry.updatedBy, kind: 'state.set', subject: event.key, data: { version: event.entry.version } };
      default:
        return null;
    }
  }

  private static lockEntry(event: LockChangedEvent): AuditAppend | null {
    const c = event.change;
    const where = { root: event.root, project: event.project };
    switch (c.type) {
      case 'granted':
        return {
          actor: c.lock.holder,
          kind: 'lock.granted',
          subject: AuditRecorder.target(c.lock.target),
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
        return { actor: c.lock.holder, kind: 'lock.released', subject: AuditRecorder.target(c.lock.target), data: { ...where, lockId: c.lock.id, mode: c.lock.mode, reason: c.reason } };
      case 'expired':
        return { actor: 'devmesh', kind: 'lock.expired', subject: AuditRecorder.target(c.lock.target), data: { ...where, lockId: c.lock.id, mode: c.lock.mode, holder: c.lock.holder } };
      case 'refused':
        return { actor: c.holder, kind: 'lock.refused', subject: AuditRecorder.target(c.target), data: { ...where, mode: c.mode, code: c.error.code, why: c.error.message.slice(0, 500) } };
      default:
        return null;
    }
  }

  private static target(t: { kind: 'file' | 'dir'; path: string } | { kind: 'glob'; pattern: string }): string {
    return t.kind === 'glob' ? t.pattern : t.kind === 'dir' ? `${t.path}/` : t.path;
  }
}
