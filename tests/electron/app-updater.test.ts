// The real electron-updater (its AppImage updater and generic provider) driven by the app's update policy
// against a release feed this test serves on loopback: latest-linux.yml naming an AppImage with its real
// sha512. Proves the feed layout the app expects, the background download and its hash check, that a bad
// hash or a missing feed file is a log line and no announcement, and that installing on quit replaces the
// AppImage and runs it as electron-updater does. Electron itself is mocked: electron-updater is given an
// app adapter (its AppAdapter interface) and a plain Node HTTP executor in place of Electron's net module.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import { AppImageUpdater, type AppUpdater } from 'electron-updater';
// electron-updater's executor (its download(), redirects, hash checks), over Node's http instead of Electron's net
import { ElectronHttpExecutor } from 'electron-updater/out/electronHttpExecutor.js';
import { createAppUpdater, resolveUpdateFeed } from '../../main/electron/app-updater.js';
import type { UpdatePolicy } from '../../main/electron/update-policy.js';
import { scaled } from '../helpers/load-scale.js';

/** electron-updater's HTTP over Node's http (the app uses Electron's net module, which cannot run here). */
class LoopbackExecutor extends ElectronHttpExecutor {
  override createRequest(options: any, callback: (response: any) => void): any {
    return request(options, callback);
  }
}

const CHANNEL_FILE = `latest-linux${process.arch === 'x64' ? '' : `-${process.arch}`}.yml`;
const NEW_FILE = 'DevMesh-0.2.0-x86_64.AppImage';

let dir: string;
let feedDir: string;
let resources: string;
let server: Server;
let feedUrl: string;
let requests: string[];
let warnings: string[];
let announced: string[];
let informed: string[];
let quitHandlers: Array<(exitCode: number) => void>;
let savedAppImage: string | undefined;
let policy: UpdatePolicy | null;
/** a failure must never escape as an unhandled rejection (it would be a crash report in the app) */
let unhandled: ReturnType<typeof vi.fn<(reason: unknown) => void>>;

/** An AppImage that, when the updater runs it after installing, records how it was run. */
const newAppImage = () =>
  `#!/bin/sh\necho "silent=$APPIMAGE_SILENT_INSTALL exit=$APPIMAGE_EXIT_AFTER_INSTALL" > "$0.ran"\n# ${'x'.repeat(4096)}\n`;
const sha512 = (data: string | Buffer) => createHash('sha512').update(data).digest('base64');

function publish(version: string, body: string, hashOf: string = body): void {
  writeFileSync(join(feedDir, NEW_FILE), body);
  chmodSync(join(feedDir, NEW_FILE), 0o755);
  const hash = sha512(hashOf);
  writeFileSync(
    join(feedDir, CHANNEL_FILE),
    [
      `version: ${version}`,
      'files:',
      `  - url: ${NEW_FILE}`,
      `    sha512: ${hash}`,
      `    size: ${Buffer.byteLength(body)}`,
      `path: ${NEW_FILE}`,
      `sha512: ${hash}`,
      "releaseDate: '2026-12-01T00:00:00.000Z'",
      '',
    ].join('\n'),
  );
}

function updater(): AppUpdater {
  const engine = new AppImageUpdater(null, {
    version: '0.1.0',
    name: 'DevMesh',
    isPackaged: true,
    appUpdateConfigPath: join(resources, 'app-update.yml'),
    userDataPath: join(dir, 'user-data'),
    baseCachePath: join(dir, 'cache'),
    whenReady: () => Promise.resolve(),
    relaunch: () => {},
    quit: () => {},
    onQuit: (handler: (exitCode: number) => void) => void quitHandlers.push(handler),
  });
  // with an app adapter of its own, electron-updater leaves the executor to the caller (as its own tests do)
  (engine as unknown as { httpExecutor: ElectronHttpExecutor }).httpExecutor = new LoopbackExecutor();
  return engine;
}

