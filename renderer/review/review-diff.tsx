// The open file's diff, drawn by react-diff-view (https://github.com/otakustay/react-diff-view) from the
// unified patch git wrote, unified or side by side, syntax highlighted by refractor (Prism) in the file's
// language. A binary file, or one the daemon would not send (`tooLarge`), is a placeholder that says so.
import { useMemo } from 'react';
import { Diff, Hunk, parseDiff, type FileData } from 'react-diff-view';
import 'react-diff-view/style/index.css';
import type { FileDiff } from '../../shared/review.js';
import type { DiffLayout } from './review-store.js';
import { highlightHunks } from './review-highlight.js';

function formatBytes(bytes: number | null): string {
  if (bytes === null) return 'absent';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function sizes(diff: FileDiff): string {
  return `${formatBytes(diff.oldSize)} → ${formatBytes(diff.newSize)}`;
}

export function ReviewDiff({ diff, layout }: { diff: FileDiff; layout: DiffLayout }) {
  if (diff.binary) {
    return (
      <div className="review-placeholder" role="note" data-testid="review-diff-binary">
        Binary file: its contents are not shown ({sizes(diff)}).
      </div>
    );
  }
  if (diff.tooLarge || diff.patch === null) {
    return (
      <div className="review-placeholder" role="note" data-testid="review-diff-too-large">
        This diff is too large to show here ({sizes(diff)}). Open the file in your editor, or run <code>git diff</code>{' '}
        in the worktree.
      </div>
    );
  }
  return <PatchView patch={diff.patch} path={diff.path} kind={diff.kind} layout={layout} />;
}

function PatchView({ patch, path, kind, layout }: { patch: string; path: string; kind: string; layout: DiffLayout }) {
  const file: FileData | null = useMemo(() => parseDiff(patch, { nearbySequences: 'zip' })[0] ?? null, [patch]);
  const tokens = useMemo(() => (file ? highlightHunks(file.hunks, path) : undefined), [file, path]);
  if (!file || file.hunks.length === 0) {
    return (
      <div className="review-placeholder" role="note" data-testid="review-diff-empty">
        No changes to the contents ({kind}).
      </div>
    );
  }
  return (
    <div className="review-diff-scroll" data-testid={`review-diff-${layout}`}>
      <Diff viewType={layout} diffType={file.type} hunks={file.hunks} tokens={tokens} className="review-diff">
        {(hunks) => hunks.map((hunk) => <Hunk key={hunk.content} hunk={hunk} />)}
      </Diff>
    </div>
  );
}
