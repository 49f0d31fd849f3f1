// `devmesh locks [take|renew|release]`: the file locks agents (and people) hold in each lock space (a project
// root), who waits for what behind whom, and a human's way to take, renew or give back a lock by hand. A lock
// taken here has the lifetime the UI gives (LOCK_TTL_UNRENEWED_MS, nothing renews it), said at take time.
// `devmesh locks --all`: the locks held on every machine of the mesh in one table (team.locks).
import type { AgentRecord } from '../../../shared/agent.js';
import { DevMeshError } from '../../../shared/errors.js';
import {
  LOCK_MODES,
  LOCK_TTL_MAX_MS,
  LOCK_TTL_MIN_MS,
  LOCK_TTL_UNRENEWED_MS,
  LOCK_WAIT_MAX_MS,
  LockHolderSchema,
  type LockInfo,
  type LockMode,
  type LockSpaceSnapshot,
  type LockTarget,
} from '../../../shared/lock.js';
import type { TeamLock, TeamLocks } from '../../../shared/team.js';
import type { ApiClient } from '../api-client.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { TextTable } from '../text-table.js';
import * as timeText from '../time-text.js';
import { UsageError } from '../usage-error.js';

const ACTIONS = ['ls', 'take', 'renew', 'release'] as const;
const KINDS = ['file', 'dir', 'glob'] as const;
/** the wait is the daemon's; the call must outlive it */
const CALL_MARGIN_MS = 15_000;

export class LockCommands {
  commands(): CliCommand[] {
    return [
      {
        name: 'locks',
        summary: 'file locks between agents: who holds what, who waits; take, renew or release one by hand',
        usage: `Usage: devmesh locks [ls] [--project P] [--json]
       devmesh locks [ls] --all [--json]
       devmesh locks take <path> [--mode WRITE] [--kind file|dir|glob] [--ttl 10m] [--wait 30s] [--as HOLDER] [--project P] [--json]
       devmesh locks renew [--as HOLDER]
       devmesh locks release <lock-id> [--as HOLDER] [--project P]
       devmesh locks release --all [--as HOLDER] [--project P]

Agents lock the files they work on so two of them never edit the same file at once. A lock space is a
project root (agents in its git worktrees share it). \`devmesh locks\` lists every space: held locks with
their holder (agents by name), age and time to expiry, then the requests waiting and whom they wait behind.
\`devmesh locks --all\` lists the locks held on every machine of the mesh (this one's and teammates', as their
presence last told them) with a MACHINE column; a machine that is unreachable shows as \`(last seen)\`: its
locks may be gone. A teammate's lock on a project you share is honoured here too: taking a conflicting lock
is refused, and so is an agent's edit of a file it covers, naming the holder and its machine.

Modes: READ (shared), INTENT (announces a write; readers still admitted), WRITE (exclusive, the default),
CO_WRITE (shared among co-writers). Paths and patterns are relative to the project root (or absolute
inside it). --kind: file (default), dir (the folder and all under it), glob (a pattern such as src/**/*.ts;
the default when the path holds * ? [ or {). --wait: how long to queue when someone else holds it (default:
refuse at once, naming the holder). A lock is held by HOLDER: \`user\` (you) unless --as names another,
such as an agent's id.

How long a lock lives: nothing renews a lock you take by hand, so it lasts ${timeText.span(LOCK_TTL_UNRENEWED_MS)} (as in the UI) unless
--ttl says otherwise (${timeText.span(LOCK_TTL_MIN_MS)} to ${timeText.span(LOCK_TTL_MAX_MS)}); \`take\` says until when. \`devmesh locks renew\` starts the lifetime
of every lock of HOLDER again (so does taking the same lock again). A lock taken in the name of an agent
DevMesh runs is renewed while the agent runs and released when it exits; an agent's MCP session renews the
locks it takes and releases them when it ends.

Examples:
  devmesh locks
  devmesh locks --all
  devmesh locks take src/auth/login.ts
  devmesh locks take src/auth --kind dir --ttl 30m --wait 1m
  devmesh locks take 'docs/**/*.md' --mode INTENT
  devmesh locks renew
  devmesh locks release lock-3-7 --as agent-k2j4m8q1zz
  devmesh locks release --all`,
        options: {
          project: { type: 'string' },
          json: { type: 'boolean' },
          mode: { type: 'string' },
          kind: { type: 'string' },
          ttl: { type: 'string' },
          wait: { type: 'string' },
          as: { type: 'string' },
          all: { type: 'boolean' },
        },
        positionals: { min: 0, max: 2, name: '[ls|take|renew|release] [path|lock-id]' },
        run: (ctx, args) => this.locks(ctx, args),
      },
    ];
  }

