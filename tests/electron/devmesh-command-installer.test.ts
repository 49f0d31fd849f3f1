// The `devmesh` wrapper "Install the devmesh command…" writes, run for real: a Node stands in for the app's
// executable (ELECTRON_RUN_AS_NODE makes Electron a Node), and an app folder whose bin/devmesh.js reports
// what it was given. Paths carry spaces and quotes, as a user's folders may.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  adminAppleScript,
  DevmeshCommandInstaller,
  wrapperScript,
} from '../../main/electron/devmesh-command-installer.js';

let dir: string;
let appPath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'devmesh-cmd-'));
  appPath = join(dir, `Dev Mesh's "apps"`, 'DevMesh.app', 'Contents', 'Resources', 'app');
  mkdirSync(join(appPath, 'bin'), { recursive: true });
  writeFileSync(
    join(appPath, 'bin', 'devmesh.js'),
    'console.log(JSON.stringify({ argv: process.argv.slice(2), runAsNode: process.env.ELECTRON_RUN_AS_NODE, script: __filename }))\n',
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function runCommand(path: string, args: string[]): { argv: string[]; runAsNode: string; script: string } {
  return JSON.parse(execFileSync(path, args, { encoding: 'utf8', env: { PATH: process.env.PATH } }));
}

describe('DevmeshCommandInstaller', () => {
  it("writes a runnable wrapper that runs the app's CLI with the app's own Node, passing every argument", async () => {
    const target = join(dir, 'usr', 'local', 'bin', 'devmesh'); // the folder does not exist yet
    const elevated: string[] = [];
    const installer = new DevmeshCommandInstaller({
      execPath: process.execPath,
      appPath,
      target,
      runAsAdmin: async (cmd) => void elevated.push(cmd),
    });
    expect(installer.existing()).toBe('absent');
    expect(await installer.install()).toEqual({ path: target, elevated: false });
    expect(elevated).toEqual([]);
    expect(statSync(target).mode & 0o777).toBe(0o755);
    const out = runCommand(target, ['status', 'two words', `it's "quoted" $HOME`, '']);
    expect(out).toEqual({
      argv: ['status', 'two words', `it's "quoted" $HOME`, ''],
      runAsNode: '1',
      script: join(appPath, 'bin', 'devmesh.js'),
    });
    expect(installer.existing()).toBe('ours');
  });

  it('knows another devmesh (an npm install) from its own wrapper', () => {
    const target = join(dir, 'devmesh');
    writeFileSync(target, '#!/usr/bin/env node\nrequire("../lib/node_modules/devmesh/bin/devmesh.js")\n', {
      mode: 0o755,
    });
    const installer = new DevmeshCommandInstaller({
      execPath: process.execPath,
      appPath,
      target,
      runAsAdmin: async () => {},
    });
    expect(installer.existing()).toBe('other');
  });

  it('where the folder is not writable, copies the wrapper with administrator rights, in one shell command', async () => {
    const target = join(dir, 'root owned', 'bin', 'devmesh');
    let asked = '';
    const installer = new DevmeshCommandInstaller({
      execPath: process.execPath,
      appPath,
      target,
      canWriteTo: () => false,
      // what osascript would run as root: here, the same shell command run by sh
      runAsAdmin: async (cmd) => {
        asked = cmd;
        const r = spawnSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(r.stderr);
      },
    });
    expect(await installer.install()).toEqual({ path: target, elevated: true });
    expect(asked).toMatch(/^mkdir -p '.*root owned\/bin' && cp '.*' '.*root owned\/bin\/devmesh' && chmod 755 /);
    expect(runCommand(target, ['--version']).argv).toEqual(['--version']);
    expect(readFileSync(target, 'utf8')).toBe(wrapperScript(process.execPath, appPath));
  });

  it('quotes the command for AppleScript: backslashes and double quotes escaped, nothing else', () => {
    expect(adminAppleScript(`cp '/a "b"\\c' '/x'`)).toBe(
      `do shell script "cp '/a \\"b\\"\\\\c' '/x'" with administrator privileges`,
    );
  });
});
