// `devmesh status | start | stop | restart | run`: what the services do, and making them do something else.
import { sep } from 'node:path';
import { RUNNING_STATES } from '../../../shared/service-states.js';
import type { ProjectInfo, ServiceInfo } from '../../../shared/service.js';
import { DevMeshError } from '../../../shared/devmesh-error.js';
import type { ApiClient } from '../api-client.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { LogFormatter } from '../log-formatter.js';
import { SignalTrap } from '../signal-trap.js';
import { StatusView, type StatusReport } from '../status-view.js';
import { UsageError } from '../usage-error.js';

/** A start that waits for health answers when the service's own start timeout expires; this only bounds a lost daemon. */
const WAIT_CALL_TIMEOUT_MS = 15 * 60_000;
type Action = 'start' | 'stop' | 'restart';

const PROJECT_OPTION = { project: { type: 'string' } } as const;
const WORKTREE_OPTION = { worktree: { type: 'string' } } as const;
const WORKTREE_HELP = `  --worktree W  the project's copy in a git worktree (opened when it is not): an agent, a
                branch, or a path (\`.\` from inside the worktree); its services answer at
                <service>.<branch>.localhost`;

export class ServiceCommands {
  commands(): CliCommand[] {
    return [
      {
        name: 'status',
        summary: 'show the services of the open projects',
        usage: `Usage: devmesh status [--project P] [--all] [--json]

Shows every service: SERVICE VERSION STATE PORT PID UPTIME RESTARTS, then why any crashed or unhealthy
service is in that state. Without --project, shows every open project. --all adds the projects' copies in
git worktrees, each after its main checkout with its branch, agent and URLs. Above the table: DevMesh's own
problems (a store on a full disk: what fails, where, how to fix it, what happens meanwhile), and a
devmesh.yaml whose last edit is invalid (the last valid config keeps running).

Options:
  --project P   a project id or folder
  --all         group by worktree: each main checkout, then its worktrees' copies
  --json        print { health, projects, services } as JSON (health as \`daemon.health\` answers)`,
        options: { ...PROJECT_OPTION, all: { type: 'boolean' }, json: { type: 'boolean' } },
        positionals: { min: 0, max: 0, name: '' },
        run: (ctx, args) => this.status(ctx, args),
      },
      this.actionCommand('start'),
      this.actionCommand('stop'),
      this.actionCommand('restart'),
      {
        name: 'run',
        summary: 'start a service (with its dependencies) and follow its logs; Ctrl-C stops it',
        usage: `Usage: devmesh run <service> [--project P] [--worktree W]

Starts the service (and what it depends on) and prints its log lines as they come. Ctrl-C stops the
service (its dependencies keep running) and exits.

${WORKTREE_HELP}`,
        options: { ...PROJECT_OPTION, ...WORKTREE_OPTION },
        positionals: { min: 1, max: 1, name: '<service>' },
        run: (ctx, args) => this.run(ctx, args),
      },
    ];
  }

  private actionCommand(action: Action): CliCommand {
    const waits = action !== 'stop';
    const what = { start: 'starts', stop: 'stops', restart: 'restarts' }[action];
    return {
      name: action,
      summary: `${action} services`,
      usage: `Usage: devmesh ${action} <service>... [--project P] [--worktree W]${waits ? ' [--no-wait]' : ''}
       devmesh ${action} --all [--project P] [--worktree W]${waits ? ' [--no-wait]' : ''}

${what[0]!.toUpperCase()}${what.slice(1)} the named services${action === 'stop' ? ' (what depends on them keeps running)' : ' (and what they depend on)'}.${
        waits ? '\nWaits until each is healthy, or says why it is not.' : ''
      }

Options:
  --all         every service of the project
  --project P   a project id or folder
${WORKTREE_HELP}${waits ? '\n  --no-wait     answer at once instead of waiting until healthy' : ''}`,
      options: {
        ...PROJECT_OPTION,
        ...WORKTREE_OPTION,
        all: { type: 'boolean' },
        ...(waits ? { 'no-wait': { type: 'boolean' } } : {}),
      },
      positionals: { min: 0, max: 64, name: '<service>...' },
      run: (ctx, args) => this.act(ctx, args, action),
    };
  }

