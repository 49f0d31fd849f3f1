// The changed files of the shown agent: kind, lines added and removed, committed or not, filtered by a box.
// Paged (a page of PAGE_SIZE, then "Show more"), so an agent that touched 500 files renders one page at once.
// Each file is a button (Tab reaches the list; ArrowUp / ArrowDown move between files).
import { useMemo, useState, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import type { ChangedFile, ChangeKind } from '../../shared/review.js';
import { useApp } from '../shell/app-context.js';
import { useReview } from './review-syncs.js';

export const PAGE_SIZE = 200;

const KIND_LETTER: Record<ChangeKind, string> = {
  added: 'A',
  modified: 'M',
  deleted: 'D',
  renamed: 'R',
  copied: 'C',
  'type-changed': 'T',
};

const WHERE_LABEL: Record<ChangedFile['where'], string> = {
  committed: 'committed',
  uncommitted: 'uncommitted',
  both: 'committed and uncommitted',
};

/** the files whose path (or old path) holds the filter's text, case-insensitive */
export function filterFiles(files: ChangedFile[], filter: string): ChangedFile[] {
  const needle = filter.trim().toLowerCase();
  if (needle === '') return files;
  return files.filter((f) => f.path.toLowerCase().includes(needle) || f.from?.toLowerCase().includes(needle));
}

export function ReviewFileList({ files, truncated }: { files: ChangedFile[]; truncated: boolean }) {
  const { stores } = useApp();
  const review = useReview();
  const filter = useStore(stores.review, (s) => s.filter);
  const selected = useStore(stores.review, (s) => s.path);
  const [shown, setShown] = useState(PAGE_SIZE);
  const matching = useMemo(() => filterFiles(files, filter), [files, filter]);
  const page = matching.slice(0, shown);

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const buttons = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('button.review-file')];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = buttons[at + (e.key === 'ArrowDown' ? 1 : -1)];
    if (!next) return;
    e.preventDefault();
    next.focus();
  };

  return (
    <section className="review-files" aria-label="Changed files">
      <input
        type="search"
        className="review-filter"
        placeholder="Filter files"
        aria-label="Filter changed files"
        value={filter}
        onChange={(e) => {
          stores.review.getState().setFilter(e.target.value);
          setShown(PAGE_SIZE);
        }}
        data-testid="review-filter"
      />
      <div className="review-files-count muted" aria-live="polite" data-testid="review-files-count">
        {matching.length === files.length
          ? `${files.length} file${files.length === 1 ? '' : 's'} changed`
          : `${matching.length} of ${files.length} files`}
        {truncated && ' (more changed than listed)'}
      </div>
      <ul className="review-file-list" onKeyDown={onKeyDown} data-testid="review-file-list">
        {page.map((file) => (
          <li key={file.path}>
            <FileRow file={file} selected={file.path === selected} onOpen={() => review.openFile(file.path)} />
          </li>
        ))}
      </ul>
      {matching.length > shown && (
        <button
          type="button"
          className="btn btn-small review-more"
          onClick={() => setShown((n) => n + PAGE_SIZE)}
          data-testid="review-more"
        >
          Show {Math.min(PAGE_SIZE, matching.length - shown)} more of {matching.length - shown}
        </button>
      )}
    </section>
  );
}

function FileRow({ file, selected, onOpen }: { file: ChangedFile; selected: boolean; onOpen: () => void }) {
  const counts = file.binary ? 'binary' : `+${file.added ?? 0} −${file.removed ?? 0}`;
  const label = `${file.path}, ${file.kind}${file.from ? ` from ${file.from}` : ''}, ${
    file.binary ? 'binary' : `${file.added ?? 0} added, ${file.removed ?? 0} removed`
  }, ${WHERE_LABEL[file.where]}`;
  return (
    <button
      type="button"
      className={selected ? 'review-file selected' : 'review-file'}
      aria-current={selected ? 'true' : undefined}
      aria-label={label}
      title={file.from ? `${file.from} → ${file.path}` : file.path}
      onClick={onOpen}
      data-testid={`review-file-${file.path}`}
    >
      <span className={`review-kind review-kind-${file.kind}`} aria-hidden="true">
        {KIND_LETTER[file.kind]}
      </span>
      <span className="review-file-path">{file.path}</span>
      <span className={`review-where review-where-${file.where}`} aria-hidden="true">
        {file.where === 'committed' ? '' : file.where === 'uncommitted' ? '●' : '◐'}
      </span>
      <span className="review-counts mono" aria-hidden="true">
        {counts}
      </span>
    </button>
  );
}
