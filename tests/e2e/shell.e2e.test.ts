// End to end: the app shell in Debian's Chromium against the headless daemon with the shop example. Every view
// is reachable from the sidebar and passes axe-core with no serious or critical violation, in the light and the
// dark theme, and is photographed at 1024 and 1440 px (kept under test-results/screenshots/shell); the command
// palette, driven by the keyboard alone, stops and starts a service (checked through the API); the theme switch
// pins a theme over the OS's and keeps it across a reload; a split pane's size survives a reload.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import axe from 'axe-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ServiceInfo } from '../../shared/service.js';
import { VIEWS } from '../../renderer/shell/views.js';
import { scaled } from '../helpers/load-scale.js';
import { until } from '../helpers/until.js';
import { DaemonProcess } from './daemon-process.js';
import { skipWithoutChromium, UiPage } from './ui-page.js';

/** the artefacts CI keeps beside its log (test-results/), looked at by hand as well as asserted on */
const SHOTS = resolve(__dirname, '../../test-results/screenshots/shell');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core over the whole page; only what it rates serious or critical. */
async function seriousViolations(page: Page): Promise<Violation[]> {
  // evaluated through the DevTools protocol, so the page's CSP (script-src 'self') does not apply to it
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact ?? null,
        help: v.help,
        nodes: v.nodes.slice(0, 6).map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`),
      }));
  });
}

describe.skipIf(skipWithoutChromium)('the app shell against the headless daemon (needs /usr/bin/chromium)', () => {
  let daemon: DaemonProcess | undefined;
  let ui: UiPage | undefined;
  let page: Page;

  const stateOf = async (name: string): Promise<string | undefined> => {
    const list = (await ui!.call('services.list', { project: 'shop' })) as ServiceInfo[];
    return list.find((s) => s.name === name)?.state;
  };

  /** Shows `view` from the sidebar and waits for its chunk to load. */
  const show = async (view: string) => {
    await page.getByTestId(`nav-${view}`).click();
    await expect.poll(() => page.getByTestId(`nav-${view}`).getAttribute('aria-current')).toBe('page');
    await expect.poll(() => page.locator('[data-testid$="-loading"]').count(), { timeout: 15_000 }).toBe(0);
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    daemon = DaemonProcess.start({ homePrefix: 'devmesh-e2e-shell-', env: { SHELL: '/bin/sh' } });
    ui = await UiPage.open(await daemon.url(), { width: 1440, height: 900 });
    page = ui.page;
    for (const name of ['auth', 'api', 'web'])
      await until(`${name} healthy`, async () => (await stateOf(name)) === 'healthy', scaled(45_000));
    // a terminal, so the Terminals view draws xterm (its own focusable parts) for axe to check
    await ui.call('terminals.create', { project: 'shop' });
  }, scaled(90_000));

  afterAll(async () => {
    await ui?.close();
    await daemon?.stop();
  });

  it(
    'reaches every view from the sidebar; axe finds nothing serious in either theme; photographs each',
    async () => {
      const found: Record<string, Violation[]> = {};
      // the palette (cmdk and the Radix parts it brings) is a chunk of its own, fetched on the first Ctrl+K
      expect(ui!.chunksRequested('command-palette')).toEqual([]);
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const { view } of VIEWS) {
          await show(view);
          await page.locator('main.content').waitFor();
          const violations = await seriousViolations(page);
          if (violations.length > 0) found[`${view} (${scheme})`] = violations;
          for (const width of [1024, 1440]) {
            await page.setViewportSize({ width, height: 800 });
            await page.screenshot({ path: join(SHOTS, `${view}-${scheme}-${width}.png`), animations: 'disabled' });
          }
          await page.setViewportSize({ width: 1440, height: 900 });
        }
        // the palette over the page, too
        await page.keyboard.press('Control+K');
        await page.getByTestId('command-palette').waitFor();
        expect(ui!.chunksRequested('command-palette')).toHaveLength(1);
        const inPalette = await seriousViolations(page);
        if (inPalette.length > 0) found[`palette (${scheme})`] = inPalette;
        await page.screenshot({ path: join(SHOTS, `palette-${scheme}-1440.png`), animations: 'disabled' });
        await page.keyboard.press('Escape');
      }
      expect(found).toEqual({});
      expect(ui!.errors).toEqual([]);
    },
    scaled(180_000),
  );

  it(
    'stops web from the palette by keyboard alone, then starts it again',
    async () => {
      await show('services');
      await page.locator('body').click({ position: { x: 5, y: 5 } }); // focus on the page, not in a field
      await page.keyboard.press('Control+K');
      const input = page.getByTestId('palette-input');
      await input.waitFor();
      expect(await input.evaluate((el) => el === document.activeElement)).toBe(true);
      await page.keyboard.type('stop web');
      await expect
        .poll(() => page.locator('[cmdk-item][data-selected="true"]').getAttribute('data-testid'))
        .toBe('palette-item-service.stop:web');
      await page.keyboard.press('Enter');
      await expect.poll(() => stateOf('web'), { timeout: scaled(20_000), interval: 200 }).toBe('stopped');
      await expect.poll(() => page.getByTestId('command-palette').count()).toBe(0);
      await expect.poll(() => page.getByTestId('sidebar-service-web').getAttribute('data-state')).toBe('stopped');
      expect(await stateOf('api')).toBe('healthy');

      await page.keyboard.press('Control+K');
      await page.keyboard.type('start web');
      await expect
        .poll(() => page.locator('[cmdk-item][data-selected="true"]').getAttribute('data-testid'))
        .toBe('palette-item-service.start:web');
      await page.keyboard.press('Enter');
      await expect.poll(() => stateOf('web'), { timeout: scaled(30_000), interval: 200 }).toBe('healthy');

      // G then A goes to the Audit view, where the stop is on the chain and the chain verifies
      await page.keyboard.press('g');
      await page.keyboard.press('a');
      await page.getByTestId('audit-view').waitFor({ timeout: 10_000 });
      await expect.poll(() => page.getByTestId('audit-verify').getAttribute('data-state')).toBe('ok');
      await page.getByTestId('audit-filter-kind').fill('service.stopped');
      await expect
        .poll(() => page.locator('[data-testid^="audit-entry-"]').allTextContents(), { timeout: 10_000 })
        .toEqual([expect.stringContaining('shop/web')]);
      expect(ui!.errors).toEqual([]);
    },
    scaled(90_000),
  );

  it(
    'takes hostile input in the palette and the audit filter, and the daemon still answers',
    async () => {
      // a query far longer than any title, with markup and control characters: no match, nothing runs
      await page.keyboard.press('Control+K');
      await page.getByTestId('palette-input').fill(`<img src=x onerror=alert(1)>\u0000${'ä'.repeat(20_000)}`);
      await expect.poll(() => page.locator('[cmdk-item]').count()).toBe(0);
      await page.keyboard.press('Enter');
      await page.keyboard.press('Escape');
      await show('audit');
      const listed = () => page.locator('[data-testid^="audit-entry-"]').count();
      await page.getByTestId('audit-filter-kind').fill('');
      await expect.poll(listed, { timeout: 10_000 }).toBeGreaterThan(0);
      // what the chain cannot hold is refused in the form, named, and not sent
      await page.getByTestId('audit-filter-kind').fill('../../etc/passwd');
      await expect.poll(() => page.getByTestId('audit-filter-error').textContent()).toMatch(/is not a kind/);
      await page.getByTestId('audit-filter-kind').fill('');
      await page.getByTestId('audit-filter-actor').fill('x'.repeat(5000));
      await expect.poll(() => page.getByTestId('audit-filter-error').textContent()).toMatch(/at most 128/);
      await page.getByTestId('audit-filter-actor').fill('nobody-🙂-"; DROP TABLE audit; --');
      await expect.poll(listed, { timeout: 10_000 }).toBe(0);
      await page.getByTestId('audit-filter-actor').fill('');
      await expect.poll(listed, { timeout: 10_000 }).toBeGreaterThan(0);
      // the same straight to the API: refused with a message, and the daemon keeps answering
      await expect(ui!.call('audit.list', { kind: '../../etc', limit: 1e9, before: -1 })).rejects.toThrow();
      await expect(ui!.call('audit.list', { actor: 'x'.repeat(5000) })).rejects.toThrow();
      await expect(ui!.call('daemon.info', {})).resolves.toMatchObject({ version: expect.any(String) });
      expect(daemon!.running).toBe(true);
      expect(ui!.errors).toEqual([]);
    },
    scaled(60_000),
  );

  it(
    'pins a theme over the OS’s with the switch, and keeps it across a reload',
    async () => {
      const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      await page.emulateMedia({ colorScheme: 'dark' });
      const toggle = page.getByTestId('theme-toggle');
      while ((await toggle.getAttribute('data-preference')) !== 'system') await toggle.click();
      const dark = await background();
      await page.emulateMedia({ colorScheme: 'light' });
      const light = await background();
      expect(light).not.toBe(dark); // following the OS

      await toggle.click(); // system → light
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await toggle.getAttribute('data-preference')).toBe('light');
      expect(await background()).toBe(light); // pinned over the OS's dark
      await toggle.click(); // light → dark
      expect(await background()).toBe(dark);
      await page.emulateMedia({ colorScheme: 'light' });
      expect(await background()).toBe(dark);

      await page.reload();
      await toggle.waitFor();
      expect(await toggle.getAttribute('data-preference')).toBe('dark');
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
      expect(await background()).toBe(dark);
      await toggle.click(); // dark → the system's again
      expect(await background()).toBe(light);
      expect(ui!.errors).toEqual([]);
    },
    scaled(60_000),
  );

  it(
    'keeps a split pane’s size, moved by the keyboard, across a reload',
    async () => {
      await show('services');
      const tableHeight = () =>
        page
          .locator('#panes-services > [data-panel]')
          .first()
          .evaluate((el) => el.getBoundingClientRect().height);
      const before = await tableHeight();
      await page.getByTestId('panes-services-handle').focus();
      for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
      await expect.poll(tableHeight).toBeGreaterThan(before + 40);
      const moved = await tableHeight();
      await page.reload();
      await page.getByTestId('panes-services-handle').waitFor();
      await expect.poll(async () => Math.abs((await tableHeight()) - moved)).toBeLessThan(2);
      // the Audit view keeps its own
      await show('audit');
      expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.includes('devmesh.panes')))).toEqual([
        expect.stringContaining('devmesh.panes.services'),
      ]);
      expect(ui!.errors).toEqual([]);
    },
    scaled(60_000),
  );
});
