// `devmesh logs <service>`: the last lines of a service's log, optionally followed live. With --search,
// --since, --until or --level it searches the stored lines of every service (or the one named) through
// logs.search (full-text, with filters such as level>=warn user.id=42), then follows with the same rules.
import { lineMatches } from '../../../shared/log-match.js';
import {
  LOG_LEVEL_NAMES,
  LOG_LEVELS,
  levelValue,
  parseLogQuery,
  type LogLevelName,
} from '../../../shared/log-query.js';
import type { LogSearchResult } from '../../../shared/logs.js';
import type { LogLine } from '../../../shared/service.js';
import type { ApiClient } from '../api-client.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { LogFormatter } from '../log-formatter.js';
import { SignalTrap } from '../signal-trap.js';
import { instant } from '../time-text.js';
import { UsageError } from '../usage-error.js';

const DEFAULT_LINES = 100;
const MAX_LINES = 100_000;
/** logs.page's own cap per call */
const PAGE_LIMIT = 5000;
/** logs.search's */
const SEARCH_LIMIT = 1000;

interface SearchArgs {
  project: string | undefined;
  query: string;
  services: string[] | undefined;
  since: number | undefined;
  until: number | undefined;
  level: LogLevelName | undefined;
}

export class LogCommands {
  commands(): CliCommand[] {
    return [
      {
        name: 'logs',
        summary: "print a service's log (-f to follow it)",
        usage: `Usage: devmesh logs [<service>] [-f] [-n N] [--search Q] [--since 1h] [--until 10m] [--level L]
                    [--count] [--project P] [--json]

Prints the last N lines of the service's log as \`HH:MM:SS.mmm service | text\`. Lines the service wrote
to stderr are marked \`!\`, DevMesh's own lines (started, stopped, crashed) \`*\`. With --search, --since,
--until or --level, searches the stored lines of every service of the project (or only <service>).

Options:
  -f, --follow      keep printing new lines until Ctrl-C
  -n, --lines N     how many past lines (default ${DEFAULT_LINES}; 0: only new ones with -f)
  --search Q        words (whole words, any case), "a phrase", a prefix*, -excluded, and filters:
                    level>=warn service=api stream=stderr user.id=42 (fields of JSON lines)
  --since T         lines from T on: a span back from now (30m, 2h) or an ISO time (2026-11-30T10:00)
  --until T         lines up to T
  --level L         at least this level: ${LOG_LEVEL_NAMES.join(', ')}
  --count           also print how many lines match (on stderr)
  --project P       a project id or folder
  --json            one JSON object per line

Examples:
  devmesh logs api -f
  devmesh logs --search 'timeout -healthcheck' --since 1h --level warn
  devmesh logs --search 'level>=error user.id=42' --json | head`,
        options: {
          follow: { type: 'boolean', short: 'f' },
          lines: { type: 'string', short: 'n' },
          search: { type: 'string' },
          since: { type: 'string' },
          until: { type: 'string' },
          level: { type: 'string' },
          count: { type: 'boolean' },
          project: { type: 'string' },
          json: { type: 'boolean' },
        },
        positionals: { min: 0, max: 1, name: '[<service>]' },
        run: (ctx, args) => this.logs(ctx, args),
      },
    ];
  }

  private async logs(ctx: CliContext, args: CommandArgs): Promise<number> {
    const searching = ['search', 'since', 'until', 'level'].some((o) => args.string(o) !== undefined);
    if (searching || args.flag('count')) return this.search(ctx, args);
    const name = args.positionals[0];
    if (name === undefined) {
      throw new UsageError('name a service (devmesh logs api), or search every service with --search Q', 'logs');
    }
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

  private async search(ctx: CliContext, args: CommandArgs): Promise<number> {
    const name = args.positionals[0];
    const now = Date.now();
    const rawLevel = args.string('level');
    const level = rawLevel === undefined ? undefined : LogCommands.level(rawLevel);
    const query: SearchArgs = {
      project: ctx.projectRef(args),
      query: args.string('search') ?? '',
      services: name === undefined ? undefined : [name],
      since: instant('logs', 'since', args.string('since'), now),
      until: instant('logs', 'until', args.string('until'), now),
      level,
    };
    // a mistake in the search is the user's: said before connecting, in the words the daemon would use
    let parsed;
    try {
      parsed = parseLogQuery(query.query);
    } catch (err) {
      throw new UsageError(`--search: ${(err as Error).message}`, 'logs');
    }
    const count = args.int('lines', { min: 0, max: MAX_LINES }) ?? DEFAULT_LINES;
    const json = args.flag('json');
    const formatter = new LogFormatter({
      color: !json && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
      nameWidth: name === undefined ? 12 : 0,
    });
    const print = (line: LogLine): void => ctx.print(json ? JSON.stringify(line) : formatter.format(line));
    const client = await ctx.connect();
    let trap: SignalTrap | null = null;
    try {
      const found: LogLine[] = [];
      let cursor: number | undefined;
      let total: number | null = null;
      for (let first = true; first || found.length < count; first = false) {
        const page: LogSearchResult = await client.call('logs.search', {
          ...LogCommands.defined(query),
          limit: Math.min(SEARCH_LIMIT, Math.max(1, count - found.length)),
          count: first && args.flag('count'),
          ...(cursor !== undefined ? { cursor } : {}),
        });
        if (first) total = page.total;
        found.unshift(...page.lines); // each page is older than the one before, oldest first
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      const shown = count === 0 ? [] : found.slice(-count);
      for (const line of shown) print(line);
      if (total !== null) ctx.warn(`${total} matching line${total === 1 ? '' : 's'}`);
      if (!args.flag('follow')) return EXIT.ok;
      const lastSeq = shown.at(-1)?.seq ?? -1;
      const minLevel = level === undefined ? undefined : LOG_LEVELS[level];
      const onLine = (line: LogLine): void => {
        if (line.seq <= lastSeq || (query.until !== undefined && line.ts > query.until)) return;
        if (minLevel !== undefined && (line.level ?? -1) < minLevel) return;
        if (lineMatches(line, parsed)) print(line);
      };
      const ended = new Promise<number>((resolve) => {
        client.onDidClose((err) => {
          ctx.warn(`devmesh: ${err.message}`);
          resolve(EXIT.error);
        });
        trap = new SignalTrap(() => resolve(EXIT.ok));
      });
      await client.subscribe('logs', { project: query.project, ...(name !== undefined ? { name } : {}) }, onLine);
      return await ended;
    } finally {
      (trap as SignalTrap | null)?.dispose();
      await client.close();
    }
  }

  private static level(raw: string): LogLevelName {
    const value = levelValue(raw);
    const name = LOG_LEVEL_NAMES.find((n) => LOG_LEVELS[n] === value);
    if (name === undefined)
      throw new UsageError(`--level must be one of ${LOG_LEVEL_NAMES.join(', ')}, not '${raw}'`, 'logs');
    return name;
  }

  /** The search's input without its unset keys (the contract is strict about undefined values on the wire). */
  private static defined(q: SearchArgs): Omit<SearchArgs, never> {
    return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as SearchArgs;
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
