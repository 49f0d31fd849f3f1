// Packages the app with the real electron-builder (through scripts/dist.mjs) against a stub Electron, since
// the Electron binary cannot be downloaded here, and checks what a user's install would hold: the built
// faces and package.json inside app.asar, and better-sqlite3's native binary unpacked beside it (a .node
// file cannot be loaded from inside an archive).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @electron/asar is a dependency of electron-builder (CommonJS)
import asar from '@electron/asar';
import { parse as parseYaml } from 'yaml';
import { scaled } from '../helpers/load-scale.js';

const root = join(__dirname, '..', '..');
const BUILT = ['dist/electron/main.js', 'dist/preload/preload.js', 'dist/renderer/index.html'];

let work: string;
let resources: string;
let files: string[];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe.runIf(process.platform === 'linux')('packaged app (electron-builder --linux --dir, stub Electron)', () => {
  beforeAll(() => {
    // A full build empties dist/ (which other test files use): build only when it is missing.
    if (!BUILT.every((f) => existsSync(join(root, f)))) {
      execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
    }
    work = mkdtempSync(join(tmpdir(), 'devmesh-dist-'));
    const stub = join(work, 'electron-stub');
    mkdirSync(stub);
    writeFileSync(join(stub, 'electron'), '#!/bin/sh\necho "stub electron: cannot run" >&2\nexit 1\n');
    chmodSync(join(stub, 'electron'), 0o755);
    const out = join(work, 'release');
    const run = spawnSync(process.execPath, ['scripts/dist.mjs', '--skip-build', `-c.directories.output=${out}`], {
      cwd: root,
      env: { ...process.env, DEVMESH_ELECTRON_DIST: stub, ELECTRON_BUILDER_CACHE: join(work, 'cache'), CI: '1' },
      encoding: 'utf8',
      timeout: 240_000,
    });
    if (run.status !== 0) throw new Error(`dist.mjs failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
    resources = join(out, 'linux-unpacked', 'resources');
    files = asar.listPackage(join(resources, 'app.asar'), { isPack: false }).map((p: string) => p.replaceAll('\\', '/'));
  }, scaled(300_000));

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('holds package.json and the built main process, preload and renderer in app.asar', () => {
    for (const f of ['/package.json', ...BUILT.map((b) => `/${b}`)]) expect(files, f).toContain(f);
    const pkg = JSON.parse(asar.extractFile(join(resources, 'app.asar'), 'package.json').toString('utf8'));
    expect(pkg.main).toBe('dist/electron/main.js');
    expect(pkg.name).toBe('devmesh');
  });

  it('holds the CLI that launched agents run for their MCP server and edit hooks', () => {
    for (const f of ['/bin/devmesh.js', '/dist/cli/devmesh.js']) expect(files, f).toContain(f);
  });

  it('unpacks better-sqlite3’s native binary next to the archive', () => {
    const unpacked = join(resources, 'app.asar.unpacked');
    const natives = walk(unpacked).map((p) => relative(unpacked, p)).filter((p) => p.endsWith('.node'));
    expect(natives).toContain(`node_modules/better-sqlite3/prebuilds/${process.platform}-${process.arch}.node`);
    // the asar index points at the unpacked copy rather than holding the bytes
    expect(files).toContain(`/node_modules/better-sqlite3/prebuilds/${process.platform}-${process.arch}.node`);
  });

  it('ships the production dependencies the main process loads, and no source maps or dev tooling', () => {
    for (const dep of ['better-sqlite3', 'pino', 'ws', 'yaml', 'zod']) expect(files, dep).toContain(`/node_modules/${dep}/package.json`);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    for (const dev of ['electron', 'vite', 'vitest', 'typescript', 'react']) expect(files, dev).not.toContain(`/node_modules/${dev}/package.json`);
  });

  it('resolves every package the bundled main process requires, and better-sqlite3 opens a database', () => {
    // Extract the archive (with its unpacked part) and load the dependencies the way the app would.
    const extracted = join(work, 'extracted');
    asar.extractAll(join(resources, 'app.asar'), extracted);
    const main = readFileSync(join(extracted, 'dist/electron/main.js'), 'utf8');
    const packages = [...new Set([...main.matchAll(/require\("([^".][^"]*)"\)/g)].map((m) => m[1]!))]
      .filter((p) => !p.startsWith('node:') && !builtinModules.includes(p) && p !== 'electron');
    expect(packages).toEqual(expect.arrayContaining(['better-sqlite3', 'zod']));
    const requireFromMain = createRequire(join(extracted, 'dist/electron/main.js'));
    for (const p of packages) expect(requireFromMain.resolve(p), p).toContain(join(extracted, 'node_modules'));
    const Database = requireFromMain('better-sqlite3');
    // a file on disk in WAL mode, as the daemon's store runs: the native module's file I/O, not only its SQL
    const file = join(work, 'packaged.db');
    const db = new Database(file);
    expect(db.pragma('journal_mode = WAL', { simple: true })).toBe('wal');
    db.exec('CREATE TABLE t (answer INTEGER NOT NULL)');
    db.prepare('INSERT INTO t VALUES (?)').run(42);
    db.close();
    const reopened = new Database(file, { readonly: true });
    expect(reopened.prepare('SELECT answer FROM t').get()).toEqual({ answer: 42 });
    reopened.close();
  });

  it('writes the release feed of electron-builder.yml into resources/app-update.yml, for electron-updater', () => {
    const config = parseYaml(readFileSync(join(resources, 'app-update.yml'), 'utf8'));
    const builder = parseYaml(readFileSync(join(root, 'electron-builder.yml'), 'utf8'));
    expect(config).toMatchObject({ provider: 'generic', url: builder.publish.url, updaterCacheDirName: 'devmesh-updater' });
    expect(files).toContain('/node_modules/electron-updater/package.json');
  });

  // electron-builder finds dependencies through `npm ls`, which sees a symlinked node_modules (a git worktree
  // sharing another checkout's) as extraneous links and packs no transitive dependency: only a real one counts.
  it.skipIf(lstatSync(join(root, 'node_modules')).isSymbolicLink())(
    'packs electron-updater with all it loads (builder-util-runtime, fs-extra, js-yaml, semver…)',
    () => {
      const extracted = join(work, 'extracted-updater');
      asar.extractAll(join(resources, 'app.asar'), extracted);
      const requireFromMain = createRequire(join(extracted, 'dist/electron/main.js'));
      expect(requireFromMain.resolve('electron-updater')).toContain(join(extracted, 'node_modules'));
      expect(typeof requireFromMain('electron-updater').AppImageUpdater).toBe('function');
    },
  );

  it('includes the tray and window icons', () => {
    expect(files).toContain('/assets/tray.png');
    expect(files).toContain('/assets/icon.png');
    // the macOS menu bar's template image, both densities
    expect(files).toContain('/assets/trayTemplate.png');
    expect(files).toContain('/assets/trayTemplate@2x.png');
  });
});
