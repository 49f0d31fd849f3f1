// `devmesh db snapshot|restore|reset|ls|publish|pull`: snapshots of the databases DevMesh runs, and
// teammates' published ones. `reset` and `restore` replace a database's data, so they ask first (on a
// terminal) or want --yes. `devmesh db status|psql` are the databases domain's (db-commands.ts); `db` dispatches
// to this file for its subcommands (DB_SNAPSHOT_SUBCOMMANDS).
import { createInterface } from 'node:readline/promises';
import type { PeerSnapshot, SnapshotInfo } from '../../../shared/database.js';
import { SNAPSHOT_NAME_PATTERN } from '../../../shared/database.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { TextTable } from '../text-table.js';
import * as timeText from '../time-text.js';
import { UsageError } from '../usage-error.js';

export const DB_SNAPSHOT_SUBCOMMANDS = ['snapshot', 'restore', 'reset', 'ls', 'publish', 'pull'] as const;

/** asks a yes/no question; null when there is no terminal to ask on */
export type Confirm = ((question: string) => Promise<boolean>) | null;

function terminalConfirm(): Confirm {
  if (process.stdin.isTTY !== true || process.stderr.isTTY !== true) return null;
  return async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
    } finally {
      rl.close();
    }
  };
}

export const DB_SNAPSHOT_USAGE = `       devmesh db snapshot <service> [--name NAME] [--json]
       devmesh db ls [<service>] [--json]
       devmesh db restore <service> <snapshot> [--yes]
       devmesh db reset <service> [--yes]
       devmesh db publish <service> <snapshot> [--off]
       devmesh db pull <teammate>/<service> [<snapshot>] [--no-restore] [--yes] [--json]
       devmesh db ls --peers [--peer TEAMMATE] [--json]

<service> is the database's service (api-db, cache) or the service that owns it (api). A snapshot is the
engine's own dump (pg_dump custom format; redis RDB, sqlite backup, both gzip), kept under
$DEVMESH_HOME/databases/<project>/<service>/snapshots/ with its sha256; the default name is
<service>-<YYYYMMDD-HHMMSS>. restore checks the hash first and keeps the current data if anything fails;
reset empties the database and applies its seed. Both replace data: they ask on a terminal, else need --yes.
publish lets linked teammates pull a snapshot (--off: stop); nothing is published unless you say so.
pull fetches a teammate's published snapshot (their newest for the service unless named) over the mesh,
checks its sha256, keeps it, and restores it (--no-restore: keep it only).

Examples:
  devmesh db snapshot api --name before-migration
  devmesh db restore api before-migration --yes
  devmesh db publish api before-migration
  devmesh db pull ada/api`;

export class DbSnapshotCommands {
  constructor(private readonly confirm: Confirm = terminalConfirm()) {}

  /** `db` on its own (until merged with the databases domain's `db status|psql`) */
  commands(): CliCommand[] {
    return [
      {
        name: 'db',
        summary: 'databases: snapshot, ls, restore, reset, publish, pull',
        usage: `Usage: ${DB_SNAPSHOT_USAGE.trimStart()}`,
        options: DbSnapshotCommands.options,
        positionals: { min: 1, max: 3, name: '<snapshot|ls|restore|reset|publish|pull> ...' },
        run: (ctx, args) => this.run(ctx, args),
      },
    ];
  }

  static readonly options: CliCommand['options'] = {
    project: { type: 'string' },
    name: { type: 'string' },
    yes: { type: 'boolean', short: 'y' },
    off: { type: 'boolean' },
    'no-restore': { type: 'boolean' },
    peers: { type: 'boolean' },
    peer: { type: 'string' },
    json: { type: 'boolean' },
  };

  /** runs `db <sub> …` for a subcommand of DB_SNAPSHOT_SUBCOMMANDS */
  async run(ctx: CliContext, args: CommandArgs): Promise<number> {
    const [sub, first, second] = args.positionals as [string, string?, string?];
    const project = ctx.projectRef(args);
    const scope = project === undefined ? {} : { project };
    switch (sub) {
      case 'snapshot': {
        const service = DbSnapshotCommands.need(first, 'snapshot', '<service>');
        const name = args.string('name');
        if (name !== undefined) DbSnapshotCommands.checkName(name);
        const snap = await ctx.withClient((c) =>
          c.call('databases.snapshot', { ...scope, service, ...(name !== undefined ? { name } : {}) }),
        );
        if (args.flag('json')) ctx.printJson(snap);
        else
          ctx.print(
            `Snapshot ${snap.name} of ${snap.service}: ${DbSnapshotCommands.size(snap.sizeBytes)}, ${snap.format}. ` +
              `Restore it with \`devmesh db restore ${snap.service} ${snap.name}\`.`,
          );
        return EXIT.ok;
      }
      case 'ls':
        return args.flag('peers') || args.string('peer') !== undefined
          ? this.peerList(ctx, args, scope)
          : this.list(ctx, args, scope, first);
      case 'restore': {
        const service = DbSnapshotCommands.need(first, 'restore', '<service>');
        const name = DbSnapshotCommands.need(second, 'restore', '<snapshot>');
        DbSnapshotCommands.checkName(name);
        if (!(await this.confirmed(args, `Replace the data of ${service} with snapshot ${name}?`))) return EXIT.error;
        const info = await ctx.withClient((c) => c.call('databases.restore', { ...scope, service, name }));
        if (args.flag('json')) ctx.printJson(info);
        else ctx.print(`Restored ${info.service} from snapshot ${name}.`);
        return EXIT.ok;
      }
      case 'reset': {
        const service = DbSnapshotCommands.need(first, 'reset', '<service>');
        if (!(await this.confirmed(args, `Empty ${service} and seed it again? Its data is lost.`))) return EXIT.error;
        const info = await ctx.withClient((c) => c.call('databases.reset', { ...scope, service }));
        if (args.flag('json')) ctx.printJson(info);
        else ctx.print(`Reset ${info.service}: emptied and seeded again.`);
        return EXIT.ok;
      }
      case 'publish': {
        const service = DbSnapshotCommands.need(first, 'publish', '<service>');
        const name = DbSnapshotCommands.need(second, 'publish', '<snapshot>');
        DbSnapshotCommands.checkName(name);
        const published = !args.flag('off');
        const snap = await ctx.withClient((c) => c.call('databases.publish', { ...scope, service, name, published }));
        if (args.flag('json')) ctx.printJson(snap);
        else
          ctx.print(
            published
              ? `Published ${snap.name} of ${snap.service}: linked teammates can pull it ` +
                  `(\`devmesh db pull <you>/${snap.service} ${snap.name}\`). Stop with --off.`
              : `Unpublished ${snap.name} of ${snap.service}: teammates can no longer pull it.`,
          );
        return EXIT.ok;
      }
      case 'pull':
        return this.pull(ctx, args, scope, first, second);
      default:
        throw new UsageError(
          `'db ${sub}' is not a db command: use ${DB_SNAPSHOT_SUBCOMMANDS.join(', ')} (devmesh db --help)`,
          'db',
        );
    }
  }

