// End to end: the real headless daemon on a real git repository, serving the built UI to Debian's Chromium. An
// agent (a plain script) works in its own worktree; the Review view (a chunk of its own) lists its changed
// files, shows a file's diff unified and side by side, follows a new edit live (review.changed), and lands
// the branch on main with a merge commit chosen in the merge dialog, leaving the checkout clean.
// Needs the review part's daemon side (main/core/review/, review-handlers): run on the merged branches.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { AgentRecord } from '../../shared/agent.js';
import { DaemonProcess } from './daemon-process.js';
import { skipWithoutChromium, UiPage } from './ui-page.js';
import { git, writeScript } from '../core/agents/fake-cli.js';
import { scaled } from '../helpers/load-scale.js';
import { until } from '../helpers/until.js';

const SCREENSHOT = '/tmp/devmesh-ui-review.png';
const IDENTITY = {
  GIT_AUTHOR_NAME: 'Reviewer',
  GIT_AUTHOR_EMAIL: 'reviewer@devmesh.invalid',
  GIT_COMMITTER_NAME: 'Reviewer',
  GIT_COMMITTER_EMAIL: 'reviewer@devmesh.invalid',
};

describe.skipIf(skipWithoutChromium)('the Review view against the headless daemon (needs /usr/bin/chromium)', () => {
  let daemon: DaemonProcess | undefined;
  let ui: UiPage | undefined;
  let page: Page;
  let dir = '';
  let repo = '';
  let agent: AgentRecord;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'devmesh-e2e-review-'));
    repo = join(dir, 'shop');
    git(dir, 'init', '-q', repo);
    const yaml = [
      'project: shop',
      'services:',
      '  web:',
      '    version: 1.0.0',
      '    command: "sleep 600"',
      '    autostart: false',
      '',
    ];
    writeFileSync(join(repo, 'devmesh.yaml'), yaml.join('\n'));
    writeFileSync(join(repo, 'cart.ts'), 'export function total(items: number[]): number {\n  return 0;\n}\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'first');
    daemon = DaemonProcess.start({ homePrefix: 'devmesh-e2e-review-home-', project: repo, env: IDENTITY });
    ui = await UiPage.open(await daemon.url());
    page = ui.page;
    const marker = join(dir, 'edited');
    const script = writeScript(
      join(dir, 'bin'),
      'agent-fixer',
      [
        `printf 'export function total(items: number[]): number {\\n  return items.reduce((a, b) => a + b, 0);\\n}\\n' > cart.ts`,
        `git add -A && git -c user.name=Agent -c user.email=agent@devmesh.invalid commit -q -m 'sum the items'`,
        `printf 'notes\\n' > notes.md`,
        `touch '${marker}'`,
        'while read line; do echo "got $line"; done',
      ].join('\n'),
    );
    agent = (await ui.call('agents.start', {
      command: script,
      name: 'fixer',
      cwd: repo,
      worktree: 'fixer',
    })) as AgentRecord;
    await until('the agent’s edits', () => existsSync(marker));
  }, scaled(90_000));

  afterAll(async () => {
    await ui?.close();
    await daemon?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'lists the agent’s files, shows a diff both ways, follows an edit live, and merges onto main',
    async () => {
      expect(ui!.chunksRequested('review-view')).toEqual([]);
      await page.getByTestId('nav-review').click();
      await page.getByTestId('review-view').waitFor({ timeout: 10_000 });
      expect(ui!.chunksRequested('review-view')).toHaveLength(1);
      const list = page.getByTestId('review-file-list');
      await list.waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('review-agent').inputValue()).toBe(agent.id);
      expect(await page.getByTestId('review-file-cart.ts').getAttribute('aria-label')).toBe(
        'cart.ts, modified, 1 added, 1 removed, committed',
      );
      expect(await page.getByTestId('review-file-notes.md').getAttribute('aria-label')).toBe(
        'notes.md, added, 1 added, 0 removed, uncommitted',
      );

      await page.getByTestId('review-file-cart.ts').click();
      const unified = page.getByTestId('review-diff-unified');
      await unified.waitFor({ timeout: 10_000 });
      expect(await unified.textContent()).toContain('return items.reduce((a, b) => a + b, 0);');
      expect(await unified.locator('.token.keyword').count()).toBeGreaterThan(0);
      await page.getByTestId('review-layout-split').click();
      await page.getByTestId('review-diff-split').waitFor({ timeout: 10_000 });
      await page.screenshot({ path: SCREENSHOT, animations: 'disabled' });

      // an edit in the worktree, then an action that raises review.changed: the list follows without a reload
      writeFileSync(join(agent.worktree!.path, 'extra.ts'), 'export const extra = 1;\n');
      await ui!.call('review.commit', { agent: agent.id, message: 'notes and extra' });
      await page.getByTestId('review-file-extra.ts').waitFor({ timeout: 10_000 });
      await expect
        .poll(() => page.getByTestId('review-file-notes.md').getAttribute('aria-label'), { timeout: 10_000 })
        .toBe('notes.md, added, 1 added, 0 removed, committed');

      await page.getByTestId('review-merge').click();
      const dialog = page.getByTestId('review-merge-dialog');
      await dialog.getByRole('radio', { name: 'Merge commit' }).check();
      await page.getByTestId('review-merge-dialog-confirm').click();
      await expect
        .poll(() => page.getByTestId('review-notice-text').textContent(), { timeout: 15_000 })
        .toContain(`into main (merge-commit)`);
      expect(git(repo, 'log', '--format=%s', '-3', 'main').split('\n')).toContain('sum the items');
      expect(existsSync(join(repo, 'extra.ts'))).toBe(true);
      expect(git(repo, 'status', '--porcelain').trim()).toBe('');
      expect(ui!.errors).toEqual([]);
    },
    scaled(90_000),
  );
});
