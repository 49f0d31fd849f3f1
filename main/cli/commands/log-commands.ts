// `devmesh logs <service>`: the last lines of a service's log, optionally followed live.
import type { LogLine } from '../../../shared/service.js';
import type { ApiClient } from '../api-client.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { LogFormatter } from '../log-formatter.js';
import { SignalTrap } from '../signal-trap.js';

const DEFAULT_LINES = 100;
const MAX_LINES = 100_000;
/** logs.page's own cap per call */
const PAGE_LIMIT = 5000;

export class LogCommands {
  commands(): CliCommand[] {
    return [
      {
        name: 'logs',
        summary: "print a service's log (-f to follow it)",
        usage: `Usage: devmesh logs <service> [-f] [-n N] [--search TEXT] [--project P] [--json]

Prints the last N lines of the service's log as \`HH:MM:SS.mmm service | text\`. Lines the service wrote
to stderr are marked \`!\`, DevMesh's own lines (started, stopped, crashed) \`*\`.

Options:
  -f, --follow      keep printing new lines until Ctrl-C
  -n, --lines N     how many past lines (default ${DEFAULT_LINES}; 0: only new ones with -f)
  --search TEXT     only lines containing TEXT (case-insensitive)
  --project P       a project id or folder
  --json            one JSON object per line`,
        options: {
          follow: { type: 'boolean', short: 'f' },
          lines: { type: 'string', short: 'n' },
          search: { type: 'string' },
          project: { type: 'string' },
          json: { type: 'boolean' },
        },
        positionals: { min: 1, max: 1, name: '<service>' },
        run: (ctx, args) => this.logs(ctx, args),
      },
    ];
  }

  private async logs(ctx: CliContext, args: CommandArgs): Promise<number> {
    const name = args.positionals[0]!;
    const project = ctx.projectRef(args);
    const count = args.int('lines', { min: 0, max: MAX_LINES }) ?? DEFAULT_LINES;
    const search = args.string('search');
    const follow = args.flag('follow');
    const json = args.flag('json');
    const formatter = new LogFormatter({ color: !json && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR });
    const print = (line: LogLine): void => ctx.print(json ? JSON.stringify(line) : formatter.format(line));

    const client = await ctx.connect();
    let trap: SignalTrap | null = null;
    try {
      if (!follow) {
        for (const line of await LogCommands.tail(client, { project, name, search }, count)) print(line);
        return EXIT.ok;
      }
      // Live lines are held until the history is printed, then deduplicated by seq.
      let lastSeq = -1;
      let held: LogLine[] | null = [];
      const needle = search?.toLowerCase();
      const onLine = (line: LogLine): void => {
        if (needle !== undefined && !line.text.toLowerCase().includes(needle)) return;
        if (held !== null) held.push(line);
        else if (line.seq > lastSeq) {
          lastSeq = line.seq;
          print(line);
        }
      };
      const ended = new Promise<number>((resolve) => {
        client.onDidClose((err) => {
          ctx.warn(`devmesh: ${err.message}`);
          resolve(EXIT.error);
        });
        trap = new SignalTrap(() => resolve(EXIT.ok));
      });
      await client.subscribe('logs', { project, name }, onLine);
      const history = count > 0 ? await LogCommands.tail(client, { project, name, search }, count) : [];
      for (const line of [...history, ...held]) {
        if (line.seq > lastSeq) {
          lastSeq = line.seq;
          print(line);
        }
      }
      held = null;
      return await ended;
    } finally {
      (trap as SignalTrap | null)?.dispose();
      await client.close();
    }
  }

  /** The newest `count` lines, oldest first, paging backwards when more than one page is asked for. */
  private static async tail(
    client: ApiClient,
    query: { project: string | undefined; name: string; search: string | undefined },
    count: number,
  ): Promise<LogLine[]> {
    const pages: LogLine[][] = [];
    let got = 0;
    let before: number | undefined;
    while (got < count) {
      const page = await client.call('logs.page', { ...query, before, limit: Math.min(PAGE_LIMIT, count - got) });
      const lines = [...page.lines].sort((a, b) => a.seq - b.seq);
      if (lines.length === 0) break;
      pages.unshift(lines);
      got += lines.length;
      before = lines[0]!.seq;
      if (!page.hasMore || before < 1) break;
    }
    return pages.flat();
  }
}
