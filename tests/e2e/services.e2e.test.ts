// End to end: the real headless daemon serving the built UI to Debian's Chromium. The shop example comes
// up healthy, the operator stops `web` from the table, and the log pane shows what happened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const root = resolve(__dirname, '../..');
const SCREENSHOT = '/tmp/devmesh-ui.png';

/** The daemon in the foreground, as `devmesh up` runs it; its output is kept for failure messages. */
class DaemonProcess {
  output = '';
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly home: string,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((res) => child.once('exit', (code) => res(code)));
  }

  static start(): DaemonProcess {
    for (const built of ['dist/cli/devmesh.js', 'dist/renderer/index.html']) {
      if (!existsSync(join(root, built))) throw new Error(`${built} is missing: run \`npm run build\` before the e2e test`);
    }
    const home = mkdtempSync(join(tmpdir(), 'devmesh-e2e-'));
    const child = spawn(process.execPath, ['bin/devmesh.js', 'up', '--project', 'examples/shop', '--port', '0'], {
      cwd: root,
      env: { ...process.env, DEVMESH_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new DaemonProcess(child, home);
  }

  /** The UI's address: from the line `devmesh up` prints, or from $DEVMESH_HOME/daemon.json. */
  async url(timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const printed = /DevMesh is up: (\S+)/.exec(this.output)?.[1];
      if (printed) return printed;
      const record = join(this.home, 'daemon.json');
      if (existsSync(record)) {
        const url = (JSON.parse(readFileSync(record, 'utf8')) as { url?: string }).url;
        if (url) return url;
      }
      if (this.child.exitCode !== null) throw new Error(`devmesh up exited with ${this.child.exitCode}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`devmesh up did not report its address within ${timeoutMs} ms:\n${this.output}`);
  }

  /** SIGTERM, as an operator's Ctrl-C would; the daemon stops its services before it exits. */
  async stop(timeoutMs = 20_000): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    const result = await Promise.race([this.exited, timer]);
    if (result === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
      throw new Error(`the daemon did not exit within ${timeoutMs} ms of SIGTERM:\n${this.output}`);
    }
    rmSync(this.home, { recursive: true, force: true });
    return result;
  }
}

const SERVICES = ['auth', 'api', 'web'];

// Outside CI a machine without Chromium skips with this reason; in CI (which installs it) it must run.
describe.skipIf(!haveChromium && !process.env.CI)('services view against the headless daemon (needs /usr/bin/chromium)', () => {
  let daemon: DaemonProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    daemon = DaemonProcess.start();
    const url = await daemon.url();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
    page.on('response', (res) => {
      if (res.status() >= 400) pageErrors.push(`${res.status()} ${res.url()}`);
    });
    await page.goto(url);
  });

  afterAll(async () => {
    await browser?.close();
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
    expect(pageErrors).toEqual([]);
  }, 45_000);

  it('says so when the daemon goes away', async () => {
    await expect(daemon!.stop()).resolves.toBe(0);
    const banner = page.getByTestId('connection-banner');
    await expect.poll(() => banner.count(), { timeout: 10_000 }).toBe(1);
    await expect(banner.getAttribute('data-state')).resolves.toBe('reconnecting');
    await expect(page.getByTestId('service-stop-auth').isDisabled()).resolves.toBe(true);
    await page.screenshot({ path: SCREENSHOT.replace('.png', '-disconnected.png'), animations: 'disabled' });
  }, 30_000);
});
