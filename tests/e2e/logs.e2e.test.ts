// End to end: the log pane against the real headless daemon in Debian's Chromium. A service prints pino
// JSON and plain lines, then keeps printing; the pane searches through the daemon's index, marks matches,
// jumps between them with Enter and Shift+Enter, colours structured lines by level, and follows new
// matching lines at the bottom until the user scrolls up. The first burst alone holds more matches than the
// view shows, so the jump to the newest match always scrolls, however many live lines came before the search.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DaemonProcess } from './daemon-process.js';
import { skipWithoutChromium, UiPage } from './ui-page.js';
import { scaled } from '../helpers/load-scale.js';

const SERVICE = `
const http = require('http');
const pino = (level, msg, extra) => console.log(JSON.stringify({ level, time: Date.now(), pid: process.pid, msg, ...extra }));
for (let i = 0; i < 300; i++) {
  if (i % 5 === 2) pino(50, 'payment failed for order ' + i, { user: { id: i } });
  else if (i % 3 === 0) pino(30, 'order ' + i + ' shipped', { user: { id: i } });
  else console.log('GET /api/orders/' + i + ' 200 in ' + (i % 40) + 'ms');
}
let n = 0;
setInterval(() => {
  n++;
  console.log('tick ' + n);
  if (n % 3 === 0) pino(40, 'payment retry ' + n, { attempt: n });
}, 150);
http.createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
`;

/** 'payment failed' lines in the first burst */
const BURST_PAYMENTS = 60;

describe.skipIf(skipWithoutChromium)('the log pane against the headless daemon (needs /usr/bin/chromium)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'devmesh-e2e-logs-'));
  let daemon: DaemonProcess | undefined;
  let ui: UiPage | undefined;
  let page: Page;

  beforeAll(async () => {
    writeFileSync(join(dir, 'api.js'), SERVICE);
    writeFileSync(
      join(dir, 'devmesh.yaml'),
      [
        'project: logdemo',
        'services:',
        '  api:',
        '    version: 1.0.0',
        `    command: "'${process.execPath}' api.js"`,
        '',
      ].join('\n'),
    );
    daemon = DaemonProcess.start({ project: dir, homePrefix: 'devmesh-e2e-logs-home-' });
    ui = await UiPage.open(await daemon.url());
    page = ui.page;
  }, scaled(60_000));

  afterAll(async () => {
    await ui?.close();
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const lines = () => page.getByTestId('log-pane').getByTestId('log-line');
  /** the row of `seq` lies wholly inside the log's view */
  const inView = (seq: number) =>
    page.getByTestId('log-lines').evaluate((el, s) => {
      const row = el.querySelector(`[data-seq="${s}"]`)?.getBoundingClientRect();
      const view = el.getBoundingClientRect();
      return row !== undefined && row.top >= view.top && row.bottom <= view.bottom;
    }, seq);
  /** two frames: a scroll made before has fired its event, and React has rendered what it set */
  const frames = () =>
    page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));

  it(
    'searches, marks matches, jumps between them, colours levels and follows new matches',
    async () => {
      await page.getByTestId('service-row-api').click({ timeout: scaled(30_000) });
      await expect.poll(() => lines().count(), { timeout: scaled(20_000) }).toBeGreaterThan(100);
      // a structured error line reads as its message and fields, coloured as an error
      const error = page.locator('.log-line[data-level="error"]').first();
      await expect
        .poll(() => error.locator('.log-text').textContent())
        .toMatch(/^payment failed for order \d+ {2}pid=\d+ user\.id=\d+$/);
      expect(await error.getAttribute('class')).toContain('log-level-error');

      // following keeps the newest line in view; scrolling up to read pauses it
      const gap = () =>
        page.getByTestId('log-lines').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
      expect(await page.getByTestId('log-follow').isChecked()).toBe(true);
      await expect.poll(gap, { timeout: scaled(5_000) }).toBeLessThan(30);
      // (a batch landing between the scroll and its event puts the view back at the bottom: scroll again)
      await expect
        .poll(async () => {
          await page.getByTestId('log-lines').evaluate((el) => el.scrollTo({ top: 0 }));
          return page.getByTestId('log-follow').isChecked();
        })
        .toBe(false);

      await page.getByTestId('log-search').fill('payment');
      await expect
        .poll(
          async () => {
            const texts = await lines().locator('.log-text').allTextContents();
            return texts.length >= BURST_PAYMENTS && texts.every((t) => /payment/i.test(t));
          },
          { timeout: scaled(10_000) },
        )
        .toBe(true);
      expect(await page.getByTestId('log-match').first().textContent()).toBe('payment');

      expect(await page.getByTestId('log-lines').evaluate((el) => el.scrollHeight > 2 * el.clientHeight)).toBe(true);

      // Enter: the newest match, then Shift+Enter the one before; following stops, though the jump to the
      // newest match takes the view to the bottom
      const lastBefore = Number(await lines().last().getAttribute('data-seq'));
      await page.getByTestId('log-search').press('Enter');
      const current = () => page.getByTestId('log-pane').locator('[aria-current="true"]').getAttribute('data-seq');
      await expect.poll(current).not.toBeNull();
      const newest = Number(await current());
      expect(newest).toBeGreaterThanOrEqual(lastBefore); // live matches may have come in meanwhile
      await expect.poll(() => inView(newest)).toBe(true);
      await frames(); // the jump's `scroll` event has been handled
      expect(await page.getByTestId('log-follow').isChecked()).toBe(false);
      await page.getByTestId('log-search').press('Shift+Enter');
      await expect.poll(async () => Number(await current())).toBeLessThan(newest);
      await expect.poll(async () => inView(Number(await current()))).toBe(true);
      await frames();
      expect(await page.getByTestId('log-follow').isChecked()).toBe(false);
      await expect(page.getByTestId('log-match-count').textContent()).resolves.toMatch(/^\d+ \/ \d+ match/);

      // follow: new matching lines arrive at the bottom and stay in view
      await page.getByTestId('log-follow').check();
      const before = await lines().count();
      await expect.poll(() => lines().count(), { timeout: scaled(10_000) }).toBeGreaterThan(before + 1);
      await expect.poll(gap, { timeout: scaled(5_000) }).toBeLessThan(30);
      expect(await lines().last().locator('.log-text').textContent()).toMatch(/^payment retry \d+/);

      // a wrong search says what is wrong, in the user's terms
      await page.getByTestId('log-search').fill('payment "oops');
      await expect
        .poll(() => page.getByTestId('log-search-error').textContent())
        .toMatch(/quote at column 9 that is never closed/);
      await page.screenshot({ path: '/tmp/devmesh-ui-logs.png', animations: 'disabled' });
      expect(ui!.errors).toEqual([]);
      expect(daemon!.running).toBe(true);
    },
    scaled(90_000),
  );
});