  private status(ctx: CliContext, args: CommandArgs): Promise<number> {
    const ref = ctx.projectRef(args);
    const all = args.flag('all');
    return ctx.withClient(async (client) => {
      // One round trip: the services are asked for beside the project list. Without --project that is the
      // only open project's; with several open, that call is refused and each is asked for by its id.
      const [projects, health, listed] = await Promise.all([
        client.call('projects.list', {}),
        client.call('daemon.health', {}),
        ref === undefined
          ? ServiceCommands.servicesOfOnlyProject(client)
          : client.call('services.list', { project: ref }),
      ]);
      const mains = projects.filter((p) => !p.worktree);
      let shown: ProjectInfo[];
      let services: ServiceInfo[];
      if (ref === undefined) {
        shown = all ? ServiceCommands.byWorktree(projects) : mains;
        services =
          shown.length === 1 && listed && listed.every((s) => s.project === shown[0]!.id)
            ? listed
            : (await Promise.all(shown.map((p) => client.call('services.list', { project: p.id })))).flat();
      } else {
        // The daemon resolves the reference (an id, or a path inside a project) and refuses an unknown one.
        services = listed!;
        const project = projects.find((p) => p.id === services[0]?.project) ?? ServiceCommands.projectAt(ref, projects);
        shown = project ? [project] : [];
      }
      const git = await ServiceCommands.gitOf(client, shown);
      const copies = shown.filter((p) => p.worktree);
      const report: StatusReport = {
        health,
        projects: shown.map(({ id, root, configPath, configError, identity, worktree }) => ({
          id,
          root,
          configPath,
          configError,
          ...(identity ? { identity } : {}),
          ...(worktree ? { worktree } : {}),
        })),
        services,
        ...(git ? { git } : {}),
        ...(copies.length ? await ServiceCommands.copiesOf(client, copies) : {}),
        ...(ref === undefined && !all && projects.length > mains.length
          ? { hiddenCopies: projects.length - mains.length }
          : {}),
      };
      if (args.flag('json')) ctx.printJson(report);
      else ctx.print(new StatusView().report(report));
      return EXIT.ok;
    });
  }

  /** Each main checkout, then its worktrees' copies by branch; then copies of a project no longer open. */
  private static byWorktree(projects: ProjectInfo[]): ProjectInfo[] {
    const copies = projects
      .filter((p) => p.worktree)
      .sort((a, b) => a.worktree!.branch.localeCompare(b.worktree!.branch));
    const mains = projects.filter((p) => !p.worktree);
    const ordered = mains.flatMap((m) => [m, ...copies.filter((c) => c.worktree!.of === m.id)]);
    return [...ordered, ...copies.filter((c) => !ordered.includes(c))];
  }

  /** Where each copy's services answer (`proxy.routes`), and the names of the agents working in them. */
  private static async copiesOf(
    client: ApiClient,
    copies: ProjectInfo[],
  ): Promise<Pick<StatusReport, 'urls' | 'agents'>> {
    const [routes, agents] = await Promise.all([
      Promise.all(copies.map((c) => client.call('proxy.routes', { project: c.id }))),
      client.call('agents.list', {}),
    ]);
    const urls = Object.fromEntries(
      copies.map((c, i) => [c.id, routes[i]!.map((r) => ({ service: r.service, url: r.urls[0] ?? r.hosts[0]! }))]),
    );
    return { urls, agents: Object.fromEntries(agents.map((a) => [a.id, a.name])) };
  }

  /** Each shown project's git status (`projects.git`); null from a daemon that does not know the call. */
  private static async gitOf(client: ApiClient, projects: ProjectInfo[]): Promise<StatusReport['git'] | null> {
    try {
      const all = await Promise.all(projects.map((p) => client.call('projects.git', { project: p.id })));
      return Object.fromEntries(projects.map((p, i) => [p.id, all[i]!]));
    } catch (err) {
      if (err instanceof DevMeshError && err.code === 'UNKNOWN_METHOD') return null;
      throw err;
    }
  }

  /** `services.list` without a project: the only open project's services, or null when it is refused. */
  private static servicesOfOnlyProject(client: ApiClient): Promise<ServiceInfo[] | null> {
    return client.call('services.list', {}).catch((err: unknown) => {
      const code = err instanceof DevMeshError ? err.code : null;
      if (code === 'PROJECT_AMBIGUOUS' || code === 'PROJECT_NOT_FOUND') return null;
      throw err;
    });
  }

  /** The project a reference names when it has no services to tell: by id, root, file, or a path inside. */
  private static projectAt(ref: string, projects: ProjectInfo[]): ProjectInfo | undefined {
    const inside = (p: ProjectInfo) =>
      ref === p.id || ref === p.root || ref === p.configPath || ref.startsWith(p.root + sep);
    return projects.filter(inside).sort((a, b) => b.root.length - a.root.length)[0];
  }