  private async locks(ctx: CliContext, args: CommandArgs): Promise<number> {
    const [action = 'ls', arg] = args.positionals;
    if (!(ACTIONS as readonly string[]).includes(action))
      throw new UsageError(`unknown action '${action}': use ${ACTIONS.join(', ')}`, 'locks');
    const project = ctx.projectRef(args);
    if (action === 'ls') {
      if (arg !== undefined) throw new UsageError(`'locks ls' takes no arguments (got '${arg}')`, 'locks');
      if (args.flag('all')) {
        if (project !== undefined)
          throw new UsageError(`--all lists every machine's locks; drop --project (or drop --all)`, 'locks');
        return this.listAll(ctx, args);
      }
      return this.list(ctx, args, project);
    }
    const holder = LockCommands.holder(args.string('as'));
    if (action === 'renew') {
      if (arg !== undefined)
        throw new UsageError(
          `'locks renew' renews every lock of the holder; it takes no arguments (got '${arg}')`,
          'locks',
        );
      const { locks } = await ctx.withClient((c) => c.call('locks.heartbeat', { holder }));
      const what =
        locks === 0
          ? ` (${holder} holds none; see \`devmesh locks\`)`
          : ': each lives its full lifetime again from now';
      ctx.print(`Renewed ${locks} lock${locks === 1 ? '' : 's'} of ${holder}${what}.`);
      return EXIT.ok;
    }
    if (action === 'take') {
      if (arg === undefined)
        throw new UsageError(`'locks take' needs a path or pattern: devmesh locks take src/app.ts`, 'locks');
      return this.take(ctx, args, arg, holder, project);
    }
    if (args.flag('all')) {
      if (arg !== undefined) throw new UsageError(`give a lock id or --all, not both`, 'locks');
      const { released } = await ctx.withClient((c) =>
        c.call('locks.releaseAll', { holder, ...(project ? { project } : {}) }),
      );
      ctx.print(
        `Released ${released} lock${released === 1 ? '' : 's'} of ${holder}${released === 0 ? ` (${holder} held none here; see \`devmesh locks\`)` : ''}.`,
      );
      return EXIT.ok;
    }
    if (arg === undefined)
      throw new UsageError(`'locks release' needs a lock id (see \`devmesh locks\`) or --all`, 'locks');
    const lock = await ctx
      .withClient((c) => c.call('locks.release', { holder, lockId: arg, ...(project ? { project } : {}) }))
      .catch((err: unknown) => {
        // Someone else's lock: say how to release it in their name.
        if (err instanceof DevMeshError && err.code === 'CONFLICT')
          throw new DevMeshError(
            err.code,
            `${err.message} (release it as its holder: devmesh locks release ${arg} --as <holder>)`,
            err.details,
          );
        throw err;
      });
    ctx.print(
      `Released ${lock.id}: ${lock.mode} on ${LockCommands.target(lock.target)}, held by ${lock.holder} for ${timeText.span(Date.now() - lock.acquiredAt)}.`,
    );
    return EXIT.ok;
  }

  private async list(ctx: CliContext, args: CommandArgs, project: string | undefined): Promise<number> {
    const [spaces, agents] = await ctx.withClient(
      async (c) =>
        [await c.call('locks.list', { ...(project ? { project } : {}) }), await LockCommands.agents(c)] as const,
    );
    if (args.flag('json')) {
      ctx.printJson(spaces);
      return EXIT.ok;
    }
    if (spaces.length === 0) {
      ctx.print('No lock space yet: locks live per open project. Take one with `devmesh locks take <path>`.');
      return EXIT.ok;
    }
    ctx.print(spaces.map((s) => LockCommands.render(s, agents, Date.now())).join('\n\n'));
    return EXIT.ok;
  }

  private async listAll(ctx: CliContext, args: CommandArgs): Promise<number> {
    const listed = await ctx.withClient((c) => c.call('team.locks', {}));
    if (args.flag('json')) ctx.printJson(listed);
    else ctx.print(LockCommands.teamTable(listed, Date.now()));
    return EXIT.ok;
  }

  /** every machine's locks in one table (this machine's first), then what teammates held beyond their lists */
  static teamTable(listed: TeamLocks, now: number): string {
    if (listed.locks.length === 0 && listed.leftOff.length === 0)
      return 'No locks held on any machine of the mesh. Take one with `devmesh locks take <path>`.';
    const table = new TextTable(['MACHINE', 'PROJECT', 'TARGET', 'KIND', 'MODE', 'HOLDER', 'AGE', 'LOCK', 'NOTE']);
    const order = (l: TeamLock): number => (l.local ? 0 : l.reachable ? 1 : 2);
    const sorted = [...listed.locks].sort(
      (a, b) => order(a) - order(b) || a.machine.localeCompare(b.machine) || a.acquiredAt - b.acquiredAt,
    );
    for (const l of sorted)
      table.add([
        l.reachable ? l.machine : `${l.machine} (last seen)`,
        l.project,
        LockCommands.target(l.target),
        l.target.kind,
        l.mode,
        l.holderName === l.holder ? l.holder : l.holderName,
        timeText.span(now - l.acquiredAt),
        l.id,
        l.partitioned.length > 0 ? `granted while ${l.partitioned.join(', ')} unreachable` : null,
      ]);
    const lines = [table.render()];
    for (const cut of listed.leftOff)
      lines.push(`${cut.machine} holds ${cut.count} more lock${cut.count === 1 ? '' : 's'} than its presence lists.`);
    return lines.join('\n');
  }

  private async take(
    ctx: CliContext,
    args: CommandArgs,
    path: string,
    holder: string,
    project: string | undefined,
  ): Promise<number> {
    const rawMode = (args.string('mode') ?? 'WRITE').toUpperCase();
    if (!(LOCK_MODES as readonly string[]).includes(rawMode))
      throw new UsageError(`--mode must be one of ${LOCK_MODES.join(', ')}, not '${args.string('mode')}'`, 'locks');
    const rawKind = args.string('kind') ?? (/[*?[{]/.test(path) ? 'glob' : 'file');
    if (!(KINDS as readonly string[]).includes(rawKind))
      throw new UsageError(`--kind must be one of ${KINDS.join(', ')}, not '${rawKind}'`, 'locks');
    const target: LockTarget =
      rawKind === 'glob' ? { kind: 'glob', pattern: path } : { kind: rawKind as 'file' | 'dir', path };
    const ttlMs = timeText.duration('locks', 'ttl', args.string('ttl'), { min: LOCK_TTL_MIN_MS, max: LOCK_TTL_MAX_MS });
    const waitMs = timeText.duration('locks', 'wait', args.string('wait'), { min: 0, max: LOCK_WAIT_MAX_MS }) ?? 0;
    const input = {
      holder,
      mode: rawMode as LockMode,
      target,
      waitMs,
      ...(ttlMs !== undefined ? { ttlMs } : {}),
      ...(project ? { project } : {}),
    };
    let lock: LockInfo;
    let agents: Map<string, { name: string; running: boolean }>;
    try {
      [lock, agents] = await ctx.withClient(
        async (c) =>
          [
            await c.call('locks.acquire', input, { timeoutMs: waitMs + CALL_MARGIN_MS }),
            await LockCommands.agentStates(c),
          ] as const,
      );
    } catch (err) {
      // The daemon's refusal names the holders; say where to look next.
      if (err instanceof DevMeshError && (err.code === 'CONFLICT' || err.code === 'TIMEOUT')) {
        throw new DevMeshError(
          err.code,
          `${err.message}${waitMs === 0 ? '. Queue for it with --wait 1m' : ''}; see who holds what with \`devmesh locks\``,
          err.details,
        );
      }
      throw err;
    }
    if (args.flag('json')) ctx.printJson(lock);
    else {
      const agent = agents.get(lock.holder);
      const as = holder === 'user' ? '' : ` --as ${holder}`;
      ctx.print(
        `Locked ${LockCommands.target(lock.target)} (${lock.mode}) for ${agent?.name ?? lock.holder}: ${lock.id}.`,
      );
      if (agent?.running) {
        ctx.print(`DevMesh renews it while ${agent.name} runs and releases it when ${agent.name} exits.`);
      } else {
        const until = LockCommands.until(lock.expiresAt, Date.now());
        ctx.print(
          `It lasts ${timeText.span(lock.ttlMs)}, until ${until}; nothing renews it. Renew it with \`devmesh locks renew${as}\`,`,
        );
        ctx.print(`or take it with another lifetime: --ttl 4h (at most ${timeText.span(LOCK_TTL_MAX_MS)}).`);
      }
      ctx.print(`Release it with: devmesh locks release ${lock.id}${as}`);
    }
    return EXIT.ok;
  }

  /** `15:42` today, else `2026-11-30 15:42` */
  private static until(ts: number, now: number): string {
    const at = timeText.clock(ts);
    return at.slice(0, 10) === timeText.clock(now).slice(0, 10) ? at.slice(11, 16) : at.slice(0, 16);
  }

  /** agent id → name and whether it runs (DevMesh renews a running agent's locks) */
  private static async agentStates(client: ApiClient): Promise<Map<string, { name: string; running: boolean }>> {
    const list: AgentRecord[] = await client.call('agents.list', {});
    return new Map(list.map((a) => [a.id, { name: a.name, running: a.status !== 'exited' }]));
  }

  /** One lock space: its held locks, then its waiters. Agents show by name; others (`user`) as they are. */
  static render(space: LockSpaceSnapshot, agents: Map<string, string>, now: number): string {
    const who = (holder: string): string => agents.get(holder) ?? holder;
    const header = `${space.root}${space.project !== null && space.project !== space.root ? ` (project ${space.project})` : ''}`;
    const lines = [header];
    if (space.locks.length === 0) lines.push('  no locks held');
    else {
      const table = new TextTable(['LOCK', 'TARGET', 'KIND', 'MODE', 'HOLDER', 'AGE', 'EXPIRES IN']);
      const sorted = [...space.locks].sort((a, b) => a.acquiredAt - b.acquiredAt);
      for (const l of sorted)
        table.add([
          l.id,
          LockCommands.target(l.target),
          l.target.kind,
          l.mode,
          who(l.holder),
          timeText.span(now - l.acquiredAt),
          LockCommands.expiry(l.expiresAt - now),
        ]);
      lines.push(LockCommands.indent(table.render()));
    }
    if (space.waiters.length > 0) {
      lines.push('', `  waiting (${space.waiters.length}):`);
      const table = new TextTable(['WAITER', 'WANTS', 'TARGET', 'BEHIND', 'WAITED', 'GIVES UP IN']);
      for (const w of [...space.waiters].sort((a, b) => a.enqueuedAt - b.enqueuedAt)) {
        table.add([
          who(w.holder),
          `${w.mode}${w.upgrade ? ' (upgrade)' : ''}`,
          LockCommands.target(w.target),
          w.blockedBy.map(who).join(', '),
          timeText.span(now - w.enqueuedAt),
          timeText.span(w.deadline - now),
        ]);
      }
      lines.push(LockCommands.indent(table.render()));
    }
    return lines.join('\n');
  }

  static target(target: LockTarget): string {
    if (target.kind === 'glob') return target.pattern;
    return target.kind === 'dir' && !target.path.endsWith('/') ? `${target.path}/` : target.path;
  }

  /** agent id → name, to show holders as people know them */
  static async agents(client: ApiClient): Promise<Map<string, string>> {
    const list: AgentRecord[] = await client.call('agents.list', {});
    return new Map(list.map((a) => [a.id, a.name]));
  }

  private static holder(raw: string | undefined): string {
    const holder = raw ?? 'user';
    const parsed = LockHolderSchema.safeParse(holder);
    if (!parsed.success)
      throw new UsageError(
        `--as '${holder}' is not a lock holder: use an agent id (agent-…), or a name of letters, digits, . _ : @ -`,
        'locks',
      );
    return holder;
  }

  private static expiry(ms: number): string {
    return ms >= 0 ? timeText.span(ms) : `overdue ${timeText.span(-ms)}`;
  }

  private static indent(text: string): string {
    return text
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n');
  }
}
