// @vitest-environment jsdom
// The Review view as a user reviews an agent's work: the changed files from the daemon's summary (kind, +/−,
// committed or not, a filter, paged past 200), a file's diff unified and side by side (remembered) and syntax
// highlighted, placeholders for binary and too-large files, the merge that conflicts are found before (and
// never attempted then), the discard that asks first, the daemon's refusal in its own words, and the refetch
// a review.changed event for the shown agent brings.
import { act, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ChangedFile } from '../../../shared/review.js';
import { ReviewView } from '../../../renderer/review/review-view.js';
import { renderView, type ViewClient } from '../../helpers/render-view.js';
import { agentRecord } from '../../helpers/view-fixtures.js';
import { changedFile, fileDiff, reviewSummary } from './review-fixtures.js';

const WORKTREE = { path: '/repo/shop/.devmesh/worktrees/fixer', branch: 'feat/fixer', repo: '/repo/shop' };
const FILES = [
  changedFile('src/cart.ts', { added: 2, removed: 1 }),
  changedFile('src/new-page.tsx', { kind: 'added', added: 40, removed: 0, where: 'uncommitted' }),
  changedFile('assets/logo.png', { kind: 'modified', added: null, removed: null, binary: true }),
  changedFile('docs/old.md', { kind: 'deleted', added: 0, removed: 12, where: 'both' }),
];

/** the daemon runs agent fixer in its worktree (and helper, without one) with `files` changed */
function daemonHas(client: ViewClient, files: ChangedFile[] = FILES, dirty = false): void {
  client.answer('agents.list', [
    agentRecord('agent-1', { name: 'fixer', worktree: WORKTREE }),
    agentRecord('agent-2', { name: 'helper' }),
  ]);
  client.answer('review.summary', reviewSummary('agent-1', files, { dirty }));
  client.answer('review.file', ({ path }) => fileDiff(path));
}

async function renderReview(setup: (client: ViewClient) => void = (c) => daemonHas(c)) {
  const view = renderView(<ReviewView />, ({ client }) => setup(client));
  await screen.findByTestId('review-file-list');
  return view;
}
const row = (path: string) => screen.getByTestId(`review-file-${path}`);

beforeEach(() => localStorage.clear());

describe('ReviewView: the changed files', () => {
  it('lists the shown agent’s files with kind, lines and where, for the first agent with a worktree', async () => {
    const { client } = await renderReview();
    expect((screen.getByRole('combobox', { name: 'Agent' }) as HTMLSelectElement).value).toBe('agent-1');
    expect(within(screen.getByRole('combobox', { name: 'Agent' })).queryByText(/helper/)).toBeNull();
    expect(client.inputsOf('review.summary')).toEqual([{ agent: 'agent-1' }]);
    expect(screen.getByTestId('review-facts').textContent).toContain('feat/agent-1');
    expect(screen.getByTestId('review-files-count').textContent).toBe('4 files changed');
    const names = within(screen.getByTestId('review-file-list'))
      .getAllByRole('button')
      .map((b) => b.getAttribute('aria-label'));
    expect(names).toEqual([
      'src/cart.ts, modified, 2 added, 1 removed, committed',
      'src/new-page.tsx, added, 40 added, 0 removed, uncommitted',
      'assets/logo.png, modified, binary, committed',
      'docs/old.md, deleted, 0 added, 12 removed, committed and uncommitted',
    ]);
    expect(row('src/new-page.tsx').textContent).toContain('+40 −0');
    expect(row('assets/logo.png').textContent).toContain('binary');
  });

  it('narrows the list to the paths holding the filter’s text', async () => {
    const { user } = await renderReview();
    await user.type(screen.getByRole('searchbox', { name: 'Filter changed files' }), 'SRC/');
    expect(screen.getByTestId('review-files-count').textContent).toBe('2 of 4 files');
    expect(screen.queryByTestId('review-file-docs/old.md')).toBeNull();
    expect(row('src/cart.ts')).toBeTruthy();
  });

  it('renders 500 changed files a page at a time', async () => {
    const many = Array.from({ length: 500 }, (_, i) => changedFile(`src/f${String(i).padStart(3, '0')}.ts`));
    const { user } = await renderReview((c) => daemonHas(c, many));
    const list = screen.getByTestId('review-file-list');
    expect(within(list).getAllByRole('button')).toHaveLength(200);
    expect(screen.getByTestId('review-files-count').textContent).toBe('500 files changed');
    await user.click(screen.getByRole('button', { name: 'Show 200 more of 300' }));
    expect(within(list).getAllByRole('button')).toHaveLength(400);
    await user.click(screen.getByRole('button', { name: 'Show 100 more of 100' }));
    expect(within(list).getAllByRole('button')).toHaveLength(500);
    expect(screen.queryByTestId('review-more')).toBeNull();
  });
});

