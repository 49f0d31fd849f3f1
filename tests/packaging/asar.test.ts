// Packages the app with the real electron-builder (through scripts/dist.mjs) against a stub Electron, since
// the Electron binary cannot be downloaded here, and checks what a user's install would hold: the built
// faces and package.json inside app.asar, the native binaries unpacked beside it (a .node file cannot be
// loaded from inside an archive) and loading from there, no sources or other platforms' binaries, the
// Electron fuses flipped in the binary, and the deb (built from electron-builder's fpm arguments by
// fixtures/fpm-shim.cjs with dpkg-deb) with its dependencies, desktop entry and `devmesh` command.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @electron/asar is a dependency of electron-builder (CommonJS)
import asar from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { parse as parseYaml } from 'yaml';
import { scaled } from '../helpers/load-scale.js';

const root = join(__dirname, '..', '..');
const BUILT = ['dist/electron/main.js', 'dist/preload/preload.js', 'dist/renderer/index.html'];

let work: string;
let out: string;
let resources: string;
let files: string[];
let extracted: string;
let deb: string;

// The fuse wire of @electron/fuses (its src/constants.ts): the sentinel, the wire version (1), the wire length,
// then one byte per fuse ('0' off, '1' on). These are Electron's defaults, so each flip the config asks for shows.
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ELECTRON_DEFAULT_FUSES = '10110001'; // RunAsNode, NodeOptions, Inspect and GrantFileProtocolExtraPrivileges on

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe.runIf(process.platform === 'linux')('packaged app (electron-builder --linux --dir, stub Electron)', () => {
  beforeAll(
    () => {
      // A full build empties dist/ (which other test files use): build only when it is missing.
      if (!BUILT.every((f) => existsSync(join(root, f)))) {
        execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
      }
      work = mkdtempSync(join(tmpdir(), 'devmesh-dist-'));
      const stub = join(work, 'electron-stub');
      mkdirSync(stub);
      // a stub that cannot run, holding the fuse wire a real Electron binary holds, so the fuses are flipped for real
      const wire = Buffer.concat([
        Buffer.from(`#!/bin/sh\necho "stub electron: cannot run" >&2\nexit 1\n# ${SENTINEL}`),
        Buffer.from([1, 8]),
        Buffer.from(`${ELECTRON_DEFAULT_FUSES}\n`),
      ]);
      writeFileSync(join(stub, 'electron'), wire);
      chmodSync(join(stub, 'electron'), 0o755);
      // fpm, which electron-builder would download: the shim builds the deb with dpkg-deb from fpm's arguments
      const fpm = join(work, 'fpm');
      writeFileSync(
        fpm,
        `#!/bin/sh\nexec '${process.execPath}' '${join(__dirname, 'fixtures', 'fpm-shim.cjs')}' "$@"\n`,
      );
      chmodSync(fpm, 0o755);
      out = join(work, 'release');
      const run = spawnSync(
        process.execPath,
        ['scripts/dist.mjs', '--skip-build', '--targets=dir,deb', `-c.directories.output=${out}`],
        {
          cwd: root,
          env: {
            ...process.env,
            DEVMESH_ELECTRON_DIST: stub,
            ELECTRON_BUILDER_CACHE: join(work, 'cache'),
            CUSTOM_FPM_PATH: fpm,
            CI: '1',
          },
          encoding: 'utf8',
          // electron-builder is CPU-bound: under load it takes several times its quiet 40-60 s
          timeout: scaled(240_000),
        },
      );
      if (run.status !== 0)
        throw new Error(`dist.mjs failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
      resources = join(out, 'linux-unpacked', 'resources');
      files = asar
        .listPackage(join(resources, 'app.asar'), { isPack: false })
        .map((p: string) => p.replaceAll('\\', '/'));
      // the archive with its unpacked part, as a folder plain Node can load from
      extracted = join(work, 'extracted');
      asar.extractAll(join(resources, 'app.asar'), extracted);
      deb =
        readdirSync(out)
          .filter((f) => f.endsWith('.deb'))
          .map((f) => join(out, f))[0] ?? '';
    },
    scaled(300_000) + 60_000,
  );

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
    const natives = walk(unpacked)
      .map((p) => relative(unpacked, p))
      .filter((p) => p.endsWith('.node'));
    expect(natives).toContain(`node_modules/better-sqlite3/prebuilds/${process.platform}-${process.arch}.node`);
    // the asar index points at the unpacked copy rather than holding the bytes
    expect(files).toContain(`/node_modules/better-sqlite3/prebuilds/${process.platform}-${process.arch}.node`);
  });

  it('ships the production dependencies the main process loads, and no source maps or dev tooling', () => {
    for (const dep of ['better-sqlite3', 'pino', 'ws', 'yaml', 'zod'])
      expect(files, dep).toContain(`/node_modules/${dep}/package.json`);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    for (const dev of ['electron', 'vite', 'vitest', 'typescript', 'react'])
      expect(files, dev).not.toContain(`/node_modules/${dev}/package.json`);
  });

  it('resolves every package the bundled main process requires, and better-sqlite3 opens a database', () => {
    // Load the dependencies from the extracted archive the way the app would.
    const main = readFileSync(join(extracted, 'dist/electron/main.js'), 'utf8');
    const packages = [...new Set([...main.matchAll(/require\("([^".][^"]*)"\)/g)].map((m) => m[1]!))].filter(
      (p) => !p.startsWith('node:') && !builtinModules.includes(p) && p !== 'electron',
    );
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
    expect(config).toMatchObject({
      provider: 'generic',
      url: builder.publish.url,
      updaterCacheDirName: 'devmesh-updater',
    });
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

  it('holds the dependencies of every production dependency, all the way down', () => {
    // electron-builder only warns ("cannot find path for dependency") and packages an app that fails at its
    // first require when `npm ls` cannot see the tree, as with a node_modules that is a symlink (a git worktree)
    const pkg = JSON.parse(readFileSync(join(extracted, 'package.json'), 'utf8'));
    const missing = new Set<string>();
    const seen = new Set<string>();
    // left out on purpose (electron-builder.yml): the C++ headers native modules compile with
    const buildOnly = new Set(['node-addon-api']);
    const visit = (name: string, from: string) => {
      if (buildOnly.has(name)) return;
      let manifest: string;
      try {
        manifest = createRequire(join(from, 'noop.js')).resolve(`${name}/package.json`);
      } catch {
        // packages whose exports map hides package.json: find the folder on the resolution path
        const dir = createRequire(join(from, 'noop.js'))
          .resolve.paths(name)!
          .map((p) => join(p, name))
          .find((d) => existsSync(join(d, 'package.json')));
        if (!dir) return void missing.add(`${name} (needed by ${relative(extracted, from) || 'the app'})`);
        manifest = join(dir, 'package.json');
      }
      if (!manifest.startsWith(extracted))
        return void missing.add(`${name} (resolved outside the package: ${manifest})`);
      if (seen.has(manifest)) return;
      seen.add(manifest);
      const deps = JSON.parse(readFileSync(manifest, 'utf8'));
      const optional = new Set(Object.keys(deps.optionalDependencies ?? {}));
      for (const dep of Object.keys(deps.dependencies ?? {})) if (!optional.has(dep)) visit(dep, join(manifest, '..'));
    };
    for (const dep of Object.keys(pkg.dependencies)) visit(dep, extracted);
    expect(
      [...missing],
      'packages electron-builder left out (see its "cannot find path for dependency" warning)',
    ).toEqual([]);
  });

  it('unpacks node-pty’s binary and a real terminal runs from the packaged copy', async () => {
    expect(files).toContain('/node_modules/node-pty/build/Release/pty.node');
    expect(
      existsSync(join(resources, 'app.asar.unpacked', 'node_modules', 'node-pty', 'build', 'Release', 'pty.node')),
    ).toBe(true);
    const pty = createRequire(join(extracted, 'dist/electron/main.js'))('node-pty') as typeof import('node-pty');
    expect(createRequire(join(extracted, 'dist/electron/main.js')).resolve('node-pty')).toContain(extracted);
    const term = pty.spawn('/bin/sh', ['-c', 'echo packaged-pty-$((6*7))'], {
      cols: 80,
      rows: 24,
      cwd: work,
      env: { PATH: '/usr/bin:/bin' },
    });
    let text = '';
    term.onData((d) => (text += d));
    const code = await new Promise<number>((resolve) => term.onExit((e) => resolve(e.exitCode)));
    expect(code).toBe(0);
    expect(text).toContain('packaged-pty-42');
  });

  it('leaves out native sources, other platforms’ binaries, and the tests and examples of dependencies', () => {
    const under = (prefix: string) => files.filter((f) => f.startsWith(prefix));
    for (const dir of ['src', 'deps', 'third_party', 'scripts', 'typings', 'prebuilds']) {
      expect(under(`/node_modules/node-pty/${dir}/`), `node-pty/${dir}`).toEqual([]);
    }
    expect(files).not.toContain('/node_modules/node-pty/binding.gyp');
    expect(
      under('/node_modules/node-pty/').filter((f) => /winpty|conpty|conout|\/windows[A-Z]\w+\.js$/.test(f)),
    ).toEqual([]);
    expect(files.filter((f) => f.includes('/node-addon-api/'))).toEqual([]);
    // compiler leftovers of the local node-pty build
    expect(
      files.filter(
        (f) =>
          f.startsWith('/node_modules/node-pty/build/') && !f.endsWith('/pty.node') && !/build(\/Release)?$/.test(f),
      ),
    ).toEqual([]);
    const sqlite = under('/node_modules/better-sqlite3/prebuilds/').filter((f) => f.endsWith('.node'));
    expect(sqlite).toEqual([`/node_modules/better-sqlite3/prebuilds/${process.platform}-${process.arch}.node`]);
    const testsAndExamples = files.filter((f) =>
      /\/node_modules\/(?:@[^/]+\/)?[^/]+\/(?:tests?|__tests__|examples?|benchmarks?)\//.test(f),
    );
    expect(testsAndExamples).toEqual([]);
  });

  it('flips the Electron fuses in the packaged binary: no file:// privileges, ASAR only and checked; RunAsNode stays', async () => {
    const fuses = (await getCurrentFuseWire(join(out, 'linux-unpacked', 'devmesh-app'))) as Record<number, number>;
    // @electron/fuses' FuseState (not exported from its index): the wire's bytes are '1' on, '0' off
    const on = '1'.charCodeAt(0);
    const off = '0'.charCodeAt(0);
    expect({
      runAsNode: fuses[FuseV1Options.RunAsNode],
      cookieEncryption: fuses[FuseV1Options.EnableCookieEncryption],
      nodeOptions: fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable],
      inspectArguments: fuses[FuseV1Options.EnableNodeCliInspectArguments],
      asarIntegrity: fuses[FuseV1Options.EnableEmbeddedAsarIntegrityValidation],
      onlyLoadAppFromAsar: fuses[FuseV1Options.OnlyLoadAppFromAsar],
      grantFileProtocolExtraPrivileges: fuses[FuseV1Options.GrantFileProtocolExtraPrivileges],
    }).toEqual({
      runAsNode: on, // agents' hooks and MCP server run the CLI with ELECTRON_RUN_AS_NODE
      cookieEncryption: on,
      nodeOptions: off,
      inspectArguments: off,
      asarIntegrity: on,
      onlyLoadAppFromAsar: on,
      grantFileProtocolExtraPrivileges: off,
    });
  });

  it('builds a deb that declares glibc 2.34 and the libraries Electron links, with alternatives for Ubuntu 24.04', () => {
    expect(deb, 'a .deb in the output').toMatch(/\.deb$/);
    const field = (name: string) => execFileSync('dpkg-deb', ['-f', deb, name], { encoding: 'utf8' }).trim();
    const depends = field('Depends').split(/,\s*/);
    for (const dep of [
      'libc6 (>= 2.34)',
      'libgtk-3-0 | libgtk-3-0t64',
      'libnss3',
      'libgbm1',
      'libasound2 | libasound2t64',
      'libdrm2',
      'libxkbcommon0',
      'libxrandr2',
      'libxcomposite1',
      'libxdamage1',
      'libxfixes3',
      'libcups2 | libcups2t64',
      'libpango-1.0-0',
      'libatk-bridge2.0-0 | libatk-bridge2.0-0t64',
    ]) {
      expect(depends, dep).toContain(dep);
    }
    const recommends = field('Recommends');
    expect(recommends).not.toMatch(/(^|[ ,|])libappindicator3-1\b/);
    expect(recommends).toContain('libayatana-appindicator3-1');
  });

  it('installs a desktop entry whose StartupWMClass is the window’s WM_CLASS, without --no-sandbox', () => {
    const root = join(work, 'deb-root');
    execFileSync('dpkg-deb', ['-x', deb, root]);
    const pkg = JSON.parse(readFileSync(join(extracted, 'package.json'), 'utf8'));
    // Electron takes the window's WM_CLASS and Wayland app id from package.json desktopName (minus .desktop)
    expect(pkg.desktopName).toMatch(/\.desktop$/);
    const appId = pkg.desktopName.replace(/\.desktop$/, '');
    const entryFile = join(root, 'usr', 'share', 'applications', pkg.desktopName);
    expect(existsSync(entryFile), `${pkg.desktopName} installed`).toBe(true);
    const entry = readFileSync(entryFile, 'utf8');
    expect(entry).toContain(`StartupWMClass=${appId}\n`);
    expect(entry).toMatch(/^Name=DevMesh$/m);
    expect(entry).not.toContain('--no-sandbox');
    const icon = /^Icon=(.+)$/m.exec(entry)![1]!;
    expect(readdirSync(join(root, 'usr', 'share', 'icons', 'hicolor'), { recursive: true }).map(String)).toEqual(
      expect.arrayContaining([expect.stringContaining(`apps/${icon}.png`)]),
    );
  });

  it('installs the devmesh command, which runs the packaged CLI on the app’s own Node', () => {
    const root = join(work, 'deb-cli');
    execFileSync('dpkg-deb', ['-x', deb, root]);
    const wrapper = join(root, 'usr', 'bin', 'devmesh');
    expect(existsSync(wrapper), '/usr/bin/devmesh').toBe(true);
    expect(statSync(wrapper).mode & 0o111).toBe(0o111);
    const script = readFileSync(wrapper, 'utf8');
    expect(script).toContain('/opt/DevMesh/devmesh-app');
    expect(script).toContain('/opt/DevMesh/resources/app.asar/bin/devmesh.js');
    // Run it against the unpacked package: the product Node stands in for the Electron binary (noting the
    // environment it gets) and the archive is a folder of the same name, which plain Node can read.
    const app = join(root, 'opt', 'DevMesh');
    writeFileSync(
      join(app, 'devmesh-app'),
      `#!/bin/sh\necho "RUN_AS_NODE=$ELECTRON_RUN_AS_NODE" >&2\nexec '${process.execPath}' "$@"\n`,
    );
    rmSync(join(app, 'resources', 'app.asar'));
    cpSync(extracted, join(app, 'resources', 'app.asar'), { recursive: true });
    const local = join(work, 'devmesh-local');
    writeFileSync(local, script.replaceAll('/opt/DevMesh', app));
    const home = mkdtempSync(join(tmpdir(), 'devmesh-cli-home-'));
    try {
      const run = spawnSync('sh', [local, 'version'], {
        encoding: 'utf8',
        env: { PATH: '/usr/bin:/bin', DEVMESH_HOME: home, DEVMESH_PORT: '1' },
      });
      expect(run.stderr).toContain('RUN_AS_NODE=1');
      expect(`${run.stdout}${run.stderr}`).toContain(
        JSON.parse(readFileSync(join(extracted, 'package.json'), 'utf8')).version,
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  describe('with a damaged node-pty binary in the install', () => {
    let broken: string;
    let home: string;
    beforeAll(() => {
      broken = join(work, 'broken');
      cpSync(extracted, broken, { recursive: true });
      const binary = join(broken, 'node_modules', 'node-pty', 'build', 'Release', 'pty.node');
      writeFileSync(binary, readFileSync(binary).subarray(0, 10));
      home = mkdtempSync(join(tmpdir(), 'devmesh-broken-home-'));
    });
    afterAll(() => rmSync(home, { recursive: true, force: true }));
    const env = () => ({ ...process.env, DEVMESH_HOME: home, DEVMESH_PORT: '0', DEVMESH_LOG_LEVEL: 'warn' });

    it('the app explains what failed and what to do in a dialog, and quits (not Electron’s crash box)', () => {
      const shim = join(__dirname, 'fixtures', 'electron-shim.cjs');
      const run = spawnSync(process.execPath, ['--require', shim, 'dist/electron/main.js'], {
        cwd: broken,
        env: env(),
        encoding: 'utf8',
        timeout: scaled(60_000),
      });
      const output = `${run.stdout}${run.stderr}`;
      expect(run.status, output).toBe(1);
      const box = /shim: error box: (.*)/.exec(output)?.[1] ?? '';
      expect(box).toMatch(
        /^DevMesh cannot start: node-pty could not be loaded: node-pty's binary \S+pty\.node is damaged \(file too short\)/,
      );
      expect(box).toContain('Reinstall DevMesh');
      expect(output).not.toContain('shim: tray ');
    });

    it('the daemon (`devmesh up`) gives the same explanation and exits', () => {
      const cwd = mkdtempSync(join(tmpdir(), 'devmesh-broken-cwd-'));
      try {
        const run = spawnSync(process.execPath, [join(broken, 'bin', 'devmesh.js'), 'up', '--port', '0'], {
          cwd,
          env: env(),
          encoding: 'utf8',
          timeout: scaled(60_000),
        });
        expect(run.status, `${run.stdout}${run.stderr}`).not.toBe(0);
        expect(run.signal).toBeNull();
        expect(run.stderr).toMatch(/node-pty's binary \S+pty\.node is damaged \(file too short\)/);
        expect(run.stderr).toContain('Reinstall DevMesh');
        expect(run.stderr).not.toMatch(/^\s+at /m); // an explanation, not a stack trace
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });
  });

  it('includes the tray and window icons', () => {
    expect(files).toContain('/assets/tray.png');
    expect(files).toContain('/assets/icon.png');
    // the macOS menu bar's template image, both densities
    expect(files).toContain('/assets/trayTemplate.png');
    expect(files).toContain('/assets/trayTemplate@2x.png');
  });
});
