// The window's page comes from app://devmesh/, served from dist/renderer only, with the one CSP of the
// app (shared/content-security-policy.ts) as a header; nothing outside the folder, whatever the URL says.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import * as electron from './fake-electron.js';
import { resetFake } from './fake-electron.js';
import { MainWindow } from '../../main/electron/main-window.js';
import { CONTENT_SECURITY_POLICY } from '../../shared/content-security-policy.js';
import { tempDir } from '../api/test-project.js';

const tmp = tempDir('devmesh-app-protocol-');
const rendererDir = join(tmp.dir, 'dist', 'renderer');
mkdirSync(join(rendererDir, 'assets'), { recursive: true });
const page = '<!doctype html><title>DevMesh</title><script type="module" src="./assets/index-1.js"></script>';
writeFileSync(join(rendererDir, 'index.html'), page);
writeFileSync(join(rendererDir, 'assets', 'index-1.js'), 'console.log("app")');
writeFileSync(join(rendererDir, 'assets', 'index-1.css'), 'body{}');
writeFileSync(join(rendererDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
writeFileSync(join(rendererDir, 'assets', 'font.woff2'), Buffer.from([0x77, 0x4f, 0x46, 0x32]));
writeFileSync(join(tmp.dir, 'dist', 'secret.txt'), 'outside the renderer');
symlinkSync(join(tmp.dir, 'dist', 'secret.txt'), join(rendererDir, 'assets', 'link.txt'));

afterAll(() => tmp.dispose());

function openWindow(): void {
  const preloadPath = join(tmp.dir, 'dist', 'preload', 'preload.js');
  new MainWindow({ preloadPath, indexHtmlPath: join(rendererDir, 'index.html') }).focus();
}
const get = (url: string, init?: RequestInit) => electron.protocol.fetch(url, init);

beforeEach(() => resetFake());

describe('app:// (the window page)', () => {
  it('serves the page the window loads, with the app CSP and nosniff', async () => {
    openWindow();
    const page = electron.BrowserWindow.instances[0]!.loadedUrl!;
    const res = await get(page);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<title>DevMesh</title>');
    expect((await get('app://devmesh/')).status).toBe(200);
  });

  it('serves the built assets with the content types a module script, a stylesheet and a font need', async () => {
    openWindow();
    const types = {
      'app://devmesh/assets/index-1.js': 'text/javascript; charset=utf-8',
      'app://devmesh/assets/index-1.css': 'text/css; charset=utf-8',
      'app://devmesh/favicon.svg': 'image/svg+xml',
      'app://devmesh/assets/font.woff2': 'font/woff2',
    };
    for (const [url, type] of Object.entries(types)) {
      const res = await get(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type'), url).toBe(type);
    }
    expect(await (await get('app://devmesh/assets/index-1.js?v=1')).text()).toBe('console.log("app")');
    const head = await get('app://devmesh/assets/index-1.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('answers 404 for anything outside dist/renderer, another host, or a missing file', async () => {
    openWindow();
    for (const url of [
      'app://devmesh/../secret.txt',
      'app://devmesh/%2e%2e/secret.txt',
      'app://devmesh/assets/..%2f..%2fsecret.txt',
      'app://devmesh/..%5csecret.txt',
      'app://devmesh/assets/link.txt',
      'app://devmesh/assets/missing.js',
      'app://devmesh/assets',
      'app://evil/index.html',
      'app://devmesh/%00index.html',
    ]) {
      const res = await get(url);
      expect(res.status, url).toBeGreaterThanOrEqual(400);
      expect(await res.text(), url).not.toContain('outside the renderer');
    }
    expect((await get('app://devmesh/assets/missing.js')).status).toBe(404);
    expect((await get('app://devmesh/index.html', { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('states the policy once: the page source has no CSP meta tag of its own', () => {
    const html = readFileSync(join(__dirname, '..', '..', 'renderer', 'index.html'), 'utf8');
    expect(html).not.toMatch(/http-equiv=["']?content-security-policy/i);
  });
});