describe('ReviewView: a file’s diff', () => {
  it('shows the selected file’s diff unified, then side by side, highlighted, and remembers the layout', async () => {
    const { client, user, unmount } = await renderReview();
    await user.click(row('src/cart.ts'));
    expect(client.inputsOf('review.file')).toEqual([{ agent: 'agent-1', path: 'src/cart.ts' }]);
    const unified = await screen.findByTestId('review-diff-unified');
    expect(unified.querySelector('table.diff-unified')).not.toBeNull();
    expect(unified.textContent).toContain('const sum = items.reduce((a, b) => a + b, 0);');
    expect(unified.querySelectorAll('.diff-code-insert')).toHaveLength(2);
    expect(unified.querySelectorAll('.diff-code-delete')).toHaveLength(1);
    // refractor tokenized it as TypeScript
    expect([...unified.querySelectorAll('.token.keyword')].map((t) => t.textContent)).toContain('const');
    expect(row('src/cart.ts').getAttribute('aria-current')).toBe('true');

    await user.click(screen.getByRole('button', { name: 'Side by side' }));
    const split = await screen.findByTestId('review-diff-split');
    expect(split.querySelector('table.diff-split')).not.toBeNull();
    expect(screen.getByRole('button', { name: 'Side by side' }).getAttribute('aria-pressed')).toBe('true');
    // the removed line and its replacement on one row, old left and new right
    const pair = [...split.querySelectorAll('tr')].find((tr) => tr.querySelector('.diff-code-delete'));
    expect(pair?.textContent).toContain('return items.reduce((a, b) => a + b);');
    expect(pair?.textContent).toContain('const sum');

    unmount();
    const again = await renderReview();
    await again.user.click(row('src/cart.ts'));
    expect(await screen.findByTestId('review-diff-split')).toBeTruthy();
  });

  it('shows a binary file and a too-large diff as placeholders, not as text', async () => {
    const { client, user } = await renderReview((c) => {
      daemonHas(c);
      c.answer('review.file', ({ path }) =>
        path === 'assets/logo.png'
          ? fileDiff(path, { binary: true, patch: null, oldSize: 2048, newSize: 4096 })
          : fileDiff(path, { patch: null, tooLarge: true, oldSize: 3_000_000, newSize: 3_500_000 }),
      );
    });
    await user.click(row('assets/logo.png'));
    expect((await screen.findByTestId('review-diff-binary')).textContent).toContain('2.0 KB → 4.0 KB');
    expect(screen.queryByTestId('review-diff-unified')).toBeNull();
    await user.click(row('src/cart.ts'));
    expect((await screen.findByTestId('review-diff-too-large')).textContent).toContain('too large');
    expect(screen.queryByTestId('review-diff-unified')).toBeNull();
    expect(client.inputsOf('review.file')).toHaveLength(2);
  });
});

