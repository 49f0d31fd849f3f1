// `devmesh db status|psql`: the databases DevMesh runs for services, and a client session on one of them
// (psql, redis-cli or sqlite3, found beside the engine or on PATH, with the terminal handed over). The
// snapshot actions (snapshot, restore, reset, ls, publish, pull) join the ACTIONS table.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type { DatabaseInfo } from '../../../shared/database.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { TextTable } from '../text-table.js';
import { UsageError } from '../usage-error.js';
import { DB_SNAPSHOT_SUBCOMMANDS, DB_SNAPSHOT_USAGE, DbSnapshotCommands } from './db-snapshot-commands.js';

type Action = (ctx: CliContext, args: CommandArgs, rest: string[]) => Promise<number>;

/** the client program of each engine, and the package that brings it */
const CLIENTS = {
  postgres: {
    program: 'psql',
    install: 'Debian/Ubuntu: `sudo apt install postgresql-client`; macOS: `brew install libpq`',
  },
  redis: {
    program: 'redis-cli',
    install: 'Debian/Ubuntu: `sudo apt install redis-tools`; macOS: `brew install redis`',
  },
  sqlite: { program: 'sqlite3', install: 'Debian/Ubuntu: `sudo apt install sqlite3`; macOS: ships with the system' },
} as const;

export class DbCommands {
  private readonly snapshotCommands = new DbSnapshotCommands();
  private readonly actions: Record<string, Action> = {
    status: (ctx, args) => this.status(ctx, args),
    psql: (ctx, args, rest) => this.client(ctx, args, rest),
    ...Object.fromEntries(
      DB_SNAPSHOT_SUBCOMMANDS.map((sub): [string, Action] => [
        sub,
        (ctx, args) => this.snapshotCommands.run(ctx, args),
      ]),
    ),
  };

  commands(): CliCommand[] {
    return [
      {
        name: 'db',
        summary: 'the databases DevMesh runs for services: status, psql, snapshot, ls, restore, reset, publish, pull',
        usage: `Usage: devmesh db status [--project P] [--json]
       devmesh db psql <service> [--project P] [-- client arguments]
${DB_SNAPSHOT_USAGE.split('\n\n')[0]}

A service's \`database:\` block in devmesh.yaml gets it a database (postgres, redis or sqlite) run from the
engine installed on this machine, data under $DEVMESH_HOME/databases. \`status\` lists them: engine and
version, state, address, size, and what is wrong when one cannot run (the package to install).
\`psql\` opens the engine's client on one (psql, redis-cli or sqlite3), named by its service (\`api-db\`,
\`cache\`) or by its owner (\`api\`); arguments after \`--\` go to the client.

${DB_SNAPSHOT_USAGE.split('\n\n')[1]}

Examples:
  devmesh db status
  devmesh db psql api
  devmesh db psql api -- -c 'select count(*) from orders'
  devmesh db psql cache -- get greeting
${DB_SNAPSHOT_USAGE.split('Examples:\n')[1]}`,
        options: { ...DbSnapshotCommands.options, project: { type: 'string' }, json: { type: 'boolean' } },
        positionals: { min: 1, max: 64, name: '<status|psql|snapshot|ls|restore|reset|publish|pull> [args]' },
        run: (ctx, args) => {
          const [action, ...rest] = args.positionals as [string, ...string[]];
          const run = this.actions[action];
          if (!run)
            throw new UsageError(`unknown action '${action}': use ${Object.keys(this.actions).join(', ')}`, 'db');
          return run(ctx, args, rest);
        },
      },
    ];
  }

  private status(ctx: CliContext, args: CommandArgs): Promise<number> {
    return ctx.perProject(args, {
      fetch: (client, project) => client.call('databases.list', { project }),
      render: (list) => DbCommands.table(list),
      empty: '(no databases: give a service a database: block in devmesh.yaml)',
      after: async () => undefined,
    });
  }

  static table(list: readonly DatabaseInfo[]): string {
    const table = new TextTable(['SERVICE', 'ENGINE', 'STATE', 'ADDRESS', 'SIZE', 'DATA']);
    for (const db of list) {
      const version = db.engineVersion ?? (db.engineMissing ? '(not installed)' : null);
      const engine = `${db.engine}${version ? ` ${version}` : ''}`;
      table.add([db.service, engine, db.state, db.address ?? db.url, DbCommands.size(db.sizeBytes), db.dataPath]);
    }
    const problems = list.filter((db) => db.problem).map((db) => `\n${db.service}: ${db.problem}`);
    return table.render() + problems.join('');
  }

  private async client(ctx: CliContext, args: CommandArgs, rest: string[]): Promise<number> {
    const [service, ...extra] = rest;
    if (service === undefined) throw new UsageError("'db psql' needs a service (see `devmesh db status`)", 'db');
    const project = ctx.projectRef(args);
    const list = await ctx.withClient((c) => c.call('databases.list', project ? { project } : {}));
    const db =
      list.find((d) => d.service === service) ??
      list.find((d) => d.owner === service && d.engine !== 'sqlite') ??
      list.find((d) => d.owner === service);
    if (!db) {
      const known = list.map((d) => d.service).join(', ') || '(none)';
      ctx.warn(`devmesh: no database '${service}'; the databases: ${known}`);
      return EXIT.error;
    }
    const { program, install } = CLIENTS[db.engine];
    const file = DbCommands.find(program, db.binary);
    if (file === null) {
      ctx.warn(
        `devmesh: ${program} is not installed (looked beside ${db.binary ?? 'the engine'} and on PATH); install it: ${install}`,
      );
      return EXIT.error;
    }
    const where = db.address?.split(':') ?? null;
    if (db.engine !== 'sqlite' && (db.url === null || where === null)) {
      ctx.warn(
        `devmesh: ${db.service} is ${db.state}${db.problem ? `: ${db.problem}` : ''}; start it: devmesh start ${db.service}`,
      );
      return EXIT.error;
    }
    const clientArgs =
      db.engine === 'postgres'
        ? [db.url!, ...extra]
        : db.engine === 'redis'
          ? ['-h', where![0]!, '-p', where![1]!, ...extra]
          : [db.dataPath, ...extra];
    return new Promise((resolve) => {
      const child = spawn(file, clientArgs, { stdio: 'inherit' });
      child.once('error', (err) => {
        ctx.warn(`devmesh: cannot run ${file}: ${err.message}`);
        resolve(EXIT.error);
      });
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : EXIT.error)));
    });
  }

  /** beside the engine's server binary (Debian's versioned folder), else on PATH */
  private static find(program: string, server: string | null): string | null {
    const dirs = [...(server ? [dirname(server)] : []), ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
    for (const dir of dirs) if (existsSync(join(dir, program))) return join(dir, program);
    return null;
  }

  private static size(bytes: number | null): string | null {
    if (bytes === null) return null;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
    if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
    return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
  }
}
