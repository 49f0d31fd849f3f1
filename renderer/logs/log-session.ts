// The log of one service as the log pane shows it: the newest page, then live lines, in a bounded buffer
// that lives outside React. A chatty service can print thousands of lines a second; LivePagedSession
// collects them and publishes at most every `flushMs`, so React renders a batch, never a line.
// With a search, the pages come from logs.search (the daemon's full-text index, newest match first) and
// live lines are kept only when they match, by the same rules (shared/log-match.ts).
import { lineMatches } from '../../shared/log-match.js';
import type { LogQuery } from '../../shared/log-query.js';
import type { LogSearchHit } from '../../shared/logs.js';
import type { LogLine } from '../../shared/service.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import { LivePagedSession } from '../live/live-paged-session.js';

/** a line of the pane: a search's carry the ranges that matched */
export type ShownLine = LogLine & { matches?: LogSearchHit['matches'] };

export interface LogSearchSpec {
  /** as typed (the daemon parses it again) */
  text: string;
  query: LogQuery;
}

export interface LogSnapshot {
  /** oldest first */
  lines: readonly ShownLine[];
  /** the daemon holds older lines than the first one shown */
  hasMore: boolean;
  /** the buffer is at capacity: loading older lines would push out the newest */
  full: boolean;
  loading: boolean;
  loadingOlder: boolean;
  error: string | null;
}

export interface LogSessionDeps {
  capacity?: number;
  pageSize?: number;
  flushMs?: number;
  /** only the lines matching this search */
  search?: LogSearchSpec | null;
}

export class LogSession {
  private readonly live: LivePagedSession<ShownLine, LogSnapshot>;
  /** For useSyncExternalStore: the listener runs once per published batch. */
  readonly subscribe: (listener: () => void) => () => void;
  readonly getSnapshot: () => LogSnapshot;

  constructor(
    client: DevMeshClient,
    readonly project: string,
    readonly service: string,
    deps: LogSessionDeps = {},
  ) {
    const target = { project, name: service };
    const search = deps.search ?? null;
    this.live = new LivePagedSession<ShownLine, LogSnapshot>(
      client,
      {
        fetchPage: async ({ before, limit }) => {
          if (search) {
            const found = await client.call('logs.search', {
              project,
              services: [service],
              query: search.text,
              limit: Math.min(limit, 1000),
              ...(before === undefined ? {} : { cursor: before }),
            });
            return { items: found.lines, hasMore: found.nextCursor !== null };
          }
          const page = await client.call('logs.page', {
            ...target,
            ...(before === undefined ? {} : { before }),
            limit,
          });
          return { items: page.lines, hasMore: page.hasMore };
        },
        follow: (onLine) => client.followLogs(target, onLine),
        ...(search ? { accepts: (line: ShownLine) => lineMatches(line, search.query) } : {}),
      },
      {
        capacity: deps.capacity ?? 5000,
        pageSize: deps.pageSize ?? 500,
        flushMs: deps.flushMs ?? 100,
        snapshot: ({ items, ...rest }) => ({ lines: items, ...rest }),
      },
    );
    this.subscribe = this.live.subscribe;
    this.getSnapshot = this.live.getSnapshot;
  }

  get capacity(): number {
    return this.live.capacity;
  }

  loadOlder(): Promise<void> {
    return this.live.loadOlder();
  }

  dispose(): void {
    this.live.dispose();
  }
}
