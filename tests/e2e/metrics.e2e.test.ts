// End to end: the real headless daemon samples the shop example every half second (metrics.interval_ms in its
// config.yaml) and the built UI in Debian's Chromium draws each running service's CPU and memory sparklines in
// its row, growing a point per sample; clicking them opens the service's chart, which Escape closes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { scaled } from '../helpers/load-scale.js';
import { DaemonProcess } from './daemon-process.js';
import { skipWithoutChromium, UiPage } from './ui-page.js';

describe.skipIf(skipWithoutChromium)('process sparklines in the services view (needs /usr/bin/chromium)', () => {
  let daemon: DaemonProcess | undefined;
  let ui: UiPage | undefined;
  let page: Page;

  beforeAll(async () => {
    const home = mkdtempSync(join(tmpdir(), 'devmesh-e2e-metrics-'));
    writeFileSync(join(home, 'config.yaml'), 'metrics:\n  interval_ms: 500\n');
    daemon = DaemonProcess.start({
      home,
      env: {
        DEVMESH_PROXY_HTTP_PORT: '0',
        DEVMESH_PROXY_HTTPS_PORT: 'off',
        DEVMESH_MESH_MDNS: 'off',
        DEVMESH_MESH_PORT: '0',
        DEVMESH_MESH_INGRESS_PORT: '0',
      },
    });
    ui = await UiPage.open(await daemon.url());
    page = ui.page;
  }, scaled(60_000));

  afterAll(async () => {
    await ui?.close();
    await daemon?.stop();
  });

  const points = () =>
    page
      .getByTestId('usage-service:shop/api')
      .getByRole('img', { name: 'memory of api' })
      .getAttribute('data-points', { timeout: 1000 })
      .then(Number)
      .catch(() => 0);

  it(
    'draws sparklines that grow with the samples, and opens a chart per service',
    async () => {
      await expect.poll(points, { timeout: scaled(45_000), interval: 200 }).toBeGreaterThanOrEqual(3);
      const before = await points();
      await expect.poll(points, { timeout: scaled(10_000), interval: 200 }).toBeGreaterThan(before);
      const line = page.getByTestId('usage-service:shop/api').locator('svg.spark-mem polyline');
      expect((await line.getAttribute('points'))!.split(' ').length).toBeGreaterThanOrEqual(3);
      expect(await page.getByTestId('usage-mem-service:shop/api').textContent()).toMatch(/^\d+(\.\d)? MB$/);

      await page.getByRole('button', { name: /^api: .*, CPU and memory; open its chart$/ }).click();
      const chart = page.getByRole('region', { name: 'What api uses' });
      await expect.poll(() => chart.getByTestId('chart-mem-service:shop/api').textContent()).toMatch(/now \d/);
      await page.keyboard.press('Escape');
      await expect.poll(() => chart.count()).toBe(0);
      expect(ui!.errors).toEqual([]);
    },
    scaled(90_000),
  );
});