  private async list(ctx: CliContext, args: CommandArgs, scope: { project?: string }, service?: string) {
    const list = await ctx.withClient((c) =>
      c.call('databases.snapshots', { ...scope, ...(service !== undefined ? { service } : {}) }),
    );
    if (args.flag('json')) ctx.printJson(list);
    else if (list.length === 0)
      ctx.print(
        `No snapshots${service !== undefined ? ` of ${service}` : ''}. Take one with \`devmesh db snapshot <service>\`.`,
      );
    else ctx.print(DbSnapshotCommands.table(list));
    return EXIT.ok;
  }

  private async peerList(ctx: CliContext, args: CommandArgs, scope: { project?: string }) {
    const peer = args.string('peer');
    const list = await ctx.withClient((c) =>
      c.call('databases.peerSnapshots', { ...scope, ...(peer !== undefined ? { peer } : {}) }),
    );
    if (args.flag('json')) ctx.printJson(list);
    else if (list.length === 0)
      ctx.print('No teammate has published a snapshot (they publish with `devmesh db publish`).');
    else ctx.print(DbSnapshotCommands.table(list));
    return EXIT.ok;
  }

  private async pull(
    ctx: CliContext,
    args: CommandArgs,
    scope: { project?: string },
    target: string | undefined,
    name: string | undefined,
  ): Promise<number> {
    const where = DbSnapshotCommands.need(target, 'pull', '<teammate>/<service>');
    const slash = where.indexOf('/');
    if (slash <= 0 || slash === where.length - 1)
      throw new UsageError(`'db pull' wants <teammate>/<service>, e.g. ada/api, not '${where}'`, 'db');
    const [peer, service] = [where.slice(0, slash), where.slice(slash + 1)];
    if (name !== undefined) DbSnapshotCommands.checkName(name);
    const restore = !args.flag('no-restore');
    if (restore && !(await this.confirmed(args, `Replace the data of ${service} with ${peer}'s snapshot?`)))
      return EXIT.error;
    const result = await ctx.withClient((c) =>
      c.call('databases.pull', { ...scope, peer, service, restore, ...(name !== undefined ? { name } : {}) }),
    );
    if (args.flag('json')) ctx.printJson(result);
    else {
      const s = result.snapshot;
      ctx.print(
        `Pulled ${s.name} of ${s.service} from ${peer} (${DbSnapshotCommands.size(s.sizeBytes)}, sha256 checked)` +
          (result.restored !== null
            ? ' and restored it.'
            : `; restore it with \`devmesh db restore ${s.service} ${s.name}\`.`),
      );
    }
    return EXIT.ok;
  }

  private async confirmed(args: CommandArgs, question: string): Promise<boolean> {
    if (args.flag('yes')) return true;
    if (this.confirm === null)
      throw new UsageError(`${question.replace(/\?.*$/, '')}: this replaces data; add --yes to go ahead`, 'db');
    return this.confirm(question);
  }

  static table(list: (SnapshotInfo | PeerSnapshot)[]): string {
    const peers = list.some((s) => 'peer' in s);
    const table = new TextTable([
      ...(peers ? ['TEAMMATE'] : []),
      'SERVICE',
      'NAME',
      'CREATED',
      'SIZE',
      'FORMAT',
      'PUBLISHED',
      'FROM',
    ]);
    for (const s of list)
      table.add([
        ...(peers ? [(s as PeerSnapshot).peer] : []),
        s.service,
        s.name,
        timeText.clock(s.createdAt),
        DbSnapshotCommands.size(s.sizeBytes),
        s.format,
        s.published ? 'yes' : 'no',
        s.source ?? '-',
      ]);
    return table.render();
  }

  static size(bytes: number): string {
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
    if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
  }

  private static need(value: string | undefined, sub: string, what: string): string {
    if (value === undefined || value === '')
      throw new UsageError(`'db ${sub}' needs ${what} (devmesh db --help)`, 'db');
    return value;
  }

  private static checkName(name: string): void {
    if (!SNAPSHOT_NAME_PATTERN.test(name))
      throw new UsageError(
        `'${name}' is not a snapshot name: letters, digits, '.', '_' and '-', at most 64, not starting with a dot`,
        'db',
      );
  }
}
