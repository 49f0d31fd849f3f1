// logs.search: full-text search over the stored logs of a project's services (SQLite FTS5), with the filter
// language of shared/log-query.ts, time bounds and paging by cursor. Lines come oldest first, each with the
// ranges of its shown text (shared/log-match.ts displayText) that matched, for highlighting.
import { z } from 'zod';
import { LOG_LEVEL_NAMES, MAX_QUERY_CHARS } from './log-query.js';
import { LogLineSchema } from './service.js';

export const LogSearchInputSchema = z
  .object({
    project: z.string().min(1).max(4096).optional(),
    /** words, "phrases", prefix*, -exclusions and filters (level>=warn service=api user.id=42); empty: every line */
    query: z
      .string()
      .max(MAX_QUERY_CHARS, { error: `a search of at most ${MAX_QUERY_CHARS} characters` })
      .default(''),
    /** only these services (as `service=` in the query) */
    services: z.array(z.string().min(1).max(128)).max(256).optional(),
    /** ms since the epoch, inclusive */
    since: z.number().int().min(0).optional(),
    until: z.number().int().min(0).optional(),
    /** at least this level (as `level>=` in the query) */
    level: z.enum(LOG_LEVEL_NAMES).optional(),
    limit: z.number().int().min(1).max(1000).default(200),
    /** a previous answer's nextCursor: the page of older matches */
    cursor: z.number().int().positive().optional(),
    /** also count every match (costs a pass over them) */
    count: z.boolean().default(false),
  })
  .strict();
export type LogSearchInput = z.input<typeof LogSearchInputSchema>;

export const LogSearchHitSchema = LogLineSchema.extend({
  /** [start, end) character ranges of displayText(line) that matched the search's words */
  matches: z.array(z.tuple([z.number().int(), z.number().int()])),
});
export type LogSearchHit = z.infer<typeof LogSearchHitSchema>;

export const LogSearchResultSchema = z.object({
  /** oldest first */
  lines: z.array(LogSearchHitSchema),
  /** pass as `cursor` for older matches; null: no more */
  nextCursor: z.number().int().nullable(),
  /** every match, when `count` was asked */
  total: z.number().int().nullable(),
  ms: z.number(),
});
export type LogSearchResult = z.infer<typeof LogSearchResultSchema>;
