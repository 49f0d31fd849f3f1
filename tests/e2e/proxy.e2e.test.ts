// End to end: the proxy's faces in Chromium against the real headless daemon running the shop example.
// The services table links each service's .localhost URL and shows its traffic; requests sent through the
// proxy appear in the Requests view, which filters them by service and by errors. The browser trusts the
// daemon's CA as `devmesh ca trust` says and follows a service's https link over HTTP/2: those requests are
// listed with their bytes, and the daemon stays up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DaemonProcess } from './daemon-process.js';
import { freePort, viaProxy as send } from './proxy-client.js';
import { skipWithoutCertutil, TrustedBrowserHome } from './trusted-browser-home.js';
import { sleep } from '../helpers/until.js';
import { skipWithoutChromium, UiPage } from './ui-page.js';
import { scaled } from '../helpers/load-scale.js';

const SCREENSHOT = '/tmp/devmesh-ui-requests.png';
const SERVICES = ['auth', 'api', 'web'];

describe.skipIf(skipWithoutChromium)(
  'proxy faces in the UI against the headless daemon (needs /usr/bin/chromium)',
  () => {
    let daemon: DaemonProcess | undefined;
    let ui: UiPage | undefined;
    let page: Page;
    let proxyPort = 0;

    const viaProxy = (host: string, path: string) => send(proxyPort, host, path);

    let browserHome: TrustedBrowserHome | undefined;

    beforeAll(async () => {
      proxyPort = await freePort();
      daemon = DaemonProcess.start({
        homePrefix: 'devmesh-e2e-proxy-',
        env: { DEVMESH_PROXY_HTTP_PORT: String(proxyPort), DEVMESH_PROXY_HTTPS_PORT: '0' },
      });
      const url = await daemon.url();
      // The browser trusts the daemon's CA as `devmesh ca trust` says (its own HOME and NSS database).
      if (!skipWithoutCertutil) browserHome = TrustedBrowserHome.create(daemon.home);
      ui = await UiPage.open(url, { width: 1440, height: 860 }, { home: browserHome?.dir });
      page = ui.page;
    });

    afterAll(async () => {
      await ui?.close();
      await daemon?.stop();
      browserHome?.dispose();
    });

    const rows = () => page.getByTestId('request-row');

    it(
      'shows the proxy URL of every shop service, as a link that opens a new tab',
      async () => {
        for (const name of SERVICES) {
          await expect
            .poll(
              () =>
                page
                  .getByTestId(`service-state-${name}`)
                  .textContent({ timeout: 1000 })
                  .catch(() => null),
              { timeout: 45_000, interval: 200 },
            )
            .toBe('healthy');
        }
        for (const name of SERVICES) {
          const link = page.getByTestId(`service-url-${name}`).locator('a').first();
          await expect
            .poll(() => link.getAttribute('href', { timeout: 1000 }).catch(() => null), { timeout: 10_000 })
            .toBe(`http://${name}.localhost:${proxyPort}/`);
          await expect(link.getAttribute('target')).resolves.toBe('_blank');
          await expect(link.getAttribute('rel')).resolves.toContain('noopener');
        }
      },
      scaled(60_000),
    );

    it(
      'shows live traffic beside a service after requests through the proxy',
      async () => {
        for (let i = 0; i < 5; i++) expect(await viaProxy('api.localhost', '/orders')).toBe(200);
        expect(await viaProxy('api.localhost', '/no-such-route')).toBe(404);
        expect(await viaProxy('web.localhost', '/')).toBe(200);
        await expect
          .poll(() => page.getByTestId('service-traffic-api').textContent(), { timeout: 10_000 })
          .toMatch(/req\/s · [\d.<]+ err\/s/);
      },
      scaled(30_000),
    );

    it(
      'lists the requests in the Requests view and filters them by service and errors',
      async () => {
        await page.getByTestId('nav-requests').click();
        await expect(page.getByTestId('requests-view').count()).resolves.toBe(1);
        await expect.poll(() => rows().count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(7);
        const services = async () =>
          new Set(await rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-service'))));
        // web reaches api, and api auth, through the proxy (the <DEP>_URL DevMesh injects): those calls show too.
        expect(await services()).toEqual(new Set(['api', 'web', 'auth']));

        await page.getByTestId('request-filter-service').selectOption('api');
        await expect.poll(async () => [...(await services())], { timeout: 5000 }).toEqual(['api']);
        // 5 orders and a 404 from the test, and web's call for its page
        await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(7);

        // Live: a request made now appears without a reload, within the view's filter (web's page adds its call to api).
        await viaProxy('api.localhost', '/orders');
        await viaProxy('web.localhost', '/');
        await expect.poll(() => rows().count(), { timeout: 5000 }).toBe(9);
        expect([...(await services())]).toEqual(['api']);

        await page.getByTestId('request-errors-only').check();
        await expect
          .poll(() => rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-status'))), { timeout: 5000 })
          .toEqual(['404']);

        await page.emulateMedia({ colorScheme: 'dark' });
        await page.getByTestId('request-errors-only').uncheck();
        await page.getByTestId('request-filter-service').selectOption('');
        await expect.poll(() => rows().count(), { timeout: 5000 }).toBeGreaterThanOrEqual(9);
        await page.screenshot({ path: SCREENSHOT, animations: 'disabled' });

        // A reload comes back to the Requests view.
        await page.reload();
        await expect.poll(() => page.getByTestId('requests-view').count(), { timeout: 10_000 }).toBe(1);
        await expect.poll(() => rows().count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(9);

        await page.getByTestId('nav-services').click();
        await expect(page.getByTestId('service-row-api').count()).resolves.toBe(1);
        await page.screenshot({ path: SCREENSHOT.replace('requests', 'services-proxy'), animations: 'disabled' });
        expect(ui!.errors).toEqual([]);
      },
      scaled(45_000),
    );

    it.skipIf(skipWithoutCertutil)(
      'follows a service’s https link over HTTP/2 and lists those requests with their bytes; the daemon stays up',
      async () => {
        await page.getByTestId('nav-services').click();
        const link = page.getByTestId('service-url-web').locator('a[href^="https://"]');
        const href = (await link.getAttribute('href', { timeout: 10_000 }))!;
        expect(href).toMatch(/^https:\/\/web\.localhost:\d+\/$/);
        const [tab] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
        await tab.waitForLoadState('load');
        expect(
          await tab.evaluate(
            () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).nextHopProtocol,
          ),
        ).toBe('h2');
        expect(await tab.locator('h1').textContent()).toBe('Orders of ada');
        const again = (await tab.reload())!;
        expect((await again.securityDetails())?.issuer).toContain('DevMesh Local CA');
        await tab.close();

        // The Requests view lists them, marked tls, with the bytes sent (HTTP/2 counted as HTTP/1.1 is).
        await page.getByTestId('nav-requests').click();
        // (the page's own requests: Chromium also asks for /favicon.ico, which web does not have)
        const tlsRows = rows()
          .filter({ has: page.locator('.tag', { hasText: 'tls' }) })
          .filter({ has: page.locator('.col-path', { hasText: /^\/$/ }) });
        await expect.poll(() => tlsRows.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
        for (const row of await tlsRows.all()) {
          expect(await row.getAttribute('data-status')).toBe('200');
          expect(await row.locator('td').nth(5).getAttribute('title')).toMatch(
            /^[\d,]+ bytes in, [1-9][\d,]* bytes out$/,
          );
        }
        await page.screenshot({ path: '/tmp/devmesh-ui-wt-ui/requests-h2.png', animations: 'disabled' });
        await sleep(1000); // more than the request log's flush interval: a throwing timer would have ended the daemon
        expect(daemon!.running, daemon!.output.slice(-3000)).toBe(true);
        await expect(ui!.call('daemon.info', {})).resolves.toMatchObject({ version: expect.any(String) });
        expect(ui!.errors).toEqual([]);
      },
      scaled(45_000),
    );
  },
);
