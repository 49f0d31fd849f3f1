// What electron-builder makes of electron-builder.yml where the packaging test cannot build the artifact here:
// the AppImage's desktop entry (electron-builder's own effectiveOptionComputed hook hands it over before the
// AppImage tools would be downloaded), and the Windows build that DevMesh does not offer.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { scaled } from '../helpers/load-scale.js';

const root = join(__dirname, '..', '..');
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'devmesh-dist-config-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.runIf(process.platform === 'linux')('the AppImage (electron-builder.yml)', () => {
  it(
    'gets a desktop entry without --no-sandbox, for the window class Electron sets, from a toolset needing no libfuse2',
    async () => {
      const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8'));
      // the legacy FUSE2 toolset ("0.0.0", the default) needs libfuse2, which stock Ubuntu 22.04/24.04 lack
      expect(config.toolsets?.appimage).toMatch(/^[1-9]\d*\.\d+\.\d+$/);
      const prepackaged = join(work, 'linux-unpacked');
      mkdirSync(prepackaged);
      const script = `
      const { build, Platform, Arch } = require('electron-builder');
      let entry = null;
      build({
        projectDir: ${JSON.stringify(root)},
        targets: Platform.LINUX.createTarget(['AppImage'], Arch.x64),
        prepackaged: ${JSON.stringify(prepackaged)},
        publish: 'never',
        config: { electronVersion: require('electron/package.json').version, directories: { output: ${JSON.stringify(join(work, 'out'))} } },
        // called with the desktop entry before any AppImage tool is fetched; true stops the build there
        effectiveOptionComputed: async (o) => (o && o.desktop ? ((entry = o), true) : false),
      }).then(() => console.log('ENTRY' + JSON.stringify(entry)), (e) => { console.error(e); process.exit(1); });`;
      const run = spawnSync(process.execPath, ['-e', script], {
        cwd: root,
        env: { ...process.env, CI: '1', ELECTRON_BUILDER_CACHE: join(work, 'cache') },
        encoding: 'utf8',
        timeout: scaled(120_000),
      });
      const line = run.stdout.split('\n').find((l) => l.startsWith('ENTRY'));
      expect(line, `${run.stdout}${run.stderr}`).toBeDefined();
      const { desktop, desktopFileName } = JSON.parse(line!.slice('ENTRY'.length));
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
      expect(desktop).toMatch(/^Exec=AppRun %U$/m);
      expect(desktop).not.toContain('--no-sandbox');
      expect(desktopFileName).toBe(pkg.desktopName);
      expect(desktop).toContain(`\nStartupWMClass=${pkg.desktopName.replace(/\.desktop$/, '')}\n`);
    },
    scaled(150_000),
  );
});

describe('Windows', () => {
  it('is not offered: no win/nsis targets, and `npm run dist -- --win` refuses, saying why', () => {
    const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8'));
    expect(config.win).toBeUndefined();
    expect(config.nsis).toBeUndefined();
    const run = spawnSync(process.execPath, ['scripts/dist.mjs', '--skip-build', '--win'], {
      cwd: root,
      env: { ...process.env, DEVMESH_ELECTRON_DIST: join(work, 'no-electron'), CI: '1' },
      encoding: 'utf8',
      timeout: scaled(60_000),
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^dist: DevMesh has no Windows build: .*\/bin\/sh.*POSIX process group/m);
    expect(run.stdout).not.toContain('electron-builder');
  });
});
