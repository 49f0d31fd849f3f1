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
// raised once per `windowMs`. Alerts and audit entries are one per file; the messages are one per recipient and
// batch, naming the files (a formatter run under a glob lock would otherwise send hundreds).
import { join } from 'node:path';
import type { AgentRecord } from '../../../shared/agent.js';
import type { AuditAppend } from '../../../shared/audit.js';
import type { FileChangeType, LockBypassedEvent } from '../../../shared/files.js';
import type { LockCheckResult } from '../../../shared/lock.js';
import type { LockClock } from '../locks/lock-clock.js';

/** the holder the checkout's changes are checked as: nobody's, so every lock on the path is another's */
const NOBODY = '~file-watcher';
/** paths checked per batch at most (a checkout of thousands of files is checked in its first part) */
const MAX_CHECKED = 5_000;
const SEEN_KEPT = 2_000;
/** paths named in one message at most (the alerts and audit entries name every one) */
const MESSAGE_PATHS = 10;

type Find = (idOrName: string) => AgentRecord | null;

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
    const find = LockBypassDetector.memo(this.deps.agents.find);
    const writer = batch.agentId === null ? null : find(batch.agentId);
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
      const holders = this.holdersOf(answer, writer === null, find);
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
      this.record(event, writer);
      raised.push(event);
    }
    if (raised.length > 0) this.tell(raised, writer, batch.projectRoot);
    return raised;
  }

  /** the locks standing in the writer's way; in the checkout only those whose holder cannot be the writer */
  private holdersOf(answer: LockCheckResult['paths'][number], checkout: boolean, find: Find): Holder[] {
    // an agent with its own worktree does not write in the project checkout
    const local = answer.blockers
      .filter((l) => !checkout || find(l.holder)?.worktree != null)
      .map((l) => ({
        holder: l.holder,
        holderName: find(l.holder)?.name ?? l.holder,
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

  /** the alert and the audit entry of one file */
  private record(event: LockBypassedEvent, writer: AgentRecord | null): void {
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
  }

  /** The messages of a batch: one to the writer (or the human) and one to each local holder, naming the files. */
  private tell(events: LockBypassedEvent[], writer: AgentRecord | null, projectRoot: string): void {
    const place =
      writer === null ? `the project checkout (${projectRoot})` : `${writer.name}'s worktree (${events[0]!.where})`;
    const local = new Map<string, { name: string; events: LockBypassedEvent[] }>();
    for (const e of events)
      for (const h of e.holders) {
        if (h.machine !== null) continue;
        const mine = local.get(h.holder) ?? { name: h.holderName, events: [] };
        if (!mine.events.includes(e)) mine.events.push(e);
        local.set(h.holder, mine);
      }
    const send = (to: string, body: string): void => {
      // the writer may hold one of the locks too (a co-writer): one message each, the writer's first
      if (!sent.has(to)) this.deps.message(to, body);
      sent.add(to);
    };
    const sent = new Set<string>();
    if (events.length === 1) {
      const fact = LockBypassDetector.fact(events[0]!, place);
      const names = [...local.values()].map((h) => h.name).join(', ') || 'its holder';
      if (writer !== null)
        send(writer.id, `Lock bypassed: ${fact} Undo the change or ask ${names} (send_message) before editing it.`);
      else send('user', `Lock bypassed: ${fact} Whoever changed it should undo it or talk to the holder first.`);
      const by = writer === null ? 'someone in the project checkout' : writer.name;
      for (const h of local.keys())
        send(h, `Lock bypassed: ${fact} Check ${events[0]!.path} before you go on; ${by} changed it under your lock.`);
      return;
    }
    const names = [...local.values()].map((h) => h.name).join(', ') || 'their holders';
    const all = `${events.length} files changed in ${place} under others' locks, without a lock check (a shell write?)`;
    if (writer !== null)
      send(writer.id, `Lock bypassed: ${all}: ${LockBypassDetector.some(events)}. Undo them or ask ${names} first.`);
    else
      send(
        'user',
        `Lock bypassed: ${all}: ${LockBypassDetector.some(events)}. Whoever changed them should talk to ${names}.`,
      );
    const by = writer === null ? 'someone in the project checkout' : writer.name;
    for (const [holder, h] of local) {
      const n = h.events.length;
      send(
        holder,
        `Lock bypassed: ${n} file${n === 1 ? '' : 's'} under your locks changed in ${place}: ` +
          `${LockBypassDetector.some(h.events)}. Check them before you go on; ${by} changed them under your lock.`,
      );
    }
  }

  /** one file's bypass in words */
  private static fact(event: LockBypassedEvent, place: string): string {
    const who = (h: Holder): string =>
      `${h.holderName}${h.machine ? ` on ${h.machine}` : h.holderName !== h.holder ? ` (${h.holder})` : ''}`;
    const locks = event.holders.map((h) => `${who(h)} holds ${h.mode} lock ${h.lockId}`).join('; ');
    const verb = event.change === 'delete' ? 'was deleted' : event.change === 'create' ? 'was created' : 'changed';
    return `${event.path} ${verb} in ${place} while ${locks}, without a lock check (a shell write?).`;
  }

  /** the first few paths, and how many more */
  private static some(events: LockBypassedEvent[]): string {
    const shown = events.slice(0, MESSAGE_PATHS).map((e) => `${e.path} (${e.holders.map((h) => h.lockId).join(', ')})`);
    const more = events.length - shown.length;
    return more > 0 ? `${shown.join(', ')} and ${more} more (devmesh audit ls --kind lock.bypassed)` : shown.join(', ');
  }

  /** one store read per agent and batch, however many files name it */
  private static memo(find: (id: string) => AgentRecord | null): Find {
    const known = new Map<string, AgentRecord | null>();
    return (id) => {
      if (!known.has(id)) known.set(id, find(id));
      return known.get(id)!;
    };
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
