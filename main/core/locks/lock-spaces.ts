// Lock spaces: one LockManager per project root, made when first needed. An agent working in a git worktree
// of the project shares the project's space, and the absolute paths it names inside its worktree are taken
// as the same root-relative paths, so an edit in alice's worktree and one in bob's contend for one lock.
//
// Which space a call means: the project it names (id or root); else the space of the holder when it is an
// agent (its worktree's repository, its project, the open project its folder is in, its folder); else the
// only open project.
//
// How long a lock lives when the request names no TTL (shared/lock.ts): LOCK_TTL_RENEWED_MS when its taker
// renews it (an MCP session, or an agent DevMesh runs), LOCK_TTL_UNRENEWED_MS otherwise (a person's lock).
// Lock ids come from one source for every space, so an id never names two locks.
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { AgentRecord } from '../../../shared/agent.js';
import { DevMeshError } from '../../../shared/errors.js';
import {
  LOCK_TTL_RENEWED_MS,
  LOCK_TTL_UNRENEWED_MS,
  type LockChangedEvent,
  type LockCheckResult,
  type LockInfo,
  type LockRequest,
  type LockSpaceSnapshot,
} from '../../../shared/lock.js';
import type { Disposable } from '../base/disposable.js';
import type { LockClock } from './lock-clock.js';
import type { LockGate, LockGatePass } from './lock-gate.js';
import { acquireBatch, BATCH_ROUNDS, GATE_ANSWER_MS, type TryAll } from './lock-batch.js';
import { LockManager } from './lock-manager.js';
import { overlaps, type ResolvedTarget } from './target-overlap.js';
import type { TeammateLock, TeammateLocks } from './teammate-locks.js';

export interface LockSpacesDeps {
  /** a project by id or root (undefined: the only open one); throws PROJECT_NOT_FOUND / PROJECT_AMBIGUOUS */
  projects: { resolve(ref: string | undefined): { id: string; root: string }; idAt(root: string): string | null };
  /** an agent by id or name, or null */
  agents: { find(idOrName: string): AgentRecord | null };
  emit: (event: LockChangedEvent) => void;
  clock?: LockClock;
  graceMs?: number;
  /** ids for new locks, unique across spaces and restarts (default: lock-1, lock-2… for this process) */
  nextLockId?: () => string;
}

export interface LockSpace {
  root: string;
  project: string | null;
  manager: LockManager;
}

export type { TryAll } from './lock-batch.js';

/** a holder that is never an agent: its lock checks see every lock on a path */
const PROBE = '~probe';

export class LockSpaces implements Disposable {
  private readonly spaces = new Map<string, { manager: LockManager; subscription: Disposable }>();
  private readonly nextLockId: () => string;
  private gate: LockGate | null = null;
  private teammates: TeammateLocks | null = null;

  constructor(private readonly deps: LockSpacesDeps) {
    let n = 1;
    this.nextLockId = deps.nextLockId ?? (() => `lock-${n++}`);
  }

  /** The space a call means (see the top of the file). */
  spaceFor(project: string | undefined, holder?: string): LockSpace {
    if (project === undefined && holder !== undefined) {
      const agent = this.deps.agents.find(holder);
      if (agent) return this.at(this.agentRoot(agent));
    }
    return this.at(this.deps.projects.resolve(project).root);
  }

  /** The space at a root (made on first use). */
  at(root: string): LockSpace {
    const key = resolve(root);
    let entry = this.spaces.get(key);
    if (!entry) {
      const { clock, graceMs } = this.deps;
      const manager = new LockManager({ root: key, clock, graceMs, nextLockId: this.nextLockId });
      const subscription = manager.onDidChange((change) =>
        this.deps.emit({
          type: 'lock.changed',
          ts: change.ts,
          root: key,
          project: this.deps.projects.idAt(key),
          change,
        }),
      );
      entry = { manager, subscription };
      this.spaces.set(key, entry);
    }
    return { root: key, project: this.deps.projects.idAt(key), manager: entry.manager };
  }

  /** An agent id for an agent's name (locks are held by ids); anything else unchanged. */
  holderId(holder: string): string {
    return this.deps.agents.find(holder)?.id ?? holder;
  }

  /**
   * A request as a face makes it: the holder by agent id or name (locks are held by ids), a path absolute
   * (in the project or the agent's worktree) or relative to the project root.
   */
  async acquire(project: string | undefined, request: LockRequest): Promise<LockInfo> {
    const holder = this.holderId(request.holder);
    const space = this.spaceFor(project, holder);
    const t = request.target;
    // a path outside the space is left as given: the manager refuses it, naming the root
    const target = t.kind === 'glob' ? t : { ...t, path: this.relativePath(space, holder, t.path) ?? t.path };
    const managed = { ...request, holder, target, freshTtlMs: this.defaultTtl(holder, request.session) };
    const pass = await this.admit(space, managed);
    if (pass === null) return space.manager.acquire(managed);
    try {
      const lock = await space.manager.acquire({ ...managed, waitMs: pass.waitMs });
      pass.pass.granted(lock);
      return lock;
    } catch (err) {
      pass.pass.abandon();
      throw err;
    }
  }

