// The proxy's request log of one project as the Requests view shows it: the newest page, then live
// records, in a bounded buffer outside React. A busy service can answer thousands of requests a second;
// LivePagedSession collects them and publishes at most every `flushMs`, so React renders a batch.
// A session serves one filter; changing the filter starts a new session.
import type { RequestRecord } from '../../shared/proxy.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import { LivePagedSession } from '../live/live-paged-session.js';
import { matchesRequestFilter, type RequestFilter } from './request-filter.js';

export interface RequestSnapshot {
  /** in the order they were made (by start time), oldest first */
  records: readonly RequestRecord[];
  hasMore: boolean;
  full: boolean;
  loading: boolean;
  loadingOlder: boolean;
  error: string | null;
}

export interface RequestSessionDeps {
  capacity?: number;
  pageSize?: number;
  flushMs?: number;
}

/**
 * By start time: the proxy numbers a request (its seq) when it ends, so a slow request has a higher seq than
 * quick ones made after it. A list whose Time column runs backwards reads as a bug; paging stays by seq.
 */
const byStartTime = (a: RequestRecord, b: RequestRecord): number => a.ts - b.ts;

export class RequestSession {
  private readonly live: LivePagedSession<RequestRecord, RequestSnapshot>;
  /** For useSyncExternalStore: the listener runs once per published batch. */
  readonly subscribe: (listener: () => void) => () => void;
  readonly getSnapshot: () => RequestSnapshot;

  constructor(
    client: DevMeshClient,
    readonly project: string,
    readonly filter: RequestFilter,
    deps: RequestSessionDeps = {},
  ) {
    const search = filter.search.trim();
    // The daemon applies the whole filter to pages; the topic only narrows by service (see `accepts`).
    // Requests no project served (unknown hosts) belong to no service: listed unless a service is picked.
    const unrouted = filter.service === undefined ? { unrouted: true } : {};
    const query = {
      project,
      service: filter.service,
      errorsOnly: filter.errorsOnly,
      ...unrouted,
      ...(search ? { search } : {}),
    };
    this.live = new LivePagedSession<RequestRecord, RequestSnapshot>(
      client,
      {
        fetchPage: async ({ before, limit }) => {
          const page = await client.call('proxy.requests', {
            ...query,
            ...(before === undefined ? {} : { before }),
            limit,
          });
          return { items: page.requests, hasMore: page.hasMore };
        },
        follow: (onRecord) => client.followRequests({ project, service: filter.service, ...unrouted }, onRecord),
        accepts: (record) => matchesRequestFilter(record, filter),
      },
      {
        capacity: deps.capacity ?? 2000,
        order: byStartTime,
        pageSize: deps.pageSize ?? 200,
        flushMs: deps.flushMs ?? 100,
        snapshot: ({ items, ...rest }) => ({ records: items, ...rest }),
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
