// End to end: issue 17's databases in the Services view, in Debian's Chromium against the real headless daemon
// with the machine's own Postgres and Redis. A project with an API backed by its own seeded Postgres
// (`database:` block) and a Redis cache (a database-only service):
// - a card per database: engine and version, healthy, size, the stable address and URL;
// - the api-db and cache rows: the stable address, and connection/byte counters that go up with a psql session
//   through it; the card's size follows what psql wrote;
// - Snapshot adds a row; Restore… (through the dialog) brings the data back; Reset… empties and reseeds (checked
//   with psql through the stable address, and through the API over HTTPS/HTTP2 as a browser speaks it); the
//   same for the cache's keys with redis-cli;
// - the Publish toggle holds across a reload;
// - a damaged snapshot (its sha256 no longer matches) is refused in the Restore dialog, the data kept.
// A second daemon whose PATH and engine locations (DEVMESH_ENGINE_LOCATIONS) hold no engine shows the package
// to install. Screenshots at 1440 px go to /tmp/devmesh-ui-wt-ui/databases-*.png.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as h2connect } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { scaled } from '../helpers/load-scale.js';
import { DaemonProcess } from './daemon-process.js';
import { skipWithoutChromium, UiPage } from './ui-page.js';

const haveEngines = (() => {
  try {
    execFileSync('ls', ['/usr/lib/postgresql', '/usr/bin/redis-server', '/usr/bin/psql'], { stdio: 'ignore' });
    return true;
  } catch {
    return !!process.env.CI; // CI installs them (.ci/run): there, a missing engine is a failure, not a skip
  }
})();
/** screenshots of the UI checks, looked at by hand as well as asserted on (the other suites' folder) */
const SHOTS = '/tmp/devmesh-ui-wt-ui';

/** The API: GET /items answers the rows of `items`, read through DATABASE_URL with psql. */
const API_JS = `
const http = require('node:http');
const { execFile } = require('node:child_process');
http.createServer((req, res) => {
  if (req.url === '/health') return res.end('ok');
  execFile('psql', [process.env.DATABASE_URL, '-tAc', 'select name from items order by name'], (err, out, errOut) => {
    if (err) { res.statusCode = 500; return res.end(String(errOut || err.message)); }
    res.end(out.split('\\n').filter(Boolean).join(','));
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

function psql(url: string, sql: string): string {
  return execFileSync('psql', [url, '-tAc', sql], { encoding: 'utf8', timeout: scaled(20_000) }).trim();
}

/** what `host` answers at `path` over HTTPS and HTTP/2 (ALPN h2), trusting the daemon's CA */
function viaH2(httpsUrl: string, host: string, path: string, ca: string): Promise<string> {
  const { port } = new URL(httpsUrl);
  return new Promise((resolve, reject) => {
    const session = h2connect(`https://${host}:${port}`, { ca, host: '127.0.0.1', servername: host });
    session.on('error', reject);
    const stream = session.request({ ':path': path, ':authority': `${host}:${port}` });
    let body = '';
    stream.setEncoding('utf8').on('data', (c: string) => (body += c));
    stream.on('end', () => {
      session.close();
      resolve(body);
    });
    stream.on('error', reject);
    stream.setTimeout(scaled(10_000), () => stream.close());
  });
}

