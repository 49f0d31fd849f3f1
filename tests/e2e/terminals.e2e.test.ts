// End to end: the real headless daemon serving the built UI to Debian's Chromium. The Terminals view (a
// chunk of its own) opens a shell through the API, attaches to its stream, and what is typed into the
// xterm terminal reaches the shell, whose answer comes back onto the screen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DaemonProcess } from './daemon-process.js';
import { skipWithoutChromium, UiPage } from './ui-page.js';

const SCREENSHOT = '/tmp/devmesh-ui-terminals.png';

interface TerminalsHook {
  ids(): string[];
  text(id: string): string | null;
}

describe.skipIf(skipWithoutChromium)('terminals view against the headless daemon (needs /usr/bin/chromium)', () => {
  let daemon: DaemonProcess | undefined;
  let ui: UiPage | undefined;
  let page: Page;

  beforeAll(async () => {
    // A predictable shell: no user rc files, a plain prompt.
    daemon = DaemonProcess.start({ homePrefix: 'devmesh-e2e-term-', env: { SHELL: '/bin/sh', PS1: '$ ' } });
    ui = await UiPage.open(await daemon.url());
    page = ui.page;
  }, 60_000);

  afterAll(async () => {
    await ui?.close();
    await daemon?.stop();
  });

  const screenText = (id: string) =>
    page.evaluate((tid) => (globalThis as unknown as { __devmeshTerminals?: TerminalsHook }).__devmeshTerminals?.text(tid) ?? '', id);

  it('opens a shell, types echo hello, and sees hello on its own line', async () => {
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
    await expect.poll(() => page.getByTestId(`terminal-state-${id}`).textContent()).toBe('running');

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
    await expect.poll(async () => (await screenText(second)).split('\n').map((l) => l.trimEnd()), { timeout: 10_000 }).toContain('right side');
    expect(await screenText(id)).not.toContain('right side');
    await page.screenshot({ path: SCREENSHOT.replace('.png', '-split.png'), animations: 'disabled' });
    await page.getByTestId(`terminal-close-${second}`).click();
    await expect.poll(() => page.getByTestId(`terminal-tab-${second}`).count(), { timeout: 10_000 }).toBe(0);
    await page.getByTestId('terminal-split').click();

    // exit ends the session: the tab says so.
    await pane.getByTestId('terminal-screen').click();
    await page.keyboard.type('exit 3');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId(`terminal-state-${id}`).textContent(), { timeout: 10_000 }).toBe('exited 3');
    await page.getByTestId(`terminal-close-${id}`).click();
    await expect.poll(() => page.getByTestId(`terminal-tab-${id}`).count(), { timeout: 5000 }).toBe(0);
    expect(ui!.errors).toEqual([]);
  }, 60_000);
});
