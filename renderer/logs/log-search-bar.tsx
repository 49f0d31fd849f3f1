// The log pane's search: the box (words, "phrases", prefix*, -exclusions, filters such as level>=warn
// user.id=42), a chip per part of a valid search (× removes it), a minimum-level picker, the match counter
// and the previous/next buttons. Enter jumps to the next match, Shift+Enter to the previous, Escape clears.
import type { KeyboardEvent } from 'react';
import {
  LOG_LEVELS,
  LOG_LEVEL_NAMES,
  emptyQuery,
  formatLogQuery,
  type LogLevelName,
  type LogQuery,
} from '../../shared/log-query.js';

export interface LogSearchBarProps {
  text: string;
  onText: (text: string) => void;
  /** the typed search, parsed; null while it is empty or wrong */
  query: LogQuery | null;
  error: string | null;
  /** 1-based position of the current match, 0: none yet */
  position: number;
  matches: number;
  /** older matches exist beyond the loaded ones */
  more: boolean;
  onJump: (direction: 1 | -1) => void;
}

export function LogSearchBar(p: LogSearchBarProps) {
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      p.onJump(e.shiftKey ? -1 : 1);
    } else if (e.key === 'Escape' && p.text !== '') {
      e.preventDefault();
      p.onText('');
    }
  };
  const minLevel = p.query ? levelFloor(p.query) : '';
  const searching = p.query !== null;
  return (
    <div className="log-searchbar">
      <input
        type="search"
        className="log-search"
        data-testid="log-search"
        aria-label="Search the log"
        aria-invalid={p.error !== null}
        placeholder='Search: words, "phrase", pre*, -not, level>=warn, user.id=42'
        value={p.text}
        onChange={(e) => p.onText(e.target.value)}
        onKeyDown={onKeyDown}
        spellCheck={false}
      />
      <select
        className="log-level-pick"
        data-testid="log-level-pick"
        aria-label="Minimum level"
        value={minLevel}
        onChange={(e) => p.onText(withLevel(p.text, p.query, e.target.value as LogLevelName | ''))}
      >
        <option value="">All levels</option>
        {LOG_LEVEL_NAMES.slice(1).map((n) => (
          <option key={n} value={n}>
            {n}+
          </option>
        ))}
      </select>
      {searching && (
        <span className="log-matches muted" data-testid="log-match-count" aria-live="polite">
          {p.matches === 0
            ? 'no match'
            : `${p.position > 0 ? `${p.position} / ` : ''}${p.matches}${p.more ? '+' : ''} match${p.matches === 1 ? '' : 'es'}`}
        </span>
      )}
      <button
        type="button"
        className="btn btn-icon"
        data-testid="log-prev-match"
        aria-label="Previous match (Shift+Enter)"
        title="Previous match (Shift+Enter)"
        disabled={!searching || p.matches === 0}
        onClick={() => p.onJump(-1)}
      >
        ↑
      </button>
      <button
        type="button"
        className="btn btn-icon"
        data-testid="log-next-match"
        aria-label="Next match (Enter)"
        title="Next match (Enter)"
        disabled={!searching || p.matches === 0}
        onClick={() => p.onJump(1)}
      >
        ↓
      </button>
      {p.error && (
        <div className="log-search-error" role="alert" data-testid="log-search-error">
          {p.error}
        </div>
      )}
      {p.query && <QueryChips query={p.query} onText={p.onText} />}
    </div>
  );
}

function QueryChips({ query, onText }: { query: LogQuery; onText: (text: string) => void }) {
  const parts = queryParts(query);
  if (parts.length === 0) return null;
  return (
    <ul className="log-chips" aria-label="Search parts" data-testid="log-chips">
      {parts.map((part, i) => (
        <li key={`${i}:${part.label}`} className={`log-chip${part.filter ? ' log-chip-filter' : ''}`}>
          <span>{part.label}</span>
          <button
            type="button"
            aria-label={`Remove ${part.label}`}
            onClick={() => onText(formatLogQuery(part.without))}
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

interface QueryPart {
  label: string;
  filter: boolean;
  without: LogQuery;
}

/** Each word, phrase and filter of a search, with the search it leaves when removed. */
export function queryParts(q: LogQuery): QueryPart[] {
  const parts: QueryPart[] = [];
  const copy = (): LogQuery => ({
    terms: [...q.terms],
    levels: [...q.levels],
    services: { include: [...q.services.include], exclude: [...q.services.exclude] },
    streams: { include: [...q.streams.include], exclude: [...q.streams.exclude] },
    fields: [...q.fields],
  });
  const each = <T,>(list: (x: LogQuery) => T[], label: (item: T) => string, filter: boolean) => {
    list(q).forEach((item, i) => {
      const without = copy();
      list(without).splice(i, 1);
      parts.push({ label: label(item), filter, without });
    });
  };
  each(
    (x) => x.terms,
    (t) => `${t.negate ? '-' : ''}${t.source}`,
    false,
  );
  each(
    (x) => x.levels,
    (l) => formatLogQuery({ ...emptyQuery(), levels: [l] }),
    true,
  );
  each(
    (x) => x.services.include,
    (s) => `service=${s}`,
    true,
  );
  each(
    (x) => x.services.exclude,
    (s) => `service!=${s}`,
    true,
  );
  each(
    (x) => x.streams.include,
    (s) => `stream=${s}`,
    true,
  );
  each(
    (x) => x.streams.exclude,
    (s) => `stream!=${s}`,
    true,
  );
  each(
    (x) => x.fields,
    (f) => formatLogQuery({ ...emptyQuery(), fields: [f] }),
    true,
  );
  return parts;
}

/** The level picker shows a search's single `level>=name`; anything else reads as "All levels". */
function levelFloor(q: LogQuery): LogLevelName | '' {
  if (q.levels.length !== 1 || q.levels[0]!.op !== '>=') return '';
  return LOG_LEVEL_NAMES.find((n) => LOG_LEVELS[n] === q.levels[0]!.value) ?? '';
}

function withLevel(text: string, q: LogQuery | null, level: LogLevelName | ''): string {
  const base = q ?? (text.trim() === '' ? emptyQuery() : null);
  if (base === null) return text; // a search with a mistake is left for the user to fix
  const levels = level === '' ? [] : [{ op: '>=' as const, value: LOG_LEVELS[level] }];
  return formatLogQuery({ ...base, levels });
}
