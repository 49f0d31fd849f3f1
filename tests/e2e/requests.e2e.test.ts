// End to end: the Requests view in Chromium against the real headless daemon, on a project whose service
// answers after the delay asked for. A request to a host no project serves (the proxy's 404) is listed with
// its host, live and after a reload; a slow request that started before quick ones (and so ended, and was
// numbered, after them) is listed in the order the requests were made.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { RequestPage } from '../../shared/proxy.js';
import { sleep } from '../helpers/until.js';
import { DaemonProcess } from './daemon-process.js';
import { freePort, viaProxy } from './proxy-client.js';
import { skipWithoutChromium, UiPage } from './ui-page.js';
import { scaled } from '../helpers/load-scale.js';

const SCREENSHOT = '/tmp/devmesh-ui-wt-ui/requests-order.png';

describe.skipIf(skipWithoutChromium)('Requests view against the headless daemon (needs /usr/bin/chromium)', () => {
  let daemon: DaemonProcess | undefined;
  let ui: UiPage | undefined;
  let page: Page;
  let proxyPort = 0;

  beforeAll(async () => {
    proxyPort = await freePort();
    daemon = DaemonProcess.start({
      homePrefix: 'devmesh-e2e-requests-',
      project: 'tests/e2e/fixtures/timing',
      env: { DEVMESH_PROXY_HTTP_PORT: String(proxyPort), DEVMESH_PROXY_HTTPS_PORT: '0' },
    });
    ui = await UiPage.open(await daemon.url(), { width: 1440, height: 860 });
    page = ui.page;
  }, scaled(60_000));

  afterAll(async () => {
    await ui?.close();
    await daemon?.stop();
  });

  const rows = () => page.getByTestId('request-row');
  const hosts = () => rows().evaluateAll((els) => els.map((e) => e.querySelector('.col-host')?.getAttribute('title')));
  const shownSeqs = () => rows().evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));

  /** the service is up and the Requests view on screen (each test can run alone) */
  const showRequests = async () => {
    await page.getByTestId('nav-services').click();
    await expect
      .poll(
        () =>
          page
            .getByTestId('service-state-slow')
            .textContent({ timeout: 1000 })
            .catch(() => null),
        { timeout: 45_000, interval: 200 },
      )
      .toBe('healthy');
    await page.getByTestId('nav-requests').click();
    await page.getByTestId('requests-view').waitFor({ timeout: 10_000 });
  };

  it(
    'lists a request to an unknown host with its host, live and after a reload',
    async () => {
      await showRequests();
      expect(await viaProxy(proxyPort, 'nowhere.localhost', '/lost')).toBe(404);
      expect(await viaProxy(proxyPort, 'slow.localhost', '/?ms=0')).toBe(200);
      await expect.poll(hosts, { timeout: 10_000 }).toEqual(['slow.localhost', 'nowhere.localhost']);
      const unknown = rows().filter({ has: page.locator('[title="nowhere.localhost"]') });
      await expect(unknown.getAttribute('data-status')).resolves.toBe('404');
      await expect(unknown.locator('.col-path').textContent()).resolves.toBe('/lost');

      await page.reload();
      await expect.poll(hosts, { timeout: 10_000 }).toEqual(['slow.localhost', 'nowhere.localhost']);
      // a service picked: the unknown host reached none
      await page.getByTestId('request-filter-service').selectOption('slow');
      await expect.poll(hosts, { timeout: 5000 }).toEqual(['slow.localhost']);
      await page.getByTestId('request-filter-service').selectOption('');
      await expect.poll(hosts, { timeout: 5000 }).toEqual(['slow.localhost', 'nowhere.localhost']);
      expect(ui!.errors).toEqual([]);
    },
    scaled(60_000),
  );

  it(
    'lists a slow request where it started, before the quick ones made while it ran',
    async () => {
      await showRequests();
      const slow = viaProxy(proxyPort, 'slow.localhost', '/?ms=1500');
      await sleep(300);
      for (let i = 0; i < 3; i++) expect(await viaProxy(proxyPort, 'slow.localhost', `/?ms=0&quick=${i}`)).toBe(200);
      expect(await slow).toBe(200);
      await page.getByTestId('request-filter-service').selectOption('slow');

      // The daemon's own record of when each request started: newest first is by start time.
      const { requests } = (await ui!.call('proxy.requests', { project: 'timing', service: 'slow' })) as RequestPage;
      expect(requests.length).toBeGreaterThanOrEqual(4);
      await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(requests.length);
      const expected = [...requests].sort((a, b) => b.ts - a.ts || b.seq - a.seq).map((r) => r.seq);
      const slowSeq = requests.find((r) => r.path === '/?ms=1500')!.seq;
      // the slow request ended last: the highest seq, but it started before the three quick ones
      expect(slowSeq).toBe(Math.max(...requests.map((r) => r.seq)));
      expect(expected.indexOf(slowSeq)).toBe(3);
      await expect.poll(shownSeqs, { timeout: 5000 }).toEqual(expected);
      await page.screenshot({ path: SCREENSHOT, animations: 'disabled' });

      await page.reload();
      await page.getByTestId('request-filter-service').selectOption('slow');
      await expect.poll(shownSeqs, { timeout: 10_000 }).toEqual(expected);
      expect(ui!.errors).toEqual([]);
    },
    scaled(45_000),
  );
});