describe('ReviewView: landing the work', () => {
  it('checks before merging and merges nothing when a file conflicts, listing each conflict', async () => {
    const { client, user } = await renderReview((c) => {
      daemonHas(c);
      c.answer('review.check', {
        conflicts: [
          { path: 'src/cart.ts', kind: 'content', message: 'CONFLICT (content): Merge conflict in src/cart.ts' },
          { path: 'docs/old.md', kind: 'modify/delete', message: 'CONFLICT (modify/delete): docs/old.md deleted' },
        ],
      });
      c.answer('review.merge', { merged: true, strategy: 'rebase', head: 'b'.repeat(40), completedTasks: [] });
    });
    await user.click(screen.getByRole('button', { name: 'Merge into main…' }));
    const dialog = within(screen.getByRole('dialog', { name: 'Merge feat/agent-1 into main' }));
    await user.click(dialog.getByRole('radio', { name: 'Rebase' }));
    await user.click(dialog.getByRole('button', { name: 'Merge' }));
    const conflicts = await dialog.findByTestId('review-conflicts');
    expect(conflicts.textContent).toContain('Not merged: 2 files conflict with main');
    expect(within(conflicts).getByTestId('review-conflict-src/cart.ts').textContent).toContain(
      'CONFLICT (content): Merge conflict in src/cart.ts',
    );
    expect(within(conflicts).getByTestId('review-conflict-docs/old.md').textContent).toContain('modify/delete');
    expect(client.inputsOf('review.check')).toEqual([{ agent: 'agent-1', strategy: 'rebase', cleanup: false }]);
    expect(client.inputsOf('review.merge')).toEqual([]);
    expect((dialog.getByRole('button', { name: 'Merge' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('merges with the chosen strategy when the check finds no conflict, and says where the base now is', async () => {
    const { client, user } = await renderReview((c) => {
      daemonHas(c);
      c.answer('review.check', { conflicts: [] });
      c.answer('review.merge', {
        merged: true,
        strategy: 'fast-forward',
        head: 'c0ffee1234'.padEnd(40, '0'),
        completedTasks: ['task-7'],
      });
    });
    await user.click(screen.getByRole('button', { name: 'Merge into main…' }));
    const dialog = within(screen.getByRole('dialog'));
    await user.click(dialog.getByRole('radio', { name: 'Fast-forward' }));
    await user.click(dialog.getByRole('checkbox', { name: /remove the worktree/ }));
    await user.click(dialog.getByRole('button', { name: 'Merge' }));
    expect((await screen.findByTestId('review-notice')).textContent).toContain(
      'Merged feat/agent-1 into main (fast-forward), now at c0ffee1234; completed task-7.',
    );
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(client.inputsOf('review.merge')).toEqual([{ agent: 'agent-1', strategy: 'fast-forward', cleanup: true }]);
  });

  it('asks before discarding; Cancel sends nothing, Discard sends it and says what went', async () => {
    const { client, user } = await renderReview((c) => {
      daemonHas(c, FILES, true);
      c.answer('review.discard', { discarded: 'agent-1' });
    });
    await user.click(screen.getByRole('button', { name: 'Discard…' }));
    let dialog = within(screen.getByRole('dialog', { name: 'Discard feat/agent-1?' }));
    expect(dialog.getByText(/cannot be undone/)).toBeTruthy();
    await user.click(dialog.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(client.inputsOf('review.discard')).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Discard…' }));
    dialog = within(screen.getByRole('dialog', { name: 'Discard feat/agent-1?' }));
    expect(dialog.getByText('Its uncommitted changes are lost with the worktree.')).toBeTruthy();
    // fixer is working: the daemon discards only when told to stop it first
    await user.click(dialog.getByRole('checkbox', { name: 'Stop the agent first (it is working)' }));
    await user.click(dialog.getByRole('button', { name: 'Discard' }));
    expect((await screen.findByTestId('review-notice')).textContent).toContain(
      'Discarded feat/agent-1 and its worktree.',
    );
    expect(client.inputsOf('review.discard')).toEqual([{ agent: 'agent-1', keepBranch: false, force: true }]);
    expect(screen.queryByTestId('review-file-list')).toBeNull();
  });

  it('keeps the branch and removes only the worktree, after asking', async () => {
    const { client, user } = await renderReview((c) => {
      daemonHas(c);
      c.answer('review.discard', { discarded: 'agent-1' });
    });
    await user.click(screen.getByRole('button', { name: 'Keep branch…' }));
    const dialog = within(screen.getByRole('dialog', { name: 'Keep feat/agent-1, remove its worktree?' }));
    expect(client.inputsOf('review.discard')).toEqual([]);
    await user.click(dialog.getByRole('button', { name: 'Remove worktree' }));
    await screen.findByTestId('review-notice');
    expect(client.inputsOf('review.discard')).toEqual([{ agent: 'agent-1', keepBranch: true, force: false }]);
  });

  it('commits with the message typed and shows the daemon’s refusal in its own words', async () => {
    const { client, user } = await renderReview((c) => {
      daemonHas(c, FILES, true);
      c.refuse('review.commit', 'BAD_REQUEST', 'nothing to commit in /repo/shop/.devmesh/worktrees/fixer');
    });
    const box = screen.getByRole('textbox', { name: 'Commit message' });
    await user.type(box, 'round totals to cents');
    await user.click(screen.getByRole('button', { name: 'Commit' }));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByTestId('review-notice-text').textContent).toBe(
      'could not commit: nothing to commit in /repo/shop/.devmesh/worktrees/fixer',
    );
    expect(client.inputsOf('review.commit')).toEqual([{ agent: 'agent-1', message: 'round totals to cents' }]);
  });
});

describe('ReviewView: live', () => {
  it('fetches the shown agent’s review again on its review.changed event, and not on another agent’s', async () => {
    const { client } = await renderReview();
    expect(client.inputsOf('review.summary')).toHaveLength(1);
    client.answer('review.summary', reviewSummary('agent-1', [...FILES, changedFile('src/checkout.ts')]));
    act(() => client.emit({ type: 'review.changed', ts: 2, agentId: 'agent-9', path: '/elsewhere' }));
    expect(client.inputsOf('review.summary')).toHaveLength(1);
    act(() => client.emit({ type: 'review.changed', ts: 3, agentId: 'agent-1', path: WORKTREE.path }));
    expect(await screen.findByTestId('review-file-src/checkout.ts')).toBeTruthy();
    expect(client.inputsOf('review.summary')).toHaveLength(2);
    await waitFor(() => expect(screen.getByTestId('review-files-count').textContent).toBe('5 files changed'));
  });
});
