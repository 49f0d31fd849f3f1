// End to end: the app shell in Debian's Chromium against the headless daemon with the shop example, over HTTPS
// and HTTP/2 as browsers speak to any HTTPS site (`devmesh up --https-port`, the CA trusted as `devmesh ca trust`
// says; plain HTTP only where certutil is missing outside CI). Every view
// is reachable from the sidebar and passes axe-core with no violation at all (minor ones included), in the light
// and the dark theme, with content in it (two agents, one running and one exited, a task, a lock, a message, proxied
// requests), and is photographed at 1024 and 1440 px (kept under test-results/screenshots/shell); the command
// palette, driven by the keyboard alone, stops and starts a service (checked through the API) and opens the New
// agent dialog; the theme switch pins a theme over the OS's and keeps it across a reload; a split pane's size and
// the sidebar collapsed to its rail survive a reload.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import axe from 'axe-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { AgentRecord } from '../../shared/agent.js';
import type { LockInfo } from '../../shared/lock.js';
import type { ServiceInfo } from '../../shared/service.js';
import type { TaskInfo } from '../../shared/task.js';
import type { MainView } from '../../renderer/state/view-store.js';
import { VIEWS } from '../../renderer/shell/views.js';
import { scaled } from '../helpers/load-scale.js';
import { until } from '../helpers/until.js';
import { DaemonProcess } from './daemon-process.js';
import { freePort, viaProxy } from './proxy-client.js';
import { skipWithoutCertutil, TrustedBrowserHome } from './trusted-browser-home.js';
import { skipWithoutChromium, UiPage } from './ui-page.js';

