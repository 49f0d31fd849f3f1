// The e2e fixture every UI suite drives the daemon's UI with: Debian's Chromium, headless, one page that
// collects what went wrong on it (uncaught errors, console errors, HTTP errors) and the URLs it fetched, so
// a suite can assert on a clean run and on which lazy chunks were loaded. Not a test file: the suites import it.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** Outside CI a machine without Chromium skips the UI suites; in CI (which installs it) they must run. */
export const skipWithoutChromium = !existsSync(CHROMIUM) && !process.env.CI;

// Flags with which Debian's Chromium launched headless in about 0.25 s on a 2-core machine, with no first-run,
// sync, update or background traffic.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export class UiPage {
  /** uncaught page errors, console errors and responses of 400 or more, in the order seen */
  readonly errors: string[] = [];
  /** every URL the page requested */
  readonly requested: string[] = [];

  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
  ) {
    page.on('pageerror', (err) => this.errors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.errors.push(msg.text());
    });
    page.on('request', (req) => this.requested.push(req.url()));
    page.on('response', (res) => {
      if (res.status() >= 400) this.errors.push(`${res.status()} ${res.url()}`);
    });
  }

  /** `home`: the browser's HOME (its NSS database, where a trusted CA lives: see TrustedBrowserHome). */
  static async open(
    url: string,
    viewport = { width: 1280, height: 800 },
    options: { home?: string } = {},
  ): Promise<UiPage> {
    const env = options.home === undefined ? undefined : { ...process.env, HOME: options.home };
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, ...(env ? { env } : {}) });
    try {
      const ui = new UiPage(browser, await browser.newPage({ viewport }));
      await ui.page.goto(url);
      return ui;
    } catch (err) {
      await browser.close();
      throw err;
    }
  }

  /** One API call over the page's own WebSocket endpoint, authenticated with the token the daemon put in the page. */
  call(method: string, input: unknown): Promise<unknown> {
    return this.page.evaluate(
      ([m, i]) =>
        new Promise((resolve, reject) => {
          const token = document.querySelector<HTMLMetaElement>('meta[name="devmesh-token"]')?.content ?? '';
          const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
          const ws = new WebSocket(`${scheme}://${location.host}/api`, ['devmesh.v1', `devmesh-token.${token}`]);
          ws.onerror = () => reject(new Error('the API WebSocket failed'));
          ws.onopen = () => ws.send(JSON.stringify({ type: 'call', id: 1, method: m, input: i }));
          ws.onmessage = (ev) => {
            const msg = JSON.parse(String(ev.data)) as {
              type: string;
              id: number | null;
              ok?: boolean;
              value?: unknown;
              error?: { message: string };
            };
            if (msg.type !== 'result' || msg.id !== 1) return;
            ws.close();
            if (msg.ok) resolve(msg.value);
            else reject(new Error(msg.error?.message ?? 'call failed'));
          };
        }),
      [method, input] as const,
    );
  }

  /** The URLs fetched for the lazy chunk `name` (vite names it `assets/<name>-<hash>.js`). */
  chunksRequested(name: string): string[] {
    const chunk = new RegExp(`/assets/${name}-[\\w-]+\\.js$`);
    return this.requested.filter((u) => chunk.test(new URL(u).pathname));
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}