  /**
   * All of `requests` in the space at `root` or none, refused at once on a conflict (a task award's INTENT
   * locks): decided here when no teammate shares the space, else once the gate's round permits them all
   * (lock-batch.ts).
   */
  tryAcquireAll(
    root: string,
    requests: readonly LockRequest[],
    answerMs = GATE_ANSWER_MS,
    roundsLeft = BATCH_ROUNDS,
  ): TryAll | Promise<TryAll> {
    return acquireBatch({ space: this.at(root), gate: () => this.gate, requests, answerMs, roundsLeft });
  }

  /** Plugs in the teammates' permission (the mesh); disposing it unplugs it. */
  useGate(gate: LockGate): Disposable {
    this.gate = gate;
    return { dispose: () => void (this.gate === gate && (this.gate = null)) };
  }

  /** Plugs in the locks teammates' machines hold (presence), which `check` honours; disposing it unplugs it. */
  useTeammateLocks(teammates: TeammateLocks): Disposable {
    this.teammates = teammates;
    return { dispose: () => void (this.teammates === teammates && (this.teammates = null)) };
  }

  /** The gate's pass for a request, with what is left of its wait; null when no gate takes part. */
  private async admit(space: LockSpace, request: LockRequest): Promise<{ pass: LockGatePass; waitMs: number } | null> {
    const gate = this.gate;
    if (gate === null) return null;
    const resolved = space.manager.resolveTarget(request.target);
    // asking again for what it holds only refreshes the lock: the teammates already permitted it
    if (space.manager.holds(request.holder, resolved, request.mode)) return null;
    const waitMs = request.waitMs ?? space.manager.waitMsByDefault;
    const started = Date.now();
    const { root, project } = space;
    const pass = await gate.admit({
      root,
      project,
      holder: request.holder,
      mode: request.mode,
      target: resolved,
      waitMs,
    });
    return pass === null ? null : { pass, waitMs: Math.max(0, waitMs - (Date.now() - started)) };
  }

  /** The lifetime of a lock whose request names none: short when its taker renews it, long when nobody does. */
  defaultTtl(holder: string, session: string | undefined): number {
    if (session !== undefined) return LOCK_TTL_RENEWED_MS;
    const agent = this.deps.agents.find(holder);
    return agent !== null && agent.status !== 'exited' ? LOCK_TTL_RENEWED_MS : LOCK_TTL_UNRENEWED_MS;
  }

  /** Releases one lock; only its holder (by id or name) may. */
  release(project: string | undefined, holderRaw: string, lockId: string): LockInfo {
    const holder = this.holderId(holderRaw);
    return this.spaceFor(project, holder).manager.release(lockId, holder);
  }

  /**
   * Releases every lock of a holder in one space (and drops its queued requests): the holder asked. With a
   * session, only what that session took, in every space unless a project is named (see releaseSession).
   */
  releaseAll(project: string | undefined, holderRaw: string, session?: string): number {
    const holder = this.holderId(holderRaw);
    if (session !== undefined) {
      const managers =
        project === undefined
          ? [...this.spaces.values()].map((s) => s.manager)
          : [this.spaceFor(project, holder).manager];
      const reason = `released by its MCP session ${session}`;
      return managers.reduce((n, m) => n + m.releaseSession(holder, session, reason), 0);
    }
    return this.spaceFor(project, holder).manager.releaseHolder(holder, 'released by its holder');
  }

  /**
   * A path as the space knows it: root-relative. An absolute path inside the agent's worktree maps to the
   * same path under the root; one outside both is null (outside the space: never locked).
   */
  relativePath(space: LockSpace, holder: string, path: string): string | null {
    if (!isAbsolute(path)) return path;
    // Each base as given and as its real path: an editor names files by their real path (process.cwd()),
    // while the project may have been opened through a symlink (and the other way round).
    const bases = [space.root];
    const worktree = this.deps.agents.find(holder)?.worktree;
    if (worktree) bases.unshift(resolve(worktree.path));
    for (const base of bases.flatMap((b) => [b, LockSpaces.realPath(b)])) {
      const rel = relative(base, resolve(path));
      if (rel === '') return '.';
      if (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) return rel.split(sep).join('/');
    }
    return null;
  }

