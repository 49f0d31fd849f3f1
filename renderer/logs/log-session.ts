// The log of one service as the log pane shows it: the newest page, then live lines, in a bounded buffer
// that lives outside React. A chatty service can print thousands of lines a second; LivePagedSession
// collects them and publishes at most every `flushMs`, so React renders a batch, never a line.
import type { LogLine } from '../../shared/service.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import { LivePagedSession } from '../live/live-paged-session.js';

export interface LogSnapshot {
  /** oldest first */
  lines: readonly LogLine[];
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
}

export class LogSession {
  private readonly live: LivePagedSession<LogLine, LogSnapshot>;
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
    this.live = new LivePagedSession<LogLine, LogSnapshot>(
      client,
      {
        fetchPage: async ({ before, limit }) => {
          const page = await client.call('logs.page', {
            ...target,
            ...(before === undefined ? {} : { before }),
            limit,
          });
          return { items: page.lines, hasMore: page.hasMore };
        },
        follow: (onLine) => client.followLogs(target, onLine),
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
