// End to end: the real headless daemon serving the built UI to Debian's Chromium. A task posted from the
// command center's form lands on the board; a lock taken through the API by another holder shows in the
// Locks view without a reload, and goes when released; the human takes and releases a lock of their own;
// a task bid for on behalf of a running agent is awarded to it, its lock shows, and Open terminal leads to
// the agent's terminal; a message sent as the user is listed, and one an agent posts to the user appears live.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { LockInfo } from '../../shared/lock.js';
import { DaemonProcess } from './daemon-process.js';
import { skipWithoutChromium, UiPage } from './ui-page.js';
import { scaled } from '../helpers/load-scale.js';

const SCREENSHOT = '/tmp/devmesh-ui-coordination.png';
const OTHER = 'agent-e2eother';
const WAITER = 'agent-e2ewaiter';

describe.skipIf(skipWithoutChromium)('coordination views against the headless daemon (needs /usr/bin/chromium)', () => {
  let daemon: DaemonProcess | undefined;
  let ui: UiPage | undefined;
  let page: Page;

  beforeAll(async () => {
    daemon = DaemonProcess.start({ homePrefix: 'devmesh-e2e-coord-', env: { SHELL: '/bin/sh' } });
    ui = await UiPage.open(await daemon.url());
    page = ui.page;
  }, scaled(60_000));

  afterAll(async () => {
    await ui?.close();
    await daemon?.stop();
  });

  it(
    'posts a task from the form and sees it on the board, then its detail',
    async () => {
      await page.getByTestId('nav-tasks').click();
      await page.getByTestId('command-center').waitFor({ timeout: 10_000 });
      await page.getByTestId('task-new').click();
      const form = page.getByTestId('task-new-form');
      await form.getByTestId('task-title').fill('Fix the login form');
      await form.getByTestId('task-prompt').fill('make the login form submit on Enter');
      await form.getByTestId('task-files').fill('src/login/**');
      await form.getByTestId('task-capabilities').fill('typescript, frontend');
      await form.getByTestId('task-priority').fill('3');
      await form.getByTestId('task-create').click();
      await expect.poll(() => form.count(), { timeout: 10_000 }).toBe(0);

      const card = page.locator('[data-title="Fix the login form"]');
      await card.waitFor({ timeout: 10_000 });
      expect(['QUEUED', 'BIDDING']).toContain(await card.getAttribute('data-state'));
      const column = await card.evaluate((el) =>
        el.closest('[data-testid^="task-column-"]')?.getAttribute('data-testid'),
      );
      expect(['task-column-QUEUED', 'task-column-BIDDING']).toContain(column);
      expect(await card.textContent()).toContain('P3');

      await card.click();
      const detail = page.getByTestId('task-detail');
      await detail.waitFor({ timeout: 10_000 });
      await detail.getByTestId('task-history').waitFor({ timeout: 10_000 });
      expect(await detail.textContent()).toContain('src/login/**');
      await page.screenshot({ path: SCREENSHOT.replace('.png', '-board.png'), animations: 'disabled' });

      // Cancelled from the detail: the card moves to the finished column (folded away) and says so.
      await detail.getByTestId('task-cancel').click();
      await expect
        .poll(() => detail.getByTestId('task-detail-state').textContent(), { timeout: 10_000 })
        .toBe('cancelled');
      await expect
        .poll(() => page.getByTestId('task-column-QUEUED').locator('[data-title="Fix the login form"]').count(), {
          timeout: 10_000,
        })
        .toBe(0);
      expect(ui!.errors).toEqual([]);
    },
    scaled(60_000),
  );

  it(
    'shows a lock another holder takes through the API, live, and drops it when released',
    async () => {
      await page.getByTestId('nav-locks').click();
      await page.getByTestId('locks-view').waitFor({ timeout: 10_000 });
      await page.getByTestId('lock-take-form').waitFor();

      const lock = (await ui!.call('locks.acquire', {
        holder: OTHER,
        mode: 'WRITE',
        target: { kind: 'file', path: 'README.md' },
        ttlMs: 120_000,
      })) as LockInfo;
      const row = page.getByTestId(`lock-row-${lock.id}`);
      await row.waitFor({ timeout: 10_000 });
      expect(await row.getAttribute('data-holder')).toBe(OTHER);
      expect(await row.textContent()).toContain('README.md');
      expect(await row.textContent()).toContain('WRITE');
      // Not the user's: no Release button on it.
      expect(await row.getByRole('button').count()).toBe(0);

      // The human asks for the same file: refused at once, naming who holds it.
      await page.getByTestId('lock-take-path').fill('README.md');
      await page.getByTestId('lock-take-submit').click();
      await expect
        .poll(() => page.getByTestId('lock-take-refusal').textContent(), { timeout: 10_000 })
        .toContain(OTHER);

      // A third holder queues for the same file: the view says who waits, for what, behind whom.
      const queued = ui!.call('locks.acquire', {
        holder: WAITER,
        mode: 'READ',
        target: { kind: 'file', path: 'README.md' },
        waitMs: 30_000,
      });
      queued.catch(() => undefined); // awaited below; a failure before then must not also surface as unhandled
      const waiting = page.locator('tr[data-testid^="lock-waiter-"]');
      await waiting.waitFor({ timeout: 10_000 });
      const waitText = await waiting.textContent();
      expect(waitText).toContain(WAITER);
      expect(waitText).toContain('README.md');
      expect(await waiting.locator('[data-testid="lock-waiter-behind"]').textContent()).toBe(OTHER);
      await page.screenshot({ path: SCREENSHOT.replace('.png', '-locks.png'), animations: 'disabled' });

      // Released: the waiter is granted in its turn, and the view follows without a reload.
      await ui!.call('locks.release', { holder: OTHER, lockId: lock.id });
      await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0);
      const granted = (await queued) as LockInfo;
      await expect.poll(() => waiting.count(), { timeout: 10_000 }).toBe(0);
      await page.getByTestId(`lock-row-${granted.id}`).waitFor({ timeout: 10_000 });
      await ui!.call('locks.release', { holder: WAITER, lockId: granted.id });
      await expect.poll(() => page.getByTestId(`lock-row-${granted.id}`).count(), { timeout: 10_000 }).toBe(0);
    },
    scaled(60_000),
  );

  it(
    'lets the human take a lock and release it',
    async () => {
      await page.getByTestId('nav-locks').click();
      await page.getByTestId('lock-take-path').fill('src/');
      await page.getByTestId('lock-take-mode').selectOption('INTENT');
      await page.getByTestId('lock-take-submit').click();
      const mine = page.locator('[data-holder="user"]');
      await mine.waitFor({ timeout: 10_000 });
      expect(await mine.getAttribute('data-target')).toBe('src/');
      await mine.getByRole('button', { name: 'Release' }).click();
      await expect.poll(() => mine.count(), { timeout: 10_000 }).toBe(0);
      expect(ui!.errors).toEqual([]);
    },
    scaled(60_000),
  );

  it(
    'bids for a running agent that cannot bid itself: the task is awarded, its locks show, Open terminal goes to it',
    async () => {
      // An agent CLI without DevMesh's tools (a plain command), working in the shop project.
      const agent = (await ui!.call('agents.start', {
        command: '/bin/sh',
        args: ['-c', 'cat'],
        name: 'helper',
        project: 'shop',
      })) as { id: string };
      await page.getByTestId('nav-tasks').click();
      await page.getByTestId('task-new').click();
      const form = page.getByTestId('task-new-form');
      await form.getByTestId('task-title').fill('Tidy the styles');
      await form.getByTestId('task-prompt').fill('tidy src/styles');
      await form.getByTestId('task-files').fill('src/styles/**');
      await form.getByTestId('task-create').click();
      const card = page.locator('[data-title="Tidy the styles"]');
      await card.waitFor({ timeout: 10_000 });
      await expect.poll(() => card.getAttribute('data-state'), { timeout: 10_000 }).toBe('BIDDING');

      await card.click();
      const detail = page.getByTestId('task-detail');
      // (the form lists the running agents: this one was started through the API, not from this page)
      await detail.getByTestId('task-bid-form').waitFor({ timeout: 10_000 });
      await detail.getByTestId('task-bid-agent').selectOption(agent.id);
      await detail.getByTestId('task-bid-estimate').fill('20');
      await detail.getByTestId('task-bid-submit').click();
      // The only eligible agent has bid: awarded at once, to it.
      await expect.poll(() => card.getAttribute('data-state'), { timeout: 15_000 }).toMatch(/^(CLAIMED|WORKING)$/);
      expect(await card.textContent()).toContain('helper');
      await expect.poll(() => detail.getByTestId('task-bids').textContent(), { timeout: 10_000 }).toContain('helper');
      await expect
        .poll(() => detail.getByTestId('task-history').textContent(), { timeout: 10_000 })
        .toMatch(/claimed/i);
      await page.screenshot({ path: SCREENSHOT.replace('.png', '-awarded.png'), animations: 'disabled' });

      // Its INTENT lock on the task's files, held by the agent, in the Locks view.
      await page.getByTestId('nav-locks').click();
      const intent = page.locator(`[data-holder="${agent.id}"][data-target="src/styles/**"]`);
      await intent.waitFor({ timeout: 10_000 });
      expect(await intent.textContent()).toContain('INTENT');
      expect(await intent.textContent()).toContain('helper');

      // Open terminal: the Terminals view, showing the agent's terminal.
      await page.getByTestId('nav-tasks').click();
      await page.getByTestId('task-open-terminal').click();
      await page.getByTestId('terminals-view').waitFor({ timeout: 10_000 });
      const tasks = (await ui!.call('tasks.list', {})) as { title: string; terminalId: string | null }[];
      const terminalId = tasks.find((t) => t.title === 'Tidy the styles')?.terminalId;
      expect(terminalId).toBeTruthy();
      await expect
        .poll(() => page.getByTestId('terminal-pane-0').getAttribute('data-terminal-id'), { timeout: 10_000 })
        .toBe(terminalId);
      expect(ui!.errors).toEqual([]);
    },
    scaled(60_000),
  );

  it(
    'sends a message as the user and shows one posted to the user, live',
    async () => {
      await page.getByTestId('nav-tasks').click();
      const panel = page.getByTestId('message-panel');
      await panel.waitFor({ timeout: 10_000 });
      await panel.getByTestId('message-body').fill('please stay out of src/auth');
      await panel.getByTestId('message-send').click();
      const list = panel.getByTestId('message-list');
      await expect.poll(() => list.textContent(), { timeout: 10_000 }).toContain('please stay out of src/auth');
      expect(await panel.getByTestId('message-body').inputValue()).toBe('');

      await ui!.call('messages.send', { from: 'helper', to: 'user', body: 'done with the login form' });
      await expect
        .poll(() => list.locator('.message-row').first().textContent(), { timeout: 10_000 })
        .toContain('done with the login form');
      expect(await list.locator('.message-row.to-user').count()).toBeGreaterThanOrEqual(1);
      await page.screenshot({ path: SCREENSHOT.replace('.png', '-messages.png'), animations: 'disabled' });
      expect(ui!.errors).toEqual([]);
    },
    scaled(60_000),
  );

  it(
    'closes the top drawer with Escape and gives the focus back to what opened it',
    async () => {
      await page.getByTestId('nav-tasks').click();
      await page.getByTestId('command-center').waitFor({ timeout: 10_000 });
      await ui!.call('tasks.create', { title: 'Escape me', prompt: 'nothing to do', project: 'shop' });
      const card = page.locator('[data-title="Escape me"]');
      await card.waitFor({ timeout: 10_000 });
      const focused = () =>
        page.evaluate(() => {
          const el = document.activeElement;
          return (
            el?.getAttribute('data-testid') ??
            el?.closest('[data-testid]')?.getAttribute('data-testid') ??
            el?.tagName ??
            null
          );
        });
      const focusInside = (testId: string) =>
        page.evaluate(
          (id) => document.querySelector(`[data-testid="${id}"]`)?.contains(document.activeElement) ?? false,
          testId,
        );

      // The task's drawer, opened from the keyboard: focus moves into it; Escape closes it and focus is back on the card.
      await card.focus();
      await page.keyboard.press('Enter');
      const detail = page.getByTestId('task-detail');
      await detail.waitFor({ timeout: 10_000 });
      await expect.poll(() => focusInside('task-detail'), { timeout: 5000 }).toBe(true);
      await page.keyboard.press('Escape');
      await expect.poll(() => detail.count(), { timeout: 5000 }).toBe(0);
      expect(await card.evaluate((el) => el === document.activeElement)).toBe(true);

      // The New task form, then the drawer over it: the first Escape closes only the drawer (the top one),
      // the second the form, and the focus goes back to New task.
      await page.getByTestId('task-new').click();
      const form = page.getByTestId('task-new-form');
      await form.waitFor({ timeout: 5000 });
      expect(await focused()).toBe('task-title');
      await form.getByTestId('task-title').fill('half-written');
      await card.click();
      await detail.waitFor({ timeout: 10_000 });
      await page.keyboard.press('Escape');
      await expect.poll(() => detail.count(), { timeout: 5000 }).toBe(0);
      expect(await form.count()).toBe(1);
      await form.getByTestId('task-title').focus();
      await page.keyboard.press('Escape');
      await expect.poll(() => form.count(), { timeout: 5000 }).toBe(0);
      expect(await focused()).toBe('task-new');
      expect(ui!.errors).toEqual([]);
    },
    scaled(60_000),
  );
});