  /**
   * May `holder` change these files now? Refused when another holder holds a lock covering a file, here or on
   * a linked teammate's machine sharing the project, unless both sides hold CO_WRITE (co-writers who opted
   * in). The holder's own locks never stand in its way.
   */
  check(project: string | undefined, holderRaw: string, paths: readonly string[]): LockCheckResult {
    const holder = this.holderId(holderRaw);
    const space = this.spaceFor(project, holder);
    const theirs = this.teammateLocksIn(space);
    type Answer = LockCheckResult['paths'][number];
    const answers = paths.map((path): Answer => {
      const rel = this.relativePath(space, holder, path);
      if (rel === null) return { path, relative: null, allowed: true, blockers: [] };
      let covering;
      try {
        covering = space.manager.blockersOf(PROBE, 'WRITE', { kind: 'file', path: rel });
      } catch (err) {
        // A path the lock manager refuses (a symlink out of the root): not ours to lock, not ours to block.
        if (err instanceof DevMeshError && err.code === 'BAD_REQUEST')
          return { path, relative: null, allowed: true, blockers: [] };
        throw err;
      }
      const others = covering.filter((l) => l.holder !== holder);
      const teammates = LockSpaces.covering(theirs, space, rel);
      const coWriting =
        covering.some((l) => l.holder === holder && l.mode === 'CO_WRITE') &&
        [...others, ...teammates].every((l) => l.mode === 'CO_WRITE');
      const allowed = (others.length === 0 && teammates.length === 0) || coWriting;
      return {
        path,
        relative: rel,
        allowed,
        blockers: allowed ? [] : others,
        ...(allowed || teammates.length === 0 ? {} : { teammates }),
      };
    });
    const refused = answers.filter((a) => !a.allowed);
    return {
      allowed: refused.length === 0,
      root: space.root,
      paths: answers,
      message:
        refused.length === 0
          ? null
          : refused.map((a) => this.describeRefusal(a.relative!, a.blockers, a.teammates ?? [])).join('\n'),
    };
  }

  /** the teammates' locks in a space, resolved as this space resolves targets (one it refuses cannot cover) */
  private teammateLocksIn(space: LockSpace): Array<{ lock: TeammateLock; target: ResolvedTarget }> {
    const held = this.teammates?.heldAt(space.root) ?? [];
    return held.flatMap((lock) => {
      try {
        return [{ lock, target: space.manager.resolveTarget(lock.target) }];
      } catch (err) {
        if (err instanceof DevMeshError && err.code === 'BAD_REQUEST') return []; // outside this clone's root
        throw err;
      }
    });
  }

  private static covering(
    theirs: Array<{ lock: TeammateLock; target: ResolvedTarget }>,
    space: LockSpace,
    rel: string,
  ): TeammateLock[] {
    if (theirs.length === 0) return [];
    const file = space.manager.resolveTarget({ kind: 'file', path: rel });
    return theirs.filter((t) => overlaps(t.target, file)).map((t) => t.lock);
  }

  private describeRefusal(
    rel: string,
    blockers: LockCheckResult['paths'][number]['blockers'],
    teammates: TeammateLock[],
  ): string {
    const target = (t: LockInfo['target']): string => (t.kind === 'glob' ? t.pattern : t.path);
    const who = [
      ...blockers.map((l) => {
        const agent = this.deps.agents.find(l.holder);
        return `${agent ? `${agent.name} (${l.holder})` : l.holder} holds ${l.mode} on ${target(l.target)} (${l.id})`;
      }),
      ...teammates.map((l) => `${l.holderName} on ${l.machine} holds ${l.mode} on ${target(l.target)} (${l.id})`),
    ];
    return `${rel} is locked: ${who.join('; ')}. Wait for the lock to be released, ask the holder (send_message), or work on another file.`;
  }

  list(project?: string): LockSpaceSnapshot[] {
    const only = project === undefined ? null : resolve(this.deps.projects.resolve(project).root);
    return [...this.spaces.keys()]
      .filter((root) => only === null || root === only)
      .map((root) => ({ root, project: this.deps.projects.idAt(root), ...this.spaces.get(root)!.manager.list() }))
      .filter((s) => s.locks.length > 0 || s.waiters.length > 0 || s.root === only);
  }

  /** Every space: its terminal or process exited. */
  releaseHolder(holderRaw: string, reason: string): number {
    const holder = this.holderId(holderRaw);
    let n = 0;
    for (const { manager } of this.spaces.values()) n += manager.releaseHolder(holder, reason);
    return n;
  }

  /** Renews the holder's locks in every space (only those `session` took, when given); returns how many. */
  heartbeat(holderRaw: string, session?: string): number {
    const holder = this.holderId(holderRaw);
    let n = 0;
    for (const { manager } of this.spaces.values()) n += manager.heartbeat(holder, session);
    return n;
  }

  dispose(): void {
    for (const { manager, subscription } of this.spaces.values()) {
      subscription.dispose();
      manager.dispose();
    }
    this.spaces.clear();
  }

  private static realPath(path: string): string {
    try {
      return realpathSync.native(path);
    } catch {
      return path; // a folder that is gone compares as given
    }
  }

  private agentRoot(agent: AgentRecord): string {
    if (agent.worktree) return agent.worktree.repo;
    if (agent.project !== null) {
      try {
        return this.deps.projects.resolve(agent.project).root;
      } catch {
        // the project was closed: the folder it worked in
      }
    }
    try {
      // started by folder: the open project that folder is in (a subfolder too), so its locks and checks
      // meet the project's, not a space of their own
      return this.deps.projects.resolve(agent.cwd).root;
    } catch {
      // in no open project: its folder
    }
    return agent.cwd;
  }
}
