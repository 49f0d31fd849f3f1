// End to end: the real headless daemon on a real git repository, serving the built UI to Debian's Chromium.
// An agent (a plain script) works in its own worktree, where `web` answers differently from the main checkout;
// its copy of the app is opened and started through the API. The Services view lists the copy's service under
// the main project, with its branch and agent; the agent's card links to `http://web.<label>.localhost:<port>/`;
// following that link in Chromium (which resolves *.localhost to loopback itself) reaches the worktree's web
// through the proxy, while `web.localhost` still reaches the main checkout's.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as h2connect } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { AgentRecord } from '../../shared/agent.js';
import type { ProjectInfo } from '../../shared/service.js';
import { git, writeScript } from '../core/agents/fake-cli.js';
import { scaled } from '../helpers/load-scale.js';
import { DaemonProcess } from './daemon-process.js';
import { freePort } from './proxy-client.js';
import { skipWithoutChromium, UiPage } from './ui-page.js';

const SCREENSHOT = '/tmp/devmesh-ui-worktree-copies.png';

/** web.js: an HTTP server on $PORT that says which checkout it runs from */
const web = (from: string) => `
const http = require('http');
const server = http.createServer((req, res) => res.end(${JSON.stringify(`web of ${from}`)}));
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => { server.close(); process.exit(0); });
`;

/** the body `host` answers through the proxy on 127.0.0.1:`port` */
function viaProxy(port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.setTimeout(scaled(10_000), () => req.destroy(new Error(`no answer from the proxy for ${host}`)));
    req.on('error', reject);
    req.end();
  });
}

