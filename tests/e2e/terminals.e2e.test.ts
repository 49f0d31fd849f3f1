// End to end: the real headless daemon serving the built UI to Debian's Chromium. The Terminals view (a
// chunk of its own) opens a shell through the API, attaches to its stream, and what is typed into the
// xterm terminal reaches the shell, whose answer comes back onto the screen. An agent (a fake `claude` on the
// daemon's PATH that asks a permission question) is started from the New agent form; its tab's badge says
// it waits, and answering in its terminal lets it finish.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DaemonProcess } from './daemon-process.js';
import { skipWithoutChromium, UiPage } from './ui-page.js';
import { writeFakeClaude } from '../core/agents/fake-cli.js';
import { scaled } from '../helpers/load-scale.js';

const SCREENSHOT = '/tmp/devmesh-ui-terminals.png';

interface TerminalsHook {
  ids(): string[];
  text(id: string): string | null;
}

describe.skipIf(skipWithoutChromium)('terminals view against the headless daemon (needs /usr/bin/chromium)', () => {
  let daemon: DaemonProcess | undefined;
  let ui: UiPage | undefined;
  let page: Page;
  let bin = '';

  beforeAll(async () => {
    bin = mkdtempSync(join(tmpdir(), 'devmesh-e2e-agent-bin-'));
    writeFakeClaude(bin);
    // A predictable shell: no user rc files, a plain prompt.
    daemon = DaemonProcess.start({
      homePrefix: 'devmesh-e2e-term-',
      env: { SHELL: '/bin/sh', PS1: '$ ', PATH: `${bin}:${process.env.PATH ?? ''}` },
    });
    ui = await UiPage.open(await daemon.url());
    page = ui.page;
  }, scaled(60_000));

  afterAll(async () => {
    await ui?.close();
    await daemon?.stop();
    if (bin) rmSync(bin, { recursive: true, force: true });
  });

  const screenText = (id: string) =>
    page.evaluate(
      (tid) => (globalThis as unknown as { __devmeshTerminals?: TerminalsHook }).__devmeshTerminals?.text(tid) ?? '',
      id,
    );

  it(
    'opens a shell, types echo hello, and sees hello on its own line',
    async () => {
      const terminalChunks = () => ui!.chunksRequested('terminals-view');
      expect(terminalChunks()).toEqual([]);
      await page.getByTestId('nav-terminals').click();
      await page.getByTestId('terminals-view').waitFor({ timeout: 10_000 });
      expect(terminalChunks()).toHaveLength(1);

      await page.getByTestId('terminal-new-shell').click();
      const pane = page.getByTestId('terminal-pane-0');
      await expect.poll(() => pane.getAttribute('data-stream'), { timeout: 10_000 }).toBe('live');
      const id = (await pane.getAttribute('data-terminal-id'))!;
      expect(id).toMatch(/^[a-z0-9-]+$/);
      await expect
        .poll(() => page.getByTestId(`terminal-state-${id}`).textContent(), { timeout: 10_000 })
        .toBe('running');

      // Wait for the shell's first prompt, so the keystrokes are not typed into a shell still starting.
      await expect.poll(async () => (await screenText(id)).trim().length, { timeout: 10_000 }).toBeGreaterThan(0);
      await pane.getByTestId('terminal-screen').click();
      await page.keyboard.type('echo hello');
      await page.keyboard.press('Enter');
      await expect
        .poll(async () => (await screenText(id)).split('\n').map((l) => l.trimEnd()), { timeout: 10_000 })
        .toContain('hello');
      // The command line itself is on the screen too (echoed by the PTY), distinct from the output line.
      expect((await screenText(id)).split('\n').some((l) => l.includes('echo hello'))).toBe(true);
      await page.screenshot({ path: SCREENSHOT, animations: 'disabled' });

      // Switching views keeps the terminal (it lives outside React) and its screen.
      await page.getByTestId('nav-services').click();
      await page.getByTestId('nav-terminals').click();
      await expect.poll(() => pane.getAttribute('data-stream'), { timeout: 5000 }).toBe('live');
      expect((await screenText(id)).split('\n').map((l) => l.trimEnd())).toContain('hello');
      expect(terminalChunks()).toHaveLength(1);

      // Split: a second shell opens in the right pane, beside the first, each with its own screen.
      await page.getByTestId('terminal-split').click();
      await page.getByTestId('terminal-new-shell').click();
      const right = page.getByTestId('terminal-pane-1');
      await expect.poll(() => right.getAttribute('data-stream'), { timeout: 10_000 }).toBe('live');
      const second = (await right.getAttribute('data-terminal-id'))!;
      expect(second).not.toBe(id);
      await expect.poll(async () => (await screenText(second)).trim().length, { timeout: 10_000 }).toBeGreaterThan(0);
      await right.getByTestId('terminal-screen').click();
      await page.keyboard.type('echo right side');
      await page.keyboard.press('Enter');
      await expect
        .poll(async () => (await screenText(second)).split('\n').map((l) => l.trimEnd()), { timeout: 10_000 })
        .toContain('right side');
      expect(await screenText(id)).not.toContain('right side');
      await page.screenshot({ path: SCREENSHOT.replace('.png', '-split.png'), animations: 'disabled' });
      await page.getByTestId(`terminal-close-${second}`).click();
      await expect.poll(() => page.getByTestId(`terminal-tab-${second}`).count(), { timeout: 10_000 }).toBe(0);
      await page.getByTestId('terminal-split').click();

      // exit ends the session: the tab says so.
      await pane.getByTestId('terminal-screen').click();
      await page.keyboard.type('exit 3');
      await page.keyboard.press('Enter');
      await expect
        .poll(() => page.getByTestId(`terminal-state-${id}`).textContent(), { timeout: 10_000 })
        .toBe('exited 3');
      await page.getByTestId(`terminal-close-${id}`).click();
      await expect.poll(() => page.getByTestId(`terminal-tab-${id}`).count(), { timeout: 5000 }).toBe(0);
      expect(ui!.errors).toEqual([]);
    },
    scaled(60_000),
  );

  it(
    'starts an agent from the New agent form: its tab waits for the user, then exits once answered',
    async () => {
      await page.getByTestId('nav-terminals').click();
      await page.getByTestId('terminal-new-agent').click();
      const dialog = page.getByTestId('agent-new-dialog');
      await dialog.waitFor({ timeout: 10_000 });
      // Only installed CLIs can be picked; the others say how to install them.
      await expect.poll(() => dialog.locator('option[value="claude"]').isDisabled(), { timeout: 10_000 }).toBe(false);
      expect(await dialog.locator('option[value="codex"]').isDisabled()).toBe(true);
      expect(await dialog.getByTestId('agent-missing').textContent()).toContain('Codex');
      await dialog.getByTestId('agent-profile').selectOption('claude');
      await dialog.getByTestId('agent-prompt').fill('fix the readme');
      await page.screenshot({ path: SCREENSHOT.replace('.png', '-agent-form.png'), animations: 'disabled' });
      await dialog.getByTestId('agent-start').click();
      await expect.poll(() => dialog.count(), { timeout: 10_000 }).toBe(0);

      // Its terminal tab opens, focused, named after the agent, with the agent's status as its badge.
      const tab = page.locator('.terminal-tab[data-agent-id]');
      await expect.poll(() => tab.count(), { timeout: 10_000 }).toBe(1);
      const id = (await tab.getAttribute('data-testid'))!.replace('terminal-tab-', '');
      const agentId = (await tab.getAttribute('data-agent-id'))!;
      const pane = page.getByTestId('terminal-pane-0');
      expect(await pane.getAttribute('data-terminal-id')).toBe(id);
      await expect.poll(() => pane.getAttribute('data-stream'), { timeout: 10_000 }).toBe('live');
      const badge = page.getByTestId(`terminal-agent-status-${id}`);
      await expect.poll(() => badge.textContent(), { timeout: 15_000 }).toBe('waiting');
      expect(await page.getByTestId(`agent-status-${agentId}`).textContent()).toBe('waiting');
      expect(await page.getByTestId(`agent-card-${agentId}`).textContent()).toContain('fix the readme');
      expect(await page.locator('[data-testid="toast"][data-code="AGENT_WAITING"]').textContent()).toContain(
        'is waiting for you',
      );
      await expect.poll(async () => await screenText(id), { timeout: 10_000 }).toContain('task: fix the readme');
      await page.screenshot({ path: SCREENSHOT.replace('.png', '-agent.png'), animations: 'disabled' });

      await pane.getByTestId('terminal-screen').click();
      await page.keyboard.type('1');
      await page.keyboard.press('Enter');
      await expect.poll(() => badge.textContent(), { timeout: 15_000 }).toBe('exited 0');
      expect(await screenText(id)).toContain('editing (answer 1)');
      expect(await page.getByTestId(`agent-relaunch-${agentId}`).isEnabled()).toBe(true);

      // The form's own checks name the field; the daemon's refusal is shown in its words, and the form stays.
      const name = await page.getByTestId(`agent-card-${agentId}`).locator('.agent-card-name').textContent();
      await page.getByTestId('terminal-new-agent').click();
      await dialog.getByTestId('agent-name').fill('not a name');
      await dialog.getByTestId('agent-start').click();
      expect(await dialog.getByTestId('agent-error-name').textContent()).toMatch(/letters, digits/);
      await dialog.getByTestId('agent-name').fill(name!);
      await dialog.getByTestId('agent-start').click();
      await expect
        .poll(() => dialog.getByTestId('agent-start-error').textContent(), { timeout: 10_000 })
        .toContain('already exists');
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog.count(), { timeout: 5000 }).toBe(0);
      expect(ui!.errors).toEqual([]);
    },
    scaled(60_000),
  );

  it(
    'closes the New agent form with Escape and gives the focus back to New agent',
    async () => {
      await page.getByTestId('nav-terminals').click();
      const opener = page.getByTestId('terminal-new-agent');
      await opener.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByTestId('agent-new-dialog');
      await dialog.waitFor({ timeout: 10_000 });
      await expect
        .poll(() => dialog.evaluate((el) => el.contains(document.activeElement)), { timeout: 10_000 })
        .toBe(true);
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog.count(), { timeout: 5000 }).toBe(0);
      expect(await opener.evaluate((el) => el === document.activeElement)).toBe(true);
      expect(ui!.errors).toEqual([]);
    },
    scaled(30_000),
  );
});