function start(env: NodeJS.ProcessEnv = {}): UpdatePolicy {
  policy = createAppUpdater({
    api: { call: async () => ({ ok: true, value: [] }) as any },
    quit: async () => {},
    logger: {
      info: () => {},
      // the policy's own lines (electron-updater's warnings go to the same logger without an err)
      warn: (obj) => void ((obj as { err?: string }).err !== undefined && warnings.push((obj as { err: string }).err)),
      error: () => {},
    },
    version: '0.1.0',
    isPackaged: true,
    platform: 'linux',
    resourcesPath: resources,
    env: { APPIMAGE: process.env.APPIMAGE, ...env },
    loadUpdater: updater,
    prompt: {
      announce: (version) => void announced.push(version),
      ask: async () => false,
      inform: (title) => void informed.push(title),
    },
  })!;
  expect(policy).not.toBeNull();
  return policy;
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + scaled(15_000);
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; warnings: ${warnings.join(' | ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const pending = () => join(dir, 'cache', 'devmesh-updater', 'pending');

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'devmesh-updater-'));
  feedDir = join(dir, 'feed');
  resources = join(dir, 'resources');
  mkdirSync(feedDir);
  mkdirSync(resources);
  requests = [];
  warnings = [];
  announced = [];
  informed = [];
  quitHandlers = [];
  policy = null;
  unhandled = vi.fn<(reason: unknown) => void>();
  process.on('unhandledRejection', unhandled);
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
    requests.push(path);
    const file = join(feedDir, path.replace(/^\/releases\//, ''));
    if (!path.startsWith('/releases/') || !existsSync(file)) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-length': readFileSync(file).length }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/releases/`;
  // what electron-builder writes into resources/ from electron-builder.yml's `publish:`
  writeFileSync(
    join(resources, 'app-update.yml'),
    `provider: generic\nurl: ${feedUrl}\nupdaterCacheDirName: devmesh-updater\n`,
  );
  // the running AppImage (electron-updater reads $APPIMAGE, which the AppImage runtime sets)
  savedAppImage = process.env.APPIMAGE;
  process.env.APPIMAGE = join(dir, 'apps', 'DevMesh-0.1.0-x86_64.AppImage');
  mkdirSync(join(dir, 'apps'));
  writeFileSync(process.env.APPIMAGE, 'the old version');
});

afterEach(async () => {
  await new Promise((r) => setTimeout(r, 10));
  process.off('unhandledRejection', unhandled);
  expect(unhandled).not.toHaveBeenCalled();
  policy?.dispose();
  if (savedAppImage === undefined) delete process.env.APPIMAGE;
  else process.env.APPIMAGE = savedAppImage;
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('electron-updater against a generic feed on loopback', () => {
  it(
    'downloads a newer AppImage in the background, checks its sha512, announces it, and installs it on quit',
    async () => {
      const body = newAppImage();
      publish('0.2.0', body);
      const p = start();
      p.start();
      await until('the update is announced', () => announced.length > 0);
      expect(announced).toEqual(['0.2.0']);
      expect(requests).toContain(`/releases/${CHANNEL_FILE}`);
      expect(requests).toContain(`/releases/${NEW_FILE}`);
      expect(readFileSync(join(pending(), NEW_FILE), 'utf8')).toBe(body);
      expect(warnings).toEqual([]);
      // the user chose Later, then quits: the new AppImage replaces the old one and runs its silent install
      p.beforeExit(0);
      const installed = join(dir, 'apps', NEW_FILE);
      expect(existsSync(process.env.APPIMAGE!)).toBe(false);
      expect(readFileSync(installed, 'utf8')).toBe(body);
      expect(readFileSync(`${installed}.ran`, 'utf8')).toBe('silent=true exit=true\n');
      // electron-updater's own quit handler then finds the install done and does nothing more
      for (const handler of quitHandlers) handler(0);
      expect(readdirSync(join(dir, 'apps')).sort()).toEqual([NEW_FILE, `${NEW_FILE}.ran`]);
    },
    scaled(30_000),
  );

  it(
    'a file whose sha512 does not match the feed is refused: a warning, no announcement, nothing installed',
    async () => {
      publish('0.2.0', newAppImage(), 'some other bytes');
      const p = start();
      await p.checkNow();
      expect(informed).toEqual(['Could not check for updates']);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/sha512 checksum mismatch/);
      expect(announced).toEqual([]);
      p.beforeExit(0);
      expect(readFileSync(process.env.APPIMAGE!, 'utf8')).toBe('the old version');
    },
    scaled(30_000),
  );

  it(
    'a feed without latest-linux.yml (a wrong layout) is one warning naming the file, never a crash',
    async () => {
      const p = start();
      p.start();
      await until('the failed check is logged', () => warnings.length > 0);
      expect(warnings[0]).toContain(CHANNEL_FILE);
      expect(warnings[0]).toContain('404');
      await p.checkNow();
      expect(warnings).toHaveLength(1); // the same cause is logged once
      expect(announced).toEqual([]);
    },
    scaled(30_000),
  );

  it(
    'the same version in the feed is "up to date" and downloads nothing',
    async () => {
      publish('0.1.0', newAppImage());
      const p = start();
      await p.checkNow();
      expect(informed).toEqual(['DevMesh is up to date']);
      expect(requests).not.toContain(`/releases/${NEW_FILE}`);
    },
    scaled(30_000),
  );

  it(
    'DEVMESH_UPDATE_FEED points the updater at another feed than the packaged one',
    async () => {
      writeFileSync(
        join(resources, 'app-update.yml'),
        'provider: generic\nurl: https://releases.devmesh.invalid/desktop\nupdaterCacheDirName: devmesh-updater\n',
      );
      publish('0.2.0', newAppImage());
      const p = start({ DEVMESH_UPDATE_FEED: feedUrl });
      await p.checkNow();
      expect(informed).toEqual(['DevMesh 0.2.0 is available']);
      expect(announced).toEqual(['0.2.0']);
    },
    scaled(30_000),
  );
});

describe('resolveUpdateFeed', () => {
  it('reads app-update.yml, treats the .invalid placeholder and a missing file as off, and lets the env override', () => {
    const yml = join(resources, 'app-update.yml');
    expect(resolveUpdateFeed({}, yml)).toEqual({ url: feedUrl, from: 'app-update.yml' });
    expect(resolveUpdateFeed({ DEVMESH_UPDATE_FEED: 'http://127.0.0.1:9/f/' }, yml)).toEqual({
      url: 'http://127.0.0.1:9/f/',
      from: 'DEVMESH_UPDATE_FEED',
    });
    expect(resolveUpdateFeed({ DEVMESH_UPDATE_FEED: '/srv/feed' }, yml)).toMatchObject({
      off: expect.stringContaining('not an http(s) URL'),
    });
    expect(resolveUpdateFeed({}, join(dir, 'none.yml'))).toMatchObject({ off: expect.stringContaining('missing') });
    writeFileSync(yml, 'provider: generic\nurl: https://releases.devmesh.invalid/desktop\n');
    expect(resolveUpdateFeed({}, yml)).toMatchObject({ off: expect.stringContaining('placeholder') });
    writeFileSync(yml, 'provider: github\nowner: devmesh\nrepo: devmesh\n');
    expect(resolveUpdateFeed({}, yml)).toEqual({ url: null, from: 'app-update.yml' });
  });
});
