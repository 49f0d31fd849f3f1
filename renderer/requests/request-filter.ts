// Which requests the Requests view shows. The daemon applies the same filter to the pages it returns
// (proxy.requests) and the topic filters by service; errors-only and search are applied here to live
// records, so a page and the live stream agree on what belongs.
import type { RequestRecord } from '../../shared/proxy.js';

export interface RequestFilter {
  /** one service; undefined: every service of the project */
  service?: string;
  /** only responses with status >= 400 or a DevMesh error */
  errorsOnly: boolean;
  /** substring of the host or path, case-insensitive; empty: no filter */
  search: string;
}

export const NO_REQUEST_FILTER: RequestFilter = { errorsOnly: false, search: '' };

export const isFailedRequest = (r: RequestRecord): boolean => r.status >= 400 || r.error !== null;

export function matchesRequestFilter(r: RequestRecord, filter: RequestFilter): boolean {
  if (filter.service !== undefined && r.service !== filter.service) return false;
  if (filter.errorsOnly && !isFailedRequest(r)) return false;
  const needle = filter.search.trim().toLowerCase();
  if (needle && !r.path.toLowerCase().includes(needle) && !r.host.toLowerCase().includes(needle)) return false;
  return true;
}

/** A stable key for one filter: a new key means a new session (a new page from the daemon). */
export const requestFilterKey = (f: RequestFilter): string =>
  JSON.stringify([f.service ?? null, f.errorsOnly, f.search.trim()]);