/** the body `host` answers over HTTPS and HTTP/2 (ALPN h2), trusting the daemon's CA, and the certificate's name */
function viaH2(httpsUrl: string, host: string, ca: string): Promise<{ body: string; subject: string }> {
  const { port } = new URL(httpsUrl);
  return new Promise((resolve, reject) => {
    const session = h2connect(`https://${host}:${port}`, { ca, host: '127.0.0.1', servername: host });
    session.on('error', reject);
    const stream = session.request({ ':path': '/', ':authority': `${host}:${port}` });
    let body = '';
    stream.setEncoding('utf8').on('data', (c: string) => (body += c));
    stream.on('end', () => {
      const subject = String((session.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '');
      session.close();
      resolve({ body, subject });
    });
    stream.on('error', reject);
    stream.setTimeout(scaled(10_000), () => stream.close());
  });
}

describe.skipIf(skipWithoutChromium)('worktree copies in the UI against the headless daemon (needs chromium)', () => {
  let daemon: DaemonProcess | undefined;
  let ui: UiPage | undefined;
  let page: Page;
  let dir = '';
  let proxyPort = 0;
  let agent: AgentRecord;
  let copy: ProjectInfo;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'devmesh-e2e-wtcopy-'));
    const repo = join(dir, 'shop');
    git(dir, 'init', '-q', '-b', 'main', repo);
    const yaml = [
      'project: shop',
      'services:',
      '  web:',
      '    version: 1.0.0',
      `    command: "'${process.execPath}' web.js"`,
      '    health:',
      '      tcp: true',
      '      interval: 100ms',
      '',
    ];
    writeFileSync(join(repo, 'devmesh.yaml'), yaml.join('\n'));
    writeFileSync(join(repo, 'web.js'), web('main'));
    git(repo, 'add', '.');
    git(repo, '-c', 'user.name=T', '-c', 'user.email=t@devmesh.invalid', 'commit', '-q', '-m', 'first');
    proxyPort = await freePort();
    daemon = DaemonProcess.start({
      homePrefix: 'devmesh-e2e-wtcopy-home-',
      project: repo,
      env: { DEVMESH_PROXY_HTTP_PORT: String(proxyPort), DEVMESH_PROXY_HTTPS_PORT: '0' },
    });
    ui = await UiPage.open(await daemon.url());
    page = ui.page;
    const script = writeScript(join(dir, 'bin'), 'agent-carter', 'while read line; do echo "got $line"; done');
    agent = (await ui.call('agents.start', {
      command: script,
      name: 'carter',
      cwd: repo,
      worktree: 'feat/Cart',
    })) as AgentRecord;
    writeFileSync(join(agent.worktree!.path, 'web.js'), web('feat/Cart'));
    copy = (await ui.call('projects.openWorktree', { worktree: agent.id })) as ProjectInfo;
    await ui.call('services.startAll', { project: copy.id, wait: true });
  }, scaled(90_000));

  afterAll(async () => {
    await ui?.close();
    await daemon?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'groups the copy under its project, links it from the agent card, and the link reaches the worktree’s web',
    async () => {
      expect(copy.id).toBe('shop@feat-cart');
      const url = `http://web.feat-cart.localhost:${proxyPort}/`;

      // the Services view: the main checkout's web, then the copy's, under the branch and its agent
      await page.getByTestId('nav-services').click();
      await expect
        .poll(() => page.getByTestId('service-state-web').textContent(), { timeout: scaled(30_000) })
        .toBe('healthy');
      const section = page.getByTestId('worktree-copy-shop@feat-cart');
      await section.waitFor({ timeout: scaled(10_000) });
      expect(await section.textContent()).toContain('⎇ feat/Cart');
      expect(await section.textContent()).toContain('where carter works');
      await expect
        .poll(() => page.getByTestId('service-state-shop@feat-cart-web').textContent(), { timeout: scaled(30_000) })
        .toBe('healthy');
      expect(await section.getByRole('link').getAttribute('href')).toBe(url);
      // grouped under the main project: the copy's section follows the main checkout's table, in one view
      const order = await page.evaluate(() => {
        const main = document.querySelector('[data-testid="service-state-web"]');
        const copied = document.querySelector('[data-testid="worktree-copy-shop@feat-cart"]');
        return main && copied ? main.compareDocumentPosition(copied) & Node.DOCUMENT_POSITION_FOLLOWING : 0;
      });
      expect(order).not.toBe(0);

      // the agent's card links to its copy; following the link opens the worktree's web through the proxy
      await page.getByTestId('nav-terminals').click();
      const link = page.getByTestId(`agent-copy-links-${agent.id}`).getByRole('link', { name: /web \(feat\/Cart\)/ });
      await link.waitFor({ timeout: scaled(10_000) });
      expect(await link.getAttribute('href')).toBe(url);
      await page.screenshot({ path: SCREENSHOT, animations: 'disabled' });
      const [opened] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
      await opened!.waitForLoadState('domcontentloaded');
      expect(opened!.url()).toBe(url);
      expect(await opened!.locator('body').textContent()).toBe('web of feat/Cart');
      await opened!.close();

      // the bare name stays the main checkout's
      expect(await viaProxy(proxyPort, `web.localhost:${proxyPort}`)).toBe('web of main');
      expect(await viaProxy(proxyPort, `web.feat-cart.localhost:${proxyPort}`)).toBe('web of feat/Cart');
      // and over HTTPS as a browser speaks it (HTTP/2), with a certificate for the copy's own name
      const { httpsUrl } = (await ui!.call('proxy.info', {})) as { httpsUrl: string | null };
      const ca = readFileSync(((await ui!.call('ca.info', {})) as { certPath: string }).certPath, 'utf8');
      expect(httpsUrl).not.toBeNull();
      expect(await viaH2(httpsUrl!, 'web.feat-cart.localhost', ca)).toEqual({
        body: 'web of feat/Cart',
        subject: 'web.feat-cart.localhost',
      });
      expect((await viaH2(httpsUrl!, 'web.localhost', ca)).body).toBe('web of main');
      expect(daemon!.running, daemon!.output.slice(-3000)).toBe(true);
      expect(ui!.errors).toEqual([]);
    },
    scaled(90_000),
  );
});
