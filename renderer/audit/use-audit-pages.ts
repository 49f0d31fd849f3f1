// The audit chain's entries matching a filter, newest first, a page at a time: the first page when the filter
// changes (a late answer for an older filter is dropped), older pages on request through the `before` cursor.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AuditEntry, AuditFilter } from '../../shared/audit.js';
import type { DevMeshClient } from '../api/devmesh-client.js';

export const AUDIT_PAGE = 100;

export interface AuditPages {
  entries: AuditEntry[];
  /** the cursor of the next older page; null when the oldest entry is shown */
  nextBefore: number | null;
  loading: boolean;
  loadingOlder: boolean;
  error: string | null;
}

const EMPTY: AuditPages = { entries: [], nextBefore: null, loading: true, loadingOlder: false, error: null };

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** `filter` null: the typed filter cannot be sent; what is shown stays. */
export function useAuditPages(
  client: DevMeshClient,
  filter: Pick<AuditFilter, 'kind' | 'actor' | 'since' | 'until'> | null,
  /** bumps to read the first page again (after a verify, a reconnect) */
  reloads: number,
): AuditPages & { loadOlder(): void } {
  const [pages, setPages] = useState<AuditPages>(EMPTY);
  const generation = useRef(0);
  const key = filter === null ? null : JSON.stringify(filter);

  useEffect(() => {
    if (key === null) return;
    const mine = ++generation.current;
    setPages((p) => ({ ...p, loading: true, error: null }));
    const wanted = JSON.parse(key) as Pick<AuditFilter, 'kind' | 'actor' | 'since' | 'until'>;
    client.call('audit.list', { ...wanted, limit: AUDIT_PAGE }).then(
      (page) => {
        if (mine === generation.current)
          setPages({
            entries: page.entries,
            nextBefore: page.nextBefore,
            loading: false,
            loadingOlder: false,
            error: null,
          });
      },
      (err: unknown) => {
        if (mine === generation.current)
          setPages((p) => ({ ...p, loading: false, error: `Could not read the audit chain: ${message(err)}` }));
      },
    );
  }, [client, key, reloads]);

  const loadOlder = useCallback(() => {
    if (key === null || pages.nextBefore === null || pages.loadingOlder) return;
    const mine = generation.current;
    const wanted = JSON.parse(key) as Pick<AuditFilter, 'kind' | 'actor' | 'since' | 'until'>;
    setPages((p) => ({ ...p, loadingOlder: true }));
    client.call('audit.list', { ...wanted, limit: AUDIT_PAGE, before: pages.nextBefore }).then(
      (page) => {
        if (mine !== generation.current) return;
        setPages((p) => {
          // the cursor is a seq, so pages never overlap; kept once each all the same, as keys must be unique
          const shown = new Set(p.entries.map((e) => e.seq));
          return {
            ...p,
            entries: [...p.entries, ...page.entries.filter((e) => !shown.has(e.seq))],
            nextBefore: page.nextBefore,
            loadingOlder: false,
          };
        });
      },
      (err: unknown) => {
        if (mine === generation.current)
          setPages((p) => ({ ...p, loadingOlder: false, error: `Could not read older entries: ${message(err)}` }));
      },
    );
  }, [client, key, pages.nextBefore, pages.loadingOlder]);

  return { ...pages, loadOlder };
}