/** the artefacts CI keeps beside its log (test-results/), looked at by hand as well as asserted on */
const SHOTS = resolve(__dirname, '../../test-results/screenshots/shell');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core over the whole page: every violation, down to those it rates minor (an empty table header). */
async function axeViolations(page: Page): Promise<Violation[]> {
  // evaluated through the DevTools protocol, so the page's CSP (script-src 'self') does not apply to it
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      nodes: v.nodes.slice(0, 6).map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`),
    }));
  });
}

/** what each view shows of the content made in beforeAll: axe looks once it is on screen */
const CONTENT: Record<MainView, (ids: { running: string; exited: string; task: string; lock: string }) => string> = {
  services: () => '[data-testid="service-row-web"]',
  requests: () => '[data-testid="request-row"]',
  graph: () => '.react-flow__node',
  terminals: (ids) => `[data-testid="agent-card-${ids.running}"], [data-testid="agent-card-${ids.exited}"]`,
  team: () => '[data-testid="team-view"]',
  tasks: (ids) => `[data-testid="task-card-${ids.task}"], [data-testid^="message-"]`,
  locks: (ids) => `[data-testid="lock-row-${ids.lock}"]`,
  recordings: () => '[data-testid="recordings-view"]',
  review: () => '[data-testid="review-view"]',
  audit: () => '[data-testid^="audit-entry-"]',
};

describe.skipIf(skipWithoutChromium)('the app shell against the headless daemon (needs /usr/bin/chromium)', () => {
  let daemon: DaemonProcess | undefined;
  let ui: UiPage | undefined;
  let page: Page;
  let proxyPort = 0;
  let browserHome: TrustedBrowserHome | undefined;
  const ids = { running: '', exited: '', task: '', lock: '' };

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
    proxyPort = await freePort();
    daemon = DaemonProcess.start({
      homePrefix: 'devmesh-e2e-shell-',
      env: { SHELL: '/bin/sh', DEVMESH_PROXY_HTTP_PORT: String(proxyPort), DEVMESH_PROXY_HTTPS_PORT: '0' },
      args: ['--https-port', '0'],
    });
    await daemon.url();
    // The browser trusts the daemon's CA as `devmesh ca trust` says (its own HOME and NSS database).
    if (!skipWithoutCertutil) browserHome = TrustedBrowserHome.create(daemon.home);
    const url = browserHome ? await daemon.httpsUrl() : await daemon.url();
    ui = await UiPage.open(url, { width: 1440, height: 900 }, { home: browserHome?.dir });
    page = ui.page;
    for (const name of ['auth', 'api', 'web'])
      await until(`${name} healthy`, async () => (await stateOf(name)) === 'healthy', scaled(45_000));
    // Content in every view, so axe checks the cards, badges and buttons users see, not the empty states:
    // a terminal (xterm draws its own focusable parts), an agent CLI at work and one that has exited (plain
    // commands, as the other agent suites start), a task, a lock the agent holds, its message to the user,
    // and requests through the proxy, one to a host no project serves.
    await ui.call('terminals.create', { project: 'shop' });
    const call = <T>(method: string, input: unknown) => ui!.call(method, input) as Promise<T>;
    const running = await call<AgentRecord>('agents.start', {
      command: '/bin/sh',
      args: ['-c', 'cat'],
      name: 'helper',
      project: 'shop',
    });
    const exited = await call<AgentRecord>('agents.start', {
      command: '/bin/sh',
      args: ['-c', 'echo tidied; exit 3'],
      name: 'quitter',
      project: 'shop',
      supervise: false,
    });
    const task = await call<TaskInfo>('tasks.create', {
      project: 'shop',
      title: 'Tidy the styles',
      prompt: 'tidy src/styles',
      files: ['src/styles/**'],
    });
    const lock = await call<LockInfo>('locks.acquire', {
      holder: running.id,
      mode: 'WRITE',
      target: { kind: 'file', path: 'README.md' },
      ttlMs: 600_000,
    });
    await call('messages.send', { from: running.id, to: 'user', body: 'The styles are next.' });
    Object.assign(ids, { running: running.id, exited: exited.id, task: task.id, lock: lock.id });
    expect(await viaProxy(proxyPort, 'web.localhost', '/')).toBe(200);
    expect(await viaProxy(proxyPort, 'nowhere.localhost', '/')).toBe(404);
    await until(
      'quitter exited',
      async () => (await call<AgentRecord[]>('agents.list', {})).find((a) => a.id === exited.id)?.status === 'exited',
      scaled(20_000),
    );
  }, scaled(120_000));

  afterAll(async () => {
    await ui?.close();
    await daemon?.stop();
    browserHome?.dispose();
  });

  it.skipIf(skipWithoutCertutil)(
    'is served over HTTPS and HTTP/2: the page, its scripts and styles; the API WebSocket is open (needs certutil)',
    async () => {
      expect(await page.evaluate(() => location.href)).toMatch(/^https:\/\/localhost:\d+\/$/);
      const protocols = () =>
        page.evaluate(() => ({
          page: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).nextHopProtocol,
          assets: [
            ...new Set(
              (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
                .filter((r) => new URL(r.name).origin === location.origin && /\.(js|css)$/.test(r.name))
                .map((r) => r.nextHopProtocol),
            ),
          ],
        }));
      expect(await protocols()).toEqual({ page: 'h2', assets: ['h2'] });
      // the lazy chunk of a view fetched later comes over the same HTTP/2 connection
      await show('graph');
      expect(ui!.chunksRequested('graph-view')).toHaveLength(1);
      expect(await protocols()).toEqual({ page: 'h2', assets: ['h2'] });
      await expect.poll(() => page.locator('.conn-dot').getAttribute('aria-label')).toBe('daemon connection: open');
      await expect(ui!.call('daemon.info', {})).resolves.toMatchObject({ version: expect.any(String) });
      expect(ui!.errors).toEqual([]);
    },
    scaled(60_000),
  );

  it(
    'reaches every view from the sidebar, with content; axe finds no violation in either theme; photographs each',
    async () => {
      const found: Record<string, Violation[]> = {};
      // the palette (cmdk and the Radix parts it brings) is a chunk of its own, fetched on the first Ctrl+K
      expect(ui!.chunksRequested('command-palette')).toEqual([]);
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const { view } of VIEWS) {
          await show(view);
          await page.locator('main.content').waitFor();
          await page
            .locator(CONTENT[view](ids))
            .first()
            .waitFor({ timeout: scaled(15_000) });
          const violations = await axeViolations(page);
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
        const inPalette = await axeViolations(page);
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
    'opens the New agent dialog from the palette’s “Start an agent…”, by keyboard alone',
    async () => {
      await show('services');
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('Control+K');
      await page.keyboard.type('start an agent');
      await expect
        .poll(() => page.locator('[cmdk-item][data-selected="true"]').getAttribute('data-testid'))
        .toBe('palette-item-agent.new');
      await page.keyboard.press('Enter');
      const dialog = page.getByTestId('agent-new-dialog');
      await dialog.waitFor({ timeout: scaled(15_000) });
      expect(await page.getByTestId('nav-terminals').getAttribute('aria-current')).toBe('page');
      // the CLIs are listed (none of them is installed here: each says how to install it)
      await expect.poll(() => dialog.getByTestId('agent-profile').count(), { timeout: scaled(15_000) }).toBe(1);
      const violations = await axeViolations(page);
      await page.screenshot({ path: join(SHOTS, 'agent-new-from-palette-1440.png'), animations: 'disabled' });
      expect(violations).toEqual([]);
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog.count()).toBe(0);
      // the focus goes to the dialog's own button, where the keyboard carries on
      expect(await page.getByTestId('terminal-new-agent').evaluate((el) => el === document.activeElement)).toBe(true);
      expect(ui!.errors).toEqual([]);
    },
    scaled(60_000),
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

  it(
    'collapses the sidebar to a rail by its control and Ctrl+B, keeps it across a reload, and reaches views from it',
    async () => {
      await show('services');
      const sidebar = page.getByTestId('sidebar');
      const toggle = page.getByRole('button', { name: 'Sidebar' });
      const width = () => sidebar.evaluate((el) => el.getBoundingClientRect().width);
      const wide = await width();
      expect(await toggle.getAttribute('aria-expanded')).toBe('true');
      await toggle.focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('false');
      await expect.poll(width).toBeLessThan(wide / 2);
      // the content takes the room the sidebar gave up
      expect(await page.locator('main.content').evaluate((el) => el.getBoundingClientRect().left)).toBeLessThan(60);

      await page.reload();
      await toggle.waitFor();
      expect(await toggle.getAttribute('aria-expanded')).toBe('false');
      await expect.poll(width).toBeLessThan(wide / 2);
      // every view is an icon button named for screen readers; the service dots keep their states
      await page.getByRole('button', { name: 'Locks', exact: true }).click();
      await expect.poll(() => page.getByTestId('nav-locks').getAttribute('aria-current')).toBe('page');
      expect(await page.getByTestId('sidebar-service-web').getAttribute('aria-label')).toBe('web, healthy');
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        expect(await axeViolations(page)).toEqual([]);
        await page.screenshot({ path: join(SHOTS, `sidebar-collapsed-${scheme}-1024.png`), animations: 'disabled' });
      }

      await page.locator('body').click({ position: { x: 600, y: 5 } });
      await page.keyboard.press('Control+B');
      await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('true');
      await expect.poll(width).toBeGreaterThan(wide - 2);
      expect(await page.evaluate(() => localStorage.getItem('devmesh.sidebar'))).toBe('expanded');
      expect(ui!.errors).toEqual([]);
    },
    scaled(60_000),
  );
});
