// End to end: the real headless daemon serving the built UI to Debian's Chromium. The shop example comes
// up healthy, the operator stops `web` from the table, and the log pane shows what happened; the Graph view,
// a chunk of its own, is fetched only when first shown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DaemonProcess } from './daemon-process.js';
import { skipWithoutChromium, UiPage } from './ui-page.js';

const SCREENSHOT = '/tmp/devmesh-ui.png';

const SERVICES = ['auth', 'api', 'web'];

describe.skipIf(skipWithoutChromium)('services view against the headless daemon (needs /usr/bin/chromium)', () => {
  let daemon: DaemonProcess | undefined;
  let ui: UiPage | undefined;
  let page: Page;

  beforeAll(async () => {
    daemon = DaemonProcess.start();
    ui = await UiPage.open(await daemon.url());
    page = ui.page;
  });

  afterAll(async () => {
    await ui?.close();
    await daemon?.stop(); // already stopped by the last test unless an earlier one failed
  });

  const stateOf = (name: string) => page.getByTestId(`service-state-${name}`).textContent({ timeout: 1000 }).catch(() => null);

  it('shows every service of the shop reaching healthy', async () => {
    for (const name of SERVICES) await expect.poll(() => stateOf(name), { timeout: 45_000, interval: 200 }).toBe('healthy');
    await expect(page.getByTestId('connection-banner').count()).resolves.toBe(0);
    await expect(page.getByTestId('config-error-banner').count()).resolves.toBe(0);
    await expect(page.getByTestId('service-start-web').isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('service-stop-web').isEnabled()).resolves.toBe(true);
  }, 60_000);

  it('stops web from its row and shows its log', async () => {
    await page.getByTestId('service-stop-web').click();
    await expect.poll(() => stateOf('web'), { timeout: 20_000, interval: 100 }).toBe('stopped');
    await expect(page.getByTestId('service-start-web').isEnabled()).resolves.toBe(true);
    for (const name of ['auth', 'api']) expect(await stateOf(name)).toBe('healthy');

    await page.getByTestId('service-row-web').click();
    const lines = page.getByTestId('log-pane').getByTestId('log-line');
    await expect.poll(() => lines.count(), { timeout: 10_000 }).toBeGreaterThan(0);

    // The filter narrows the shown lines case-insensitively; clearing it brings them back.
    const all = await lines.count();
    const first = (await lines.first().locator('.log-text').textContent()) ?? '';
    const word = first.trim().split(/\s+/)[0] ?? '';
    await page.getByTestId('log-search').fill(word.toUpperCase());
    await expect.poll(async () => (await lines.locator('.log-text').allTextContents()).every((t) => t.toLowerCase().includes(word.toLowerCase()))).toBe(true);
    await page.getByTestId('log-search').fill('no line says this 7f3a');
    await expect.poll(() => lines.count()).toBe(0);
    await page.getByTestId('log-search').fill('');
    await expect.poll(() => lines.count()).toBeGreaterThanOrEqual(all);

    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: SCREENSHOT.replace('.png', '-light.png'), animations: 'disabled' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: SCREENSHOT, animations: 'disabled' });
    expect(ui!.errors).toEqual([]);
  }, 45_000);

  it('fetches the Graph view chunk on the first visit to the tab, and draws the shop with it', async () => {
    const graphChunks = () => ui!.chunksRequested('graph-view');
    expect(graphChunks()).toEqual([]);
    await page.getByTestId('nav-graph').click();
    await page.getByTestId('graph-view').waitFor({ timeout: 10_000 });
    expect(graphChunks()).toHaveLength(1);
    await expect.poll(() => page.locator('[data-testid^="graph-node-"]').count(), { timeout: 10_000 }).toBe(SERVICES.length);
    await page.getByTestId('nav-services').click();
    await page.getByTestId('nav-graph').click();
    await page.getByTestId('graph-view').waitFor({ timeout: 5000 });
    expect(graphChunks()).toHaveLength(1);
    await page.screenshot({ path: SCREENSHOT.replace('.png', '-graph.png'), animations: 'disabled' });
    await page.getByTestId('nav-services').click();
    expect(ui!.errors).toEqual([]);
  }, 30_000);

  it('says so when the daemon goes away', async () => {
    await expect(daemon!.stop()).resolves.toBe(0);
    const banner = page.getByTestId('connection-banner');
    await expect.poll(() => banner.count(), { timeout: 10_000 }).toBe(1);
    await expect(banner.getAttribute('data-state')).resolves.toBe('reconnecting');
    await expect(page.getByTestId('service-stop-auth').isDisabled()).resolves.toBe(true);
    await page.screenshot({ path: SCREENSHOT.replace('.png', '-disconnected.png'), animations: 'disabled' });
  }, 30_000);
});
