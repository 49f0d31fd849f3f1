// The `devmesh` command an installed app writes for its user (macOS "Install the devmesh command"): a script that
// runs the app's packaged CLI on the app's own Node. Run for real here: the product Node stands in for the app's
// Electron binary, behind a stub that reports the environment it got.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliWrapperScript, installCliCommand } from '../../main/electron/cli-command-installer.js';

let dir: string;
let app: { executable: string; appPath: string };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "devmesh cli 'installer' "));
  // an "app": its executable runs the product Node with what it was given, and a CLI that prints its argv
  const appPath = join(dir, 'Dev Mesh.app', 'Contents', 'Resources', 'app.asar');
  mkdirSync(join(appPath, 'bin'), { recursive: true });
  writeFileSync(join(appPath, 'bin', 'devmesh.js'), 'console.log(JSON.stringify(process.argv.slice(2)));\n');
  const executable = join(dir, 'Dev Mesh.app', 'Contents', 'MacOS', 'DevMesh');
  mkdirSync(join(executable, '..'), { recursive: true });
  writeFileSync(executable, `#!/bin/sh\necho "RUN_AS_NODE=$ELECTRON_RUN_AS_NODE" >&2\nexec '${process.execPath}' "$@"\n`);
  chmodSync(executable, 0o755);
  app = { executable, appPath };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('installCliCommand', () => {
  it('writes an executable devmesh that runs the app’s CLI as Node, passing every argument through', () => {
    const target = join(dir, 'bin', 'devmesh');
    expect(installCliCommand(app, target)).toEqual({ ok: true, path: target, replaced: false });
    expect(statSync(target).mode & 0o777).toBe(0o755);
    const run = spawnSync(target, ['status', 'a b', "it's"], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect(run.stderr).toContain('RUN_AS_NODE=1');
    expect(JSON.parse(run.stdout)).toEqual(['status', 'a b', "it's"]);
  });

  it('replaces its own earlier wrapper (the app moved) but never a devmesh that is not its own', () => {
    const target = join(dir, 'bin', 'devmesh');
    installCliCommand({ ...app, executable: '/Applications/Old.app/Contents/MacOS/DevMesh' }, target);
    expect(installCliCommand(app, target)).toMatchObject({ ok: true, replaced: true });
    expect(readFileSync(target, 'utf8')).toBe(cliWrapperScript(app));

    const foreign = join(dir, 'bin', 'other');
    writeFileSync(foreign, '#!/bin/sh\necho npm-installed devmesh\n');
    const result = installCliCommand(app, foreign);
    expect(result).toMatchObject({ ok: false, reason: 'not-ours' });
    expect(readFileSync(foreign, 'utf8')).toContain('npm-installed');
  });

  it('says an administrator is needed where the folder is not writable', () => {
    if (process.getuid?.() === 0) {
      // root writes anywhere: use a path under a file, which fails for every user, for the failure path
      const blocked = join(dir, 'a-file');
      writeFileSync(blocked, '');
      expect(installCliCommand(app, join(blocked, 'devmesh'))).toMatchObject({ ok: false, reason: 'failed' });
      return;
    }
    const ro = join(dir, 'ro');
    mkdirSync(ro, { mode: 0o555 });
    expect(installCliCommand(app, join(ro, 'devmesh'))).toMatchObject({ ok: false, reason: 'permission' });
    expect(existsSync(join(ro, 'devmesh'))).toBe(false);
  });
});