/** the postgres and redis-server processes whose command line names `home` (the engines of one daemon) */
function enginesOf(home: string): string {
  try {
    return execFileSync('pgrep', ['-af', home], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => /postgres|redis-server/.test(l))
      .join('\n');
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
}

const text = (page: Page, testId: string) =>
  page
    .getByTestId(testId)
    .first()
    .textContent({ timeout: 1000 })
    .catch(() => null);

describe.skipIf(skipWithoutChromium || !haveEngines)(
  'databases in the Services view (needs chromium, postgres, redis)',
  () => {
    let daemon: DaemonProcess | undefined;
    let ui: UiPage | undefined;
    let page: Page;
    let dir = '';
    let home = '';
    let url = '';

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'devmesh-e2e-db-'));
      const project = join(dir, 'shop');
      mkdirSync(project);
      writeFileSync(
        join(project, 'seed.sql'),
        "create table items (name text);\ninsert into items values ('apple');\n",
      );
      writeFileSync(join(project, 'api.js'), API_JS);
      writeFileSync(
        join(project, 'devmesh.yaml'),
        [
          'project: shop',
          'services:',
          '  api:',
          '    version: 1.0.0',
          `    command: "'${process.execPath}' api.js"`,
          '    health: { http: /health, interval: 200ms }',
          '    depends_on: [cache]',
          '    database: { engine: postgres, version: ">=13", seed: seed.sql }',
          '  cache:',
          '    database: { engine: redis }',
          '',
        ].join('\n'),
      );
      daemon = DaemonProcess.start({
        homePrefix: 'devmesh-e2e-db-home-',
        project,
        env: { DEVMESH_PROXY_HTTP_PORT: '0', DEVMESH_PROXY_HTTPS_PORT: '0' },
      });
      home = daemon.home;
      ui = await UiPage.open(await daemon.url(), { width: 1440, height: 1400 });
      page = ui.page;
      await page.getByTestId('nav-services').click();
    }, scaled(60_000));

    afterAll(async () => {
      await ui?.close();
      await daemon?.stop(scaled(60_000));
      if (dir) rmSync(dir, { recursive: true, force: true });
      // stopping the daemon stops its engines with their own shutdown: none is left behind
      if (home) expect(enginesOf(home)).toBe('');
    }, scaled(90_000));

    it(
      'shows a card per database with engine, version, healthy state, size and the stable address and URL',
      async () => {
        for (const name of ['api-db', 'cache', 'api'])
          await expect
            .poll(() => text(page, `service-state-${name}`), { timeout: scaled(90_000), interval: 250 })
            .toBe('healthy');
        for (const name of ['api-db', 'cache'])
          await expect
            .poll(() => text(page, `service-state-db-${name}`), { timeout: scaled(30_000), interval: 250 })
            .toBe('healthy');

        const card = page.getByTestId('db-api-db');
        expect(await text(page, 'db-engine-api-db')).toMatch(/^postgres 1\d\.\d+/);
        expect(await text(page, 'db-engine-cache')).toMatch(/^redis 7\.\d+\.\d+/);
        expect(await card.textContent()).toContain('database of api');
        for (const name of ['api-db', 'cache'])
          await expect
            .poll(() => text(page, `db-size-${name}`), { timeout: scaled(10_000) })
            .toMatch(/\d+(\.\d)? [kMG]?B/);
        const copyable = await card.locator('.db-copyable').allTextContents();
        const address = copyable[0]!;
        url = copyable[1]!;
        expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
        expect(url).toBe(`postgres://devmesh@${address}/shop`);
        const cacheFacts = await page.getByTestId('db-cache').locator('.db-copyable').allTextContents();
        expect(cacheFacts[0]).toMatch(/^127\.0\.0\.1:\d+$/);
        expect(cacheFacts[1]).toBe(`redis://${cacheFacts[0]}/0`);

        // the three rows, then the cards below them
        await page.getByTestId('service-state-api-db').scrollIntoViewIfNeeded();
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: `${SHOTS}/databases-1440.png`, animations: 'disabled' });
        expect(ui!.errors).toEqual([]);
      },
      scaled(120_000),
    );

    it(
      'shows the stable address in the api-db and cache rows, and the counters go up after a psql session',
      async () => {
        const address = new URL(url).host;
        await expect.poll(() => text(page, 'service-tcp-api-db'), { timeout: scaled(10_000) }).toContain(address);
        expect(await text(page, 'service-tcp-cache')).toMatch(/127\.0\.0\.1:\d+/);

        const totalOf = async () => {
          const shown = (await text(page, 'service-traffic-api-db')) ?? '';
          return Number(/([\d,]+) total/.exec(shown)?.[1]?.replace(/,/g, '') ?? 0);
        };
        const before = await totalOf();
        expect(psql(url, 'select 40 + 2')).toBe('42');
        expect(psql(url, 'select count(*) from items')).toBe('1');
        // the engine listens on the address itself, its connections sampled from the kernel each second: a
        // session held open (an app's pool) is always seen
        const session = spawn('psql', [url, '-tAc', 'select pg_sleep(60)'], { stdio: 'ignore' });
        try {
          await expect.poll(totalOf, { timeout: scaled(10_000), interval: 200 }).toBeGreaterThanOrEqual(before + 1);
        } finally {
          session.kill('SIGKILL');
        }
        expect(await text(page, 'service-traffic-api-db')).toMatch(/in \d+(\.\d)? [kM]?B · out \d+(\.\d)? [kM]?B/);

        // the card's size follows what psql wrote, with no event to tell the page
        const megabytes = async () => {
          const shown = (await text(page, 'db-size-api-db')) ?? '';
          const m = /^([\d.]+) (kB|MB|GB)$/.exec(shown);
          return m ? Number(m[1]) * { kB: 0.001, MB: 1, GB: 1000 }[m[2] as 'kB' | 'MB' | 'GB'] : NaN;
        };
        const sizeBefore = await megabytes();
        expect(sizeBefore).toBeGreaterThan(0);
        psql(url, "create table big as select g, repeat('x', 200) as pad from generate_series(1, 50000) g");
        await expect.poll(megabytes, { timeout: scaled(20_000), interval: 250 }).toBeGreaterThanOrEqual(sizeBefore + 8);
        psql(url, 'drop table big');
      },
      scaled(60_000),
    );

    it(
      'Snapshot adds a row; Restore… through the dialog brings the data back; Reset… empties and reseeds',
      async () => {
        const card = page.getByTestId('db-api-db');
        psql(url, "insert into items values ('banana')");
        await card.getByLabel('Name of the new snapshot of api-db (optional)').fill('two-items');
        await card.getByRole('button', { name: 'Snapshot' }).click();
        await expect
          .poll(() => text(page, 'db-notice-api-db'), { timeout: scaled(30_000) })
          .toMatch(/^Took snapshot two-items \(/);
        await card.locator('summary').click();
        await page.getByTestId('snapshot-api-db-two-items').waitFor({ timeout: scaled(10_000) });
        expect(await card.locator('summary').textContent()).toBe('1 snapshot');

        psql(url, "delete from items; insert into items values ('cherry')");
        await card.getByRole('button', { name: 'Restore…' }).click();
        const dialog = page.getByTestId('db-restore-api-db');
        await dialog.waitFor({ timeout: scaled(5_000) });
        expect(await page.getByTestId('db-restore-api-db-confirm').isDisabled()).toBe(true);
        await dialog.getByRole('radio').first().check();
        await page.getByTestId('db-restore-api-db-confirm').click();
        await dialog.waitFor({ state: 'detached', timeout: scaled(60_000) });
        expect(await text(page, 'db-notice-api-db')).toBe('Restored api-db from two-items.');
        expect(psql(url, "select string_agg(name, ',' order by name) from items")).toBe('apple,banana');
        // the API reaches the restored database too, over HTTPS and HTTP/2 through the proxy
        const { httpsUrl } = (await ui!.call('proxy.info', {})) as { httpsUrl: string | null };
        const ca = readFileSync(((await ui!.call('ca.info', {})) as { certPath: string }).certPath, 'utf8');
        expect(httpsUrl).not.toBeNull();
        await expect
          .poll(() => viaH2(httpsUrl!, 'api.localhost', '/items', ca).catch((e: Error) => e.message), {
            timeout: scaled(30_000),
            interval: 300,
          })
          .toBe('apple,banana');

        await card.getByRole('button', { name: 'Reset…' }).click();
        await page.getByTestId('db-reset-api-db').waitFor({ timeout: scaled(5_000) });
        await page.getByTestId('db-reset-api-db-confirm').click();
        await page.getByTestId('db-reset-api-db').waitFor({ state: 'detached', timeout: scaled(60_000) });
        expect(await text(page, 'db-notice-api-db')).toBe('Reset api-db: emptied and seeded again.');
        expect(psql(url, "select string_agg(name, ',' order by name) from items")).toBe('apple');
        await expect
          .poll(() => viaH2(httpsUrl!, 'api.localhost', '/items', ca).catch((e: Error) => e.message), {
            timeout: scaled(30_000),
            interval: 300,
          })
          .toBe('apple');
        await expect.poll(() => text(page, 'service-state-db-api-db'), { timeout: scaled(30_000) }).toBe('healthy');
        expect(ui!.errors).toEqual([]);
      },
      scaled(180_000),
    );

    it(
      'Snapshot and Restore… of the Redis cache bring its keys back, and its card comes back healthy',
      async () => {
        const address = (await page.getByTestId('db-cache').locator('.db-copyable').first().textContent())!;
        const [host, port] = address.split(':') as [string, string];
        const redis = (...args: string[]) =>
          execFileSync('redis-cli', ['-h', host, '-p', port, ...args], {
            encoding: 'utf8',
            timeout: scaled(10_000),
          }).trim();
        const totalOf = async () => {
          const shown = (await text(page, 'service-traffic-cache')) ?? '';
          return Number(/([\d,]+) total/.exec(shown)?.[1]?.replace(/,/g, '') ?? 0);
        };
        const before = await totalOf();
        expect(redis('set', 'greeting', 'before')).toBe('OK');
        // a client that stays connected (a blocking pop) is counted in the cache's row, sampled from the kernel
        const held = spawn('redis-cli', ['-h', host, '-p', port, 'blpop', 'devmesh-e2e-nothing', '60'], {
          stdio: 'ignore',
        });
        try {
          await expect.poll(totalOf, { timeout: scaled(10_000), interval: 200 }).toBeGreaterThanOrEqual(before + 1);
        } finally {
          held.kill('SIGKILL');
        }
        const card = page.getByTestId('db-cache');
        await card.getByLabel('Name of the new snapshot of cache (optional)').fill('greeting-before');
        await card.getByRole('button', { name: 'Snapshot' }).click();
        await expect
          .poll(() => text(page, 'db-notice-cache'), { timeout: scaled(30_000) })
          .toMatch(/^Took snapshot greeting-before \(/);
        expect(redis('set', 'greeting', 'after')).toBe('OK');

        await card.getByRole('button', { name: 'Restore…' }).click();
        const dialog = page.getByTestId('db-restore-cache');
        await dialog.getByRole('radio', { name: /greeting-before/ }).check();
        await page.getByTestId('db-restore-cache-confirm').click();
        await dialog.waitFor({ state: 'detached', timeout: scaled(60_000) });
        expect(await text(page, 'db-notice-cache')).toBe('Restored cache from greeting-before.');
        await expect.poll(() => text(page, 'service-state-db-cache'), { timeout: scaled(30_000) }).toBe('healthy');
        await expect.poll(() => text(page, 'service-state-cache'), { timeout: scaled(30_000) }).toBe('healthy');
        expect(redis('get', 'greeting')).toBe('before');
        expect(ui!.errors).toEqual([]);
      },
      scaled(120_000),
    );

    it(
      'the Publish toggle holds after a page reload',
      async () => {
        const toggle = () => page.getByLabel('Publish two-items to teammates');
        const card = page.getByTestId('db-api-db');
        if (!(await toggle().isVisible())) await card.locator('summary').click();
        expect(await toggle().isChecked()).toBe(false);
        await toggle().check();
        await expect
          .poll(() => text(page, 'snapshot-api-db-two-items'), { timeout: scaled(10_000) })
          .toContain('published');

        await page.reload();
        await page.getByTestId('nav-services').click();
        const again = page.getByTestId('db-api-db');
        await again.waitFor({ timeout: scaled(20_000) });
        await expect
          .poll(() => again.locator('summary').textContent(), { timeout: scaled(10_000) })
          .toBe('1 snapshot (1 published)');
        await again.locator('summary').click();
        await expect.poll(() => toggle().isChecked(), { timeout: scaled(10_000) }).toBe(true);
        await again.scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${SHOTS}/databases-1440-snapshots.png`, animations: 'disabled' });
        expect(ui!.errors).toEqual([]);
      },
      scaled(60_000),
    );

    it(
      'a damaged snapshot: Restore… says so in the dialog, which stays open, and the data is kept',
      async () => {
        const folder = join(home, 'databases', 'shop', 'api-db', 'snapshots');
        const file = readdirSync(folder).find((f) => f.startsWith('two-items'))!;
        const bytes = readFileSync(join(folder, file));
        bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
        writeFileSync(join(folder, file), bytes);
        psql(url, "insert into items values ('kept')");

        const card = page.getByTestId('db-api-db');
        await card.getByRole('button', { name: 'Restore…' }).click();
        const dialog = page.getByTestId('db-restore-api-db');
        await dialog.getByRole('radio', { name: /two-items/ }).check();
        await page.getByTestId('db-restore-api-db-confirm').click();
        await expect
          .poll(() => text(page, 'db-restore-api-db-error'), { timeout: scaled(30_000) })
          .toMatch(/^SNAPSHOT_CORRUPT: .*sha256/);
        expect(await dialog.isVisible()).toBe(true);
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await dialog.waitFor({ state: 'detached', timeout: scaled(5_000) });
        expect(psql(url, "select string_agg(name, ',' order by name) from items")).toBe('apple,kept');
        await expect.poll(() => text(page, 'service-state-db-api-db'), { timeout: scaled(10_000) }).toBe('healthy');
      },
      scaled(60_000),
    );
  },
);

describe.skipIf(skipWithoutChromium || !haveEngines)('a database whose engine cannot be found (needs chromium)', () => {
  let daemon: DaemonProcess | undefined;
  let ui: UiPage | undefined;
  let dir = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'devmesh-e2e-dbmissing-'));
    const project = join(dir, 'shop');
    const empty = join(dir, 'no-engines');
    mkdirSync(project);
    mkdirSync(empty);
    writeFileSync(
      join(project, 'devmesh.yaml'),
      ['project: shop', 'services:', '  cache:', '    database: { engine: redis }', ''].join('\n'),
    );
    daemon = DaemonProcess.start({
      homePrefix: 'devmesh-e2e-dbmissing-home-',
      project,
      // no engine on PATH nor in the standard locations: as on a machine where redis was never installed
      env: {
        PATH: empty,
        DEVMESH_ENGINE_LOCATIONS: empty,
        DEVMESH_PROXY_HTTP_PORT: '0',
        DEVMESH_PROXY_HTTPS_PORT: '0',
      },
    });
    ui = await UiPage.open(await daemon.url(), { width: 1440, height: 900 });
    await ui.page.getByTestId('nav-services').click();
  }, scaled(60_000));

  afterAll(async () => {
    await ui?.close();
    await daemon?.stop(scaled(60_000));
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, scaled(90_000));

  it(
    'shows why the cache cannot run: no version, the commands that install it',
    async () => {
      const page = ui!.page;
      await expect
        .poll(() => text(page, 'db-engine-missing-cache'), { timeout: scaled(30_000), interval: 250 })
        .toContain('redis-server is not installed on this machine');
      const note = await text(page, 'db-engine-missing-cache');
      expect(note).toContain('sudo apt install redis-server');
      expect(note).toContain('brew install redis');
      expect(await text(page, 'db-engine-cache')).toBe('redis not installed');
      // no made-up version in the services table: what is missing, where the version goes
      expect(await text(page, 'service-version-cache')).toBe('redis-server not installed');
      await page.screenshot({ path: `${SHOTS}/databases-engine-missing-1440.png`, animations: 'disabled' });
    },
    scaled(60_000),
  );
});
