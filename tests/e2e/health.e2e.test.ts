// End to end: the daemon's health in the UI's header, against a real failure. DEVMESH_HOME lives on a
// small tmpfs this suite mounts; once the shop is up the disk is filled, and the lines a service logs (auth,
// asked for its session) can no longer be stored. The daemon must stay up, its services running, and the
// header must say what fails (the part, "disk full", the daemon's message and its rule for the data
// meanwhile), its counts kept current. Freeing the space clears the header by itself, live.
// Needs root (a tmpfs, tests/helpers/full-disk.ts) and Chromium; skipped with the reason otherwise (CI runs as
// root and installs both).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { FullDisk } from '../helpers/full-disk.js';
import { sleep } from '../helpers/until.js';
import { DaemonProcess } from './daemon-process.js';
import { freePort } from './proxy-client.js';
import { skipWithoutChromium, UiPage } from './ui-page.js';
import { scaled } from '../helpers/load-scale.js';

const SHOTS = '/tmp/devmesh-ui-wt-ui';
const noDisk = skipWithoutChromium ? null : FullDisk.unavailable();

describe.skipIf(skipWithoutChromium || noDisk !== null)(
  `the daemon health in the header, on a full disk (${noDisk ?? 'needs /usr/bin/chromium'})`,
  () => {
    let disk: FullDisk | undefined;
    let daemon: DaemonProcess | undefined;
    let ui: UiPage | undefined;
    let page: Page;

    beforeAll(async () => {
      disk = FullDisk.mount(64, 'devmesh-e2e-health-');
      daemon = DaemonProcess.start({
        home: join(disk.dir, 'home'),
        env: { DEVMESH_PROXY_HTTP_PORT: String(await freePort()), DEVMESH_PROXY_HTTPS_PORT: '0' },
      });
      ui = await UiPage.open(await daemon.url(), { width: 1440, height: 860 });
      page = ui.page;
    }, scaled(60_000));

    afterAll(async () => {
      await ui?.close();
      await daemon?.stop().catch((err: unknown) => console.error(err));
      disk?.dispose();
    });

    const shown = () =>
      page
        .getByTestId('health-problem')
        .evaluateAll((els) => els.map((e) => [e.getAttribute('data-component'), e.getAttribute('data-code')]));
    /** Requests straight to auth's own port while waiting: auth logs a line for each, which the daemon's log
     *  store must write to the full disk. (Not through the proxy: the request log is the proxy's to contain,
     *  and its own suites cover it.) A daemon that died stops the loop; the caller then says why. */
    const logLines = async (rounds: number) => {
      const auth = ((await ui!.call('services.list', {})) as { name: string; port: number | null }[]).find(
        (s) => s.name === 'auth',
      );
      for (let i = 0; i < rounds && auth?.port; i++) {
        const status = await fetch(`http://127.0.0.1:${auth.port}/session`).then(
          (r) => r.status,
          () => 0,
        );
        if (status === 0) return;
        expect(status).toBe(200);
        await sleep(50);
      }
    };

    it(
      'shows what fails on a full disk, keeps the daemon and its services up, and clears when space is back',
      async () => {
        const stateOf = (name: string) =>
          page
            .getByTestId(`service-state-${name}`)
            .textContent({ timeout: 1000 })
            .catch(() => null);
        for (const name of ['auth', 'api', 'web'])
          await expect.poll(() => stateOf(name), { timeout: 45_000, interval: 200 }).toBe('healthy');
        expect(await page.getByTestId('health-problems').count()).toBe(0);
        expect(await ui!.call('daemon.health', {})).toMatchObject({ ok: true, problems: [] });

        disk!.fill();
        expect(disk!.free).toBeLessThan(4096);
        // Bounded: up to 60 rounds of 10 requests while the header has nothing to say.
        for (let round = 0; round < 60 && (await page.getByTestId('health-problem').count()) === 0; round++) {
          await logLines(10);
          if (!daemon!.running) break;
        }
        expect(daemon!.running, `the daemon exited on the full disk:\n${daemon!.output.slice(-3000)}`).toBe(true);
        const seen = await shown();
        expect(seen.length).toBeGreaterThan(0);
        expect(seen.every(([, code]) => code === 'DISK_FULL')).toBe(true);
        const first = page.getByTestId('health-problem').first();
        const text = (await first.textContent()) ?? '';
        expect(text).toContain('disk full');
        expect(text).toContain('Meanwhile:');
        expect(text).toMatch(/failures?/);
        expect(await page.getByTestId('health-pill').textContent()).toMatch(/\d+ problems?/);
        // The counts keep up while the part keeps failing (the header reads them again every few seconds).
        const failures = async () =>
          Number(
            /([\d,]+) failures?/
              .exec((await first.getByTestId('health-problem-counts').textContent()) ?? '')?.[1]
              ?.replace(/,/g, '') ?? 0,
          );
        const before = await failures();
        await logLines(10);
        await expect.poll(failures, { timeout: scaled(30_000), interval: 500 }).toBeGreaterThan(before);
        // the daemon says the same through its API, and everything still runs
        // (another part may fail meanwhile, such as a store backup that falls due: the header follows it)
        let components: string[] = [];
        const agreed = async (): Promise<string[] | null> => {
          const health = (await ui!.call('daemon.health', {})) as { ok: boolean; problems: { component: string }[] };
          const api = health.problems.map((p) => p.component).sort();
          const header = (await shown()).map(([c]) => c).sort();
          components = api;
          return !health.ok && JSON.stringify(api) === JSON.stringify(header) ? api : null;
        };
        await expect.poll(agreed, { timeout: scaled(30_000), interval: 500 }).not.toBeNull();
        expect(components).toContain('service logs');
        for (const name of ['auth', 'api', 'web']) expect(await stateOf(name)).toBe('healthy');
        await page.screenshot({ path: `${SHOTS}/health-disk-full.png`, animations: 'disabled' });

        // Space back: the next writes succeed and the header clears by itself (no reload).
        disk!.release();
        for (let round = 0; round < 60 && (await page.getByTestId('health-problem').count()) > 0; round++)
          await logLines(5);
        // (a store backup that failed waits for room, checked every 30 s, then is taken again)
        await expect.poll(() => page.getByTestId('health-problems').count(), { timeout: scaled(90_000) }).toBe(0);
        expect(await page.getByTestId('health-pill').count()).toBe(0);
        expect(((await ui!.call('daemon.health', {})) as { ok: boolean }).ok).toBe(true);
        expect(daemon!.running).toBe(true);
        expect(ui!.errors).toEqual([]);
      },
      scaled(180_000),
    );
  },
);
