// End to end: the real headless daemon serving the built UI to Debian's Chromium. The shop example comes
// up healthy; the https link in web's row opens web over HTTP/2 (the CA trusted as `devmesh ca trust` says)
// and the daemon stays up; the operator stops `web` from the table, and the log pane shows what happened;
// the action buttons stay on screen from 1024 to 1920 px; the graph's range labels are readable; the Graph view,
// a chunk of its own, is fetched only when first shown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { RequestPage } from '../../shared/proxy.js';
import { sleep } from '../helpers/until.js';
import { DaemonProcess } from './daemon-process.js';
import { viaProxy } from './proxy-client.js';
import { skipWithoutCertutil, TrustedBrowserHome } from './trusted-browser-home.js';
import { skipWithoutChromium, UiPage } from './ui-page.js';
import { scaled } from '../helpers/load-scale.js';

const SCREENSHOT = '/tmp/devmesh-ui.png';
/** screenshots of this branch's checks, looked at by hand as well as asserted on */
const SHOTS = '/tmp/devmesh-ui-wt-ui';

const SERVICES = ['auth', 'api', 'web'];

describe.skipIf(skipWithoutChromium)('services view against the headless daemon (needs /usr/bin/chromium)', () => {
  let daemon: DaemonProcess | undefined;
  let ui: UiPage | undefined;
  let page: Page;

  let browserHome: TrustedBrowserHome | undefined;

  beforeAll(async () => {
    daemon = DaemonProcess.start();
    const url = await daemon.url();
    // The browser trusts the daemon's CA as `devmesh ca trust` says (its own HOME and NSS database).
    if (!skipWithoutCertutil) browserHome = TrustedBrowserHome.create(daemon.home);
    ui = await UiPage.open(url, undefined, { home: browserHome?.dir });
    page = ui.page;
  });

  afterAll(async () => {
    await ui?.close();
    await daemon?.stop(); // already stopped by the last test unless an earlier one failed
    browserHome?.dispose();
  });

  const stateOf = (name: string) =>
    page
      .getByTestId(`service-state-${name}`)
      .textContent({ timeout: 1000 })
      .catch(() => null);

  it(
    'shows every service of the shop reaching healthy',
    async () => {
      for (const name of SERVICES)
        await expect.poll(() => stateOf(name), { timeout: 45_000, interval: 200 }).toBe('healthy');
      await expect(page.getByTestId('connection-banner').count()).resolves.toBe(0);
      await expect(page.getByTestId('config-error-banner').count()).resolves.toBe(0);
      await expect(page.getByTestId('service-start-web').isDisabled()).resolves.toBe(true);
      await expect(page.getByTestId('service-stop-web').isEnabled()).resolves.toBe(true);
    },
    scaled(60_000),
  );

  it(
    'stops web from its row and shows its log',
    async () => {
      await page.getByTestId('service-stop-web').click();
      await expect.poll(() => stateOf('web'), { timeout: scaled(20_000), interval: 100 }).toBe('stopped');
      // the row's buttons wait for the stop call's own answer, which can come just after the state
      const startEnabled = () => page.getByTestId('service-start-web').isEnabled();
      await expect.poll(startEnabled, { timeout: scaled(10_000), interval: 100 }).toBe(true);
      for (const name of ['auth', 'api']) expect(await stateOf(name)).toBe('healthy');

      await page.getByTestId('service-row-web').click();
      const lines = page.getByTestId('log-pane').getByTestId('log-line');
      await expect.poll(() => lines.count(), { timeout: 10_000 }).toBeGreaterThan(0);

      // The filter narrows the shown lines case-insensitively; clearing it brings them back.
      const all = await lines.count();
      const first = (await lines.first().locator('.log-text').textContent()) ?? '';
      const word = first.trim().split(/\s+/)[0] ?? '';
      await page.getByTestId('log-search').fill(word.toUpperCase());
      await expect
        .poll(
          async () =>
            (await lines.locator('.log-text').allTextContents()).every((t) =>
              t.toLowerCase().includes(word.toLowerCase()),
            ),
          { timeout: 10_000 },
        )
        .toBe(true);
      await page.getByTestId('log-search').fill('no line says this 7f3a');
      await expect.poll(() => lines.count(), { timeout: 10_000 }).toBe(0);
      await page.getByTestId('log-search').fill('');
      await expect.poll(() => lines.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(all);

      await page.emulateMedia({ colorScheme: 'light' });
      await page.screenshot({ path: SCREENSHOT.replace('.png', '-light.png'), animations: 'disabled' });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: SCREENSHOT, animations: 'disabled' });
      expect(ui!.errors).toEqual([]);
    },
    scaled(45_000),
  );

  it(
    'keeps every action button on screen and clickable from 1024 to 1920 px, a long reason cut short',
    async () => {
      // web was stopped by the test before: its row carries a stop reason
      const rowButtons = () =>
        page.evaluate(() =>
          Array.from(document.querySelectorAll<HTMLButtonElement>('.col-actions .btn'), (b) => {
            const r = b.getBoundingClientRect();
            const wrap = b.closest('.table-wrap')!.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return {
              id: b.getAttribute('data-testid'),
              inWindow: r.left >= 0 && r.right <= window.innerWidth && r.width > 0,
              inTable: r.left >= wrap.left && r.right <= wrap.right,
              reachable: hit === b,
            };
          }),
        );
      // traffic beside api (its rates are the row's widest cell)
      const routes = (await ui!.call('proxy.routes', {})) as { service: string; urls: string[] }[];
      const port = Number(new URL(routes.find((r) => r.service === 'api')!.urls[0]!).port);
      for (let i = 0; i < 10; i++) expect(await viaProxy(port, 'api.localhost', '/orders')).toBe(200);
      await expect
        .poll(() => page.getByTestId('service-traffic-api').textContent(), { timeout: 10_000 })
        .toMatch(/req\/s/);
      for (const width of [1024, 1440, 1920]) {
        await page.setViewportSize({ width, height: 800 });
        await expect.poll(() => stateOf('web'), { timeout: 10_000 }).toBe('stopped');
        const reason = page.getByTestId('service-row-web').locator('.col-reason');
        const full = await reason.getAttribute('title');
        expect(full, 'the whole reason, on hover').toMatch(/stopped/);
        const buttons = await rowButtons();
        expect(buttons).toHaveLength(SERVICES.length * 3);
        for (const b of buttons)
          expect(b, `${b.id} at ${width} px`).toEqual({ id: b.id, inWindow: true, inTable: true, reachable: true });
        await page.screenshot({ path: `${SHOTS}/services-${width}.png`, animations: 'disabled' });

        // Clicked where it is drawn, with no scrolling: web starts, then stops again.
        const click = async (testId: string) => {
          const box = (await page.getByTestId(testId).boundingBox())!;
          await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
        };
        await click('service-start-web');
        await expect.poll(() => stateOf('web'), { timeout: 20_000, interval: 100 }).toBe('healthy');
        await click('service-stop-web');
        await expect.poll(() => stateOf('web'), { timeout: 20_000, interval: 100 }).toBe('stopped');
      }
      // a reason far longer than the room for it: cut short on screen, whole in the title
      const long = `stopped by request; ${'the reason goes on and on '.repeat(12)}`;
      await page.evaluate((text) => {
        const cell =
          document.querySelector('[data-testid="service-row-web"] .col-reason .reason-text') ??
          document.querySelector('[data-testid="service-row-web"] .col-reason');
        cell!.textContent = text;
      }, long);
      await page.setViewportSize({ width: 1024, height: 800 });
      for (const b of await rowButtons())
        expect(b, `${b.id} with a long reason`).toEqual({ id: b.id, inWindow: true, inTable: true, reachable: true });
      await page.screenshot({ path: `${SHOTS}/services-1024-long-reason.png`, animations: 'disabled' });
      await page.setViewportSize({ width: 1280, height: 800 });
      expect(ui!.errors).toEqual([]);
    },
    scaled(90_000),
  );

  it(
    'fetches the Graph view chunk on the first visit to the tab, and draws the shop with it',
    async () => {
      const graphChunks = () => ui!.chunksRequested('graph-view');
      expect(graphChunks()).toEqual([]);
      await page.getByTestId('nav-graph').click();
      await page.getByTestId('graph-view').waitFor({ timeout: 10_000 });
      expect(graphChunks()).toHaveLength(1);
      await expect
        .poll(() => page.locator('[data-testid^="graph-node-"]').count(), { timeout: 10_000 })
        .toBe(SERVICES.length);
      await page.getByTestId('nav-services').click();
      await page.getByTestId('nav-graph').click();
      await page.getByTestId('graph-view').waitFor({ timeout: 5000 });
      expect(graphChunks()).toHaveLength(1);
      await page.screenshot({ path: SCREENSHOT.replace('.png', '-graph.png'), animations: 'disabled' });
      await page.getByTestId('nav-services').click();
      expect(ui!.errors).toEqual([]);
    },
    scaled(30_000),
  );

  it(
    'draws the dependency ranges readable: on top, high contrast, full size, clear of the boxes',
    async () => {
      await page.getByTestId('nav-graph').click();
      await page.getByTestId('graph-view').waitFor({ timeout: 10_000 });
      const labels = page.locator('[data-testid^="graph-edge-"]');
      await expect.poll(() => labels.count(), { timeout: 10_000 }).toBe(2);
      // Traffic on api → auth (api asks auth through the proxy for each order): its label gets a rate line.
      const routes = (await ui!.call('proxy.routes', {})) as { service: string; urls: string[] }[];
      const port = Number(new URL(routes.find((r) => r.service === 'api')!.urls[0]!).port);
      for (let i = 0; i < 10; i++) expect(await viaProxy(port, 'api.localhost', '/orders')).toBe(200);
      await expect
        .poll(() => labels.allTextContents(), { timeout: 20_000 })
        .toContainEqual(expect.stringMatching(/^\^2\.1[\d.<]+ req\/s$/));
      for (const scheme of ['dark', 'light'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        const seen = await labels.evaluateAll((els) => {
          // WCAG 2 relative luminance and contrast ratio of two computed rgb() colours
          const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
          const lum = (c: string) => {
            const [r, g, b] = rgb(c).map((v) =>
              v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4,
            );
            return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
          };
          const contrast = (a: string, b: string) => {
            const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
            return (hi! + 0.05) / (lo! + 0.05);
          };
          const boxes = Array.from(document.querySelectorAll('[data-testid^="graph-node-"]'), (n) =>
            n.getBoundingClientRect(),
          );
          // Hit testing follows paint order, but skips what ignores the pointer (React Flow's group boxes):
          // let every node take it, so a box painted over a label is found over it.
          const nodes = Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node'));
          // the zoom React Flow fitted the graph at: what the eye gets is the font size times it
          const zoom = new DOMMatrix(getComputedStyle(document.querySelector('.react-flow__viewport')!).transform).a;
          for (const n of nodes) n.style.pointerEvents = 'auto';
          const overlaps = (a: DOMRect, b: DOMRect) =>
            a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
          const result = els.map((el) => {
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
            return {
              text: el.querySelector('.graph-edge-range')?.textContent ?? el.textContent,
              traffic: el.querySelector('.graph-edge-traffic')?.textContent ?? null,
              fontPx: parseFloat(style.fontSize),
              drawnFontPx: parseFloat(style.fontSize) * zoom,
              heightPx: box.height,
              background: style.backgroundColor,
              contrast: contrast(style.color, style.backgroundColor),
              onTop: hit !== null && el.contains(hit),
              overNode: boxes.some((b) => overlaps(box, b)),
              overLabel: els.some((other) => other !== el && overlaps(box, other.getBoundingClientRect())),
            };
          });
          for (const n of nodes) n.style.pointerEvents = '';
          return result;
        });
        for (const label of seen) {
          expect(label, scheme).toMatchObject({ onTop: true, overNode: false, overLabel: false });
          expect(label.fontPx, `${label.text} font size`).toBeGreaterThanOrEqual(12);
          expect(label.drawnFontPx, `${label.text} font size as drawn`).toBeGreaterThanOrEqual(11);
          expect(label.heightPx, `${label.text} drawn height`).toBeGreaterThanOrEqual(16);
          expect(label.contrast, `${label.text} contrast (${scheme})`).toBeGreaterThanOrEqual(4.5);
          expect(label.background, 'an opaque background').toMatch(/^rgb\(/);
        }
        expect(seen.map((l) => l.text).sort()).toEqual(['^1.2', '^2.1']);
        expect(seen.find((l) => l.text === '^2.1')?.traffic).toMatch(/^[\d.<]+ req\/s$/);
        await page.screenshot({ path: `${SHOTS}/graph-labels-${scheme}.png`, animations: 'disabled' });
      }
      await page.getByTestId('nav-services').click();
      expect(ui!.errors).toEqual([]);
    },
    scaled(30_000),
  );

  it.skipIf(skipWithoutCertutil)(
    'follows the https link in web’s row to web over HTTP/2, the CA trusted, and the daemon stays up',
    async () => {
      // Last but one: if this path still takes the daemon down, the suite's other checks have run.
      await page.getByTestId('nav-services').click();
      if ((await stateOf('web')) === 'stopped') await page.getByTestId('service-start-web').click();
      await expect.poll(() => stateOf('web'), { timeout: 20_000, interval: 100 }).toBe('healthy');
      const link = page.getByTestId('service-url-web').locator('a[href^="https://"]');
      const href = (await link.getAttribute('href', { timeout: 10_000 }))!;
      expect(href).toMatch(/^https:\/\/web\.localhost:\d+\/$/);
      const [tab] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
      await tab.waitForLoadState('load');
      expect(tab.url()).toBe(href);
      expect(
        await tab.evaluate(
          () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).nextHopProtocol,
        ),
      ).toBe('h2');
      expect(await tab.locator('h1').textContent()).toBe('Orders of ada'); // web, through api and auth
      const again = (await tab.reload())!;
      expect(again.status()).toBe(200);
      const tls = await again.securityDetails();
      expect(tls).toMatchObject({ subjectName: 'web.localhost' });
      expect(tls?.issuer).toContain('DevMesh Local CA');
      await tab.close();

      // The request log stores these rows from a timer: the path that took the daemon down on its first h2 request.
      const tlsRows = async () =>
        ((await ui!.call('proxy.requests', { service: 'web' })) as RequestPage).requests.filter(
          (r) => r.tls && r.path === '/',
        );
      await expect.poll(async () => (await tlsRows()).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      for (const row of await tlsRows()) expect(row.bytesOut, 'bytes sent over h2').toBeGreaterThan(0);
      await sleep(1000); // more than the log's flush interval: a throwing timer would have ended the daemon by now
      expect(daemon!.running, daemon!.output.slice(-3000)).toBe(true);
      await expect(ui!.call('daemon.info', {})).resolves.toMatchObject({ version: expect.any(String) });
      for (const name of SERVICES) expect(await stateOf(name)).toBe('healthy');
      expect(ui!.errors).toEqual([]);
    },
    scaled(45_000),
  );

  it(
    'says so when the daemon goes away',
    async () => {
      await page.getByTestId('nav-services').click();
      await expect(daemon!.stop()).resolves.toBe(0);
      const banner = page.getByTestId('connection-banner');
      await expect.poll(() => banner.count(), { timeout: 10_000 }).toBe(1);
      await expect(banner.getAttribute('data-state')).resolves.toBe('reconnecting');
      await expect(page.getByTestId('service-stop-auth').isDisabled()).resolves.toBe(true);
      await page.screenshot({ path: SCREENSHOT.replace('.png', '-disconnected.png'), animations: 'disabled' });
    },
    scaled(30_000),
  );
});