  private async act(ctx: CliContext, args: CommandArgs, action: Action): Promise<number> {
    const names = args.positionals;
    const all = args.flag('all');
    if (all && names.length > 0) throw new UsageError(`give either service names or --all, not both`, action);
    if (!all && names.length === 0) throw new UsageError(`name the services to ${action} (or --all)`, action);
    const wait = action !== 'stop' && !args.flag('no-wait');
    const timeoutMs = wait ? WAIT_CALL_TIMEOUT_MS : undefined;
    return ctx.withClient(async (client) => {
      const project = await ServiceCommands.projectOf(ctx, client, args);
      if (all) {
        const infos = await this.actOnAll(client, action, project, wait, timeoutMs);
        for (const info of infos) ctx.print(ServiceCommands.describe(info));
        return infos.some((i) => wait && i.state !== 'healthy') ? EXIT.error : EXIT.ok;
      }
      let failed = 0;
      for (const name of names) {
        try {
          const info =
            action === 'stop'
              ? await client.call('services.stop', { project, name })
              : await client.call(
                  action === 'start' ? 'services.start' : 'services.restart',
                  { project, name, wait },
                  { timeoutMs },
                );
          ctx.print(ServiceCommands.describe(info));
          if (wait && info.state !== 'healthy') failed++;
        } catch (err) {
          if (!(err instanceof DevMeshError) || err.code === 'DAEMON_NOT_RUNNING' || err.code === 'SHUTTING_DOWN')
            throw err;
          ctx.warn(`devmesh: ${err.message}`);
          failed++;
        }
      }
      return failed ? EXIT.error : EXIT.ok;
    });
  }

  private async actOnAll(
    client: ApiClient,
    action: Action,
    project: string | undefined,
    wait: boolean,
    timeoutMs: number | undefined,
  ): Promise<ServiceInfo[]> {
    if (action === 'start') return client.call('services.startAll', { project, wait }, { timeoutMs });
    if (action === 'stop') return client.call('services.stopAll', { project });
    await client.call('services.stopAll', { project });
    return client.call('services.startAll', { project, wait }, { timeoutMs });
  }

  private async run(ctx: CliContext, args: CommandArgs): Promise<number> {
    const name = args.positionals[0]!;
    const client = await ctx.connect();
    const project = await ServiceCommands.projectOf(ctx, client, args).catch(async (err: unknown) => {
      await client.close();
      throw err;
    });
    const formatter = new LogFormatter({ color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR });
    let trap: SignalTrap | null = null;
    try {
      const ended = new Promise<number>((resolve) => {
        client.onDidClose((err) => {
          ctx.warn(`devmesh: ${err.message}`);
          resolve(EXIT.error);
        });
        trap = new SignalTrap((_signal, count) => {
          if (count > 1) return resolve(130);
          ctx.warn(`devmesh: stopping ${name}...`);
          client.call('services.stop', { project, name }).then(
            (info) => {
              ctx.warn(`devmesh: ${ServiceCommands.describe(info)}`);
              resolve(EXIT.ok);
            },
            (err: unknown) => {
              ctx.warn(`devmesh: could not stop ${name}: ${(err as Error).message}`);
              resolve(EXIT.error);
            },
          );
        });
      });
      // Subscribed before the start, so the first lines of the new process are not missed.
      await client.subscribe('logs', { project, name }, (line) => ctx.print(formatter.format(line)));
      await client.call('services.start', { project, name, wait: false });
      ctx.warn(`devmesh: running ${name}; Ctrl-C stops it`);
      return await ended;
    } finally {
      (trap as SignalTrap | null)?.dispose();
      await client.close();
    }
  }

  /**
   * The project a command acts on: `--project`, or with `--worktree` that project's copy in the worktree (opened
   * when it is not: an agent starting its copy's services needs no other step), announced with its URLs.
   */
  private static async projectOf(ctx: CliContext, client: ApiClient, args: CommandArgs): Promise<string | undefined> {
    const project = ctx.projectRef(args);
    const worktree = args.string('worktree');
    if (worktree === undefined || worktree === '') return project;
    // `feature/x` is a branch: only `.`, `..` and what starts with them or `/` is a path
    const path = /^(\.\.?)(\/|$)|^\//.test(worktree);
    const copy = await client.call('projects.openWorktree', {
      ...(project !== undefined ? { project } : {}),
      worktree: path ? ctx.absolute(worktree) : worktree,
    });
    ctx.warn(`devmesh: worktree ${copy.worktree?.branch ?? worktree}: project ${copy.id}`);
    return copy.id;
  }

  private static describe(info: ServiceInfo): string {
    const running = RUNNING_STATES.includes(info.state);
    const where = running
      ? [info.port !== null ? `port ${info.port}` : null, info.pid !== null ? `pid ${info.pid}` : null].filter(Boolean)
      : [];
    const why = info.reason && info.state !== 'healthy' && info.state !== 'starting' ? `: ${info.reason}` : '';
    return `${info.name}: ${info.state}${where.length ? ` (${where.join(', ')})` : ''}${why}`;
  }
}
