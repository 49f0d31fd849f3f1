// A page of one project's proxied requests together with the requests no project served (unknown hosts,
// which the proxy answers 404 and records with project null): what the Requests view lists. The request
// log filters by one project or none, so this reads its pages across all projects, newest first, and keeps
// the project's and the unrouted ones until `limit` are found. Bounded: the log keeps a bounded number of
// rows, and each page read starts below the last.
import type { RequestPage, RequestRecord } from '../../shared/proxy.js';
import type { RequestPageQuery } from '../core/proxy/request-log.js';

export interface RequestPages {
  page(query: RequestPageQuery): RequestPage;
}

/** rows read per page of the log: most logs hold one project, where the first read is the answer */
const READ_ROWS = 1000;

export function pageWithUnrouted(
  log: RequestPages,
  query: RequestPageQuery & { project: string },
  readRows = READ_ROWS,
): RequestPage {
  const found: RequestRecord[] = []; // newest first
  let before = query.before;
  const limit = Math.max(readRows, query.limit + 1);
  for (;;) {
    const page = log.page({ before, limit, errorsOnly: query.errorsOnly, search: query.search });
    for (let i = page.requests.length - 1; i >= 0; i--) {
      const r = page.requests[i]!;
      if (r.project !== query.project && r.project !== null) continue;
      found.push(r);
      if (found.length > query.limit) return { requests: found.slice(0, query.limit).reverse(), hasMore: true };
    }
    const oldest = page.requests[0]?.seq;
    if (!page.hasMore || oldest === undefined) return { requests: found.reverse(), hasMore: false };
    before = oldest;
  }
}
