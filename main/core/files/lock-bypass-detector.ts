// Edits that went around the locks, found after the fact. The edit hook (Claude Code's PreToolUse) and the git
// pre-commit hook ask the lock spaces before a change; a shell write (`sed -i`, `echo >>`, a formatter) asks
// nobody. The watcher sees the file change anyway: each changed path is checked the way the hooks check it
// (LockSpaces.check, as the agent whose worktree it is in), and a path another holder has locked is raised to
// both sides: a `files.lock-bypassed` event for the UI, a `lock.bypassed` audit entry, and a message to the
// writer and to each holder. Nothing is undone: the holders decide.
//
// The project checkout is shared by the human and the agents without a worktree, so a change there has no
// known writer: it is raised only for locks held by agents that work in their own worktree (or by teammates'
// machines), never for a lock its own holder may have written under. The same change (writer, lock, path) is
// raised once per `windowMs`.
import { join } from 'node:path';
import type { AgentRecord } from '../../../shared/agent.js';
import type { AuditAppend } from '../../../shared/audit.js';
import type { FileChangeType, LockBypassedEvent } from '../../../shared/files.js';
import type { LockCheckResult, LockInfo } from '../../../shared/lock.js';
import type { LockClock } from '../locks/lock-clock.js';

/** the holder the checkout's changes are checked as: nobody's, so every lock on the path is another's */
const NOBODY = '~file-watcher';
/** paths checked per batch at most (a checkout of thousands of files is checked in its first part) */
const MAX_CHECKED = 5_000;
const SEEN_KEPT = 2_000;

export interface LockBypassDetectorDeps {
  locks: { check(project: string | undefined, holder: string, paths: readonly string[]): LockCheckResult };
  agents: { find(idOrName: string): AgentRecord | null; list(): AgentRecord[] };
  /** the audit chain (AuditTrail.observe: never throws) */
  audit: (entry: AuditAppend) => void;
  /** a message from DevMesh to an agent id or `user` */
  message: (to: string, body: string) => void;
  emit: (event: LockBypassedEvent) => void;
  clock: LockClock;
  windowMs?: number;
}

export interface WatchedBatch {
  /** the watched folder */
  root: string;
  /** the project checkout's root (the lock space); for a worktree, its repository */
  projectRoot: string;
  project: string | null;
  agentId: string | null;
  changes: ReadonlyArray<{ path: string; type: FileChangeType }>;
}

type Holder = LockBypassedEvent['holders'][number];

export class LockBypassDetector {
  private readonly seen = new Map<string, number>();

  constructor(private readonly deps: LockBypassDetectorDeps) {}

  /** Checks a batch; returns the bypasses raised. Throws only what the lock spaces throw (the caller contains). */
  inspect(batch: WatchedBatch): LockBypassedEvent[] {
    const changes = batch.changes.slice(0, MAX_CHECKED);
    if (changes.length === 0) return [];
    const writer = batch.agentId === null ? null : this.deps.agents.find(batch.agentId);
    if (batch.agentId !== null && writer === null) return []; // the agent was removed meanwhile
    const absolute = changes.map((c) => join(batch.root, c.path));
    const result =
      writer === null
        ? this.deps.locks.check(batch.projectRoot, NOBODY, absolute)
        : this.deps.locks.check(undefined, writer.id, absolute);
    if (result.allowed) return [];
    const raised: LockBypassedEvent[] = [];
    for (const [i, answer] of result.paths.entries()) {
      if (answer.allowed || answer.relative === null) continue;
      const holders = this.holdersOf(answer, writer === null);
      if (holders.length === 0) continue;
      const fresh = holders.filter((h) => this.firstTime(`${writer?.id ?? batch.root}|${h.lockId}|${answer.relative}`));
      if (fresh.length === 0) continue;
      const event: LockBypassedEvent = {
        type: 'files.lock-bypassed',
        ts: this.deps.clock.now(),
        root: result.root,
        project: batch.project,
        path: answer.relative,
        change: changes[i]!.type,
        where: batch.root,
        writer: writer === null ? null : { agentId: writer.id, name: writer.name },
        holders: fresh,
      };
      this.raise(event, writer, batch.projectRoot);
      raised.push(event);
    }
    return raised;
  }

  /** the locks standing in the writer's way; in the checkout only those whose holder cannot be the writer */
  private holdersOf(answer: LockCheckResult['paths'][number], checkout: boolean): Holder[] {
    const local = answer.blockers
      .filter((l) => !checkout || this.worksElsewhere(l))
      .map((l) => ({
        holder: l.holder,
        holderName: this.deps.agents.find(l.holder)?.name ?? l.holder,
        lockId: l.id,
        mode: l.mode,
        machine: null,
      }));
    const teammates = (answer.teammates ?? []).map((l) => ({
      holder: l.holder,
      holderName: l.holderName,
      lockId: l.id,
      mode: l.mode,
      machine: l.machine,
    }));
    return [...local, ...teammates];
  }

  /** an agent with its own worktree does not write in the project checkout */
  private worksElsewhere(lock: LockInfo): boolean {
    return this.deps.agents.find(lock.holder)?.worktree != null;
  }

  private raise(event: LockBypassedEvent, writer: AgentRecord | null, projectRoot: string): void {
    const who = (h: Holder): string =>
      `${h.holderName}${h.machine ? ` on ${h.machine}` : h.holderName !== h.holder ? ` (${h.holder})` : ''}`;
    const locks = event.holders.map((h) => `${who(h)} holds ${h.mode} lock ${h.lockId}`).join('; ');
    const place =
      writer === null ? `the project checkout (${projectRoot})` : `${writer.name}'s worktree (${event.where})`;
    const verb = event.change === 'delete' ? 'was deleted' : event.change === 'create' ? 'was created' : 'changed';
    this.deps.audit({
      actor: writer?.id ?? 'devmesh',
      kind: 'lock.bypassed',
      subject: event.path,
      data: {
        root: event.root,
        project: event.project,
        where: event.where,
        change: event.change,
        writer: writer?.id ?? null,
        holders: event.holders.map(({ holder, lockId, mode, machine }) => ({ holder, lockId, mode, machine })),
      },
    });
    this.deps.emit(event);
    const fact = `${event.path} ${verb} in ${place} while ${locks}, without a lock check (a shell write?).`;
    const local = event.holders.filter((h) => h.machine === null);
    const notified = new Set<string>();
    const send = (to: string, body: string): void => {
      if (notified.has(to)) return;
      notified.add(to);
      this.deps.message(to, body);
    };
    if (writer !== null) {
      const names = local.map((h) => h.holderName).join(', ') || 'its holder';
      send(writer.id, `Lock bypassed: ${fact} Undo the change or ask ${names} (send_message) before editing it.`);
    } else {
      send('user', `Lock bypassed: ${fact} Whoever changed it should undo it or talk to the holder first.`);
    }
    for (const h of local) {
      const by = writer === null ? 'someone in the project checkout' : writer.name;
      send(h.holder, `Lock bypassed: ${fact} Check ${event.path} before you go on; ${by} changed it under your lock.`);
    }
  }

  private firstTime(key: string): boolean {
    const now = this.deps.clock.now();
    const last = this.seen.get(key);
    if (last !== undefined && now - last < (this.deps.windowMs ?? 60_000)) return false;
    this.seen.delete(key);
    this.seen.set(key, now);
    if (this.seen.size > SEEN_KEPT) this.seen.delete(this.seen.keys().next().value!);
    return true;
  }
}
