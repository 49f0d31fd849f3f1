// The user's login-shell environment, read by running their real shell (bash, sh/dash, zsh, fish) as an
// interactive login shell in a fixture home: the PATH entry and variable its login files add arrive, the
// noise its rc files print is ignored, an rc that hangs ends in a bounded time (with every process it
// started) and falls back, and a shell that exits non-zero falls back saying what it printed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as loginShellEnv from '../../../main/core/environment/login-shell-env.js';
import { LAUNCHER_PATH, LOGIN_MARK, LoginShellHome, missing } from '../../helpers/login-shell-home.js';
import { scaled } from '../../helpers/load-scale.js';
import { until } from '../../helpers/until.js';

let home: LoginShellHome;
beforeEach(() => {
  home = new LoginShellHome();
});
afterEach(() => home.dispose());

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const SHELLS = ['/bin/bash', '/bin/sh', '/usr/bin/zsh', '/usr/bin/fish'];
const resolve = (env: Record<string, string>) =>
  loginShellEnv.resolve({ env, platform: 'linux', timeoutMs: scaled(10_000) });

describe('loginShellEnv.resolve', () => {
  for (const shell of SHELLS) {
    const title = `reads what ${shell}'s login files export, through their noise${missing(shell)}`;
    it.skipIf(!existsSync(shell))(
      title,
      async () => {
        const r = await resolve(home.launcherEnv(shell));
        expect(r.outcome).toMatchObject({ kind: 'resolved', shell });
        expect(r.env.PATH!.split(':')).toContain(home.bin);
        expect(r.env.LOGIN_MARK).toBe(LOGIN_MARK);
        // the probe's own variables stay out
        expect(r.env.ELECTRON_RUN_AS_NODE).toBeUndefined();
        expect(r.env.DEVMESH_RESOLVING_ENVIRONMENT).toBeUndefined();
      },
      scaled(20_000),
    );
  }

  it(
    'finds the shell in $SHELL and keeps what the session gave that the shell did not repeat',
    async () => {
      const r = await resolve(home.launcherEnv('/bin/bash', { DISPLAY: ':7' }));
      expect(r.outcome.kind).toBe('resolved');
      expect(r.env.DISPLAY).toBe(':7');
    },
    scaled(20_000),
  );

  it(
    'gives up on an rc file that hangs, kills what it started, and falls back to its own env',
    async () => {
      home.write('.bash_profile', 'echo $$ > "$HOME/shell.pid"\nsleep 60 & echo $! > "$HOME/sleep.pid"\nwait');
      const env = home.launcherEnv('/bin/bash', { APPIMAGE: '/opt/DevMesh.AppImage' });
      const r = await loginShellEnv.resolve({ env, platform: 'linux', timeoutMs: 1500 });
      expect(r.outcome).toMatchObject({ kind: 'timed-out', shell: '/bin/bash', timeoutMs: 1500 });
      // the fallback: the launcher's environment, without the packaging's variables
      expect(r.env.PATH).toBe(LAUNCHER_PATH);
      expect(r.env.APPIMAGE).toBeUndefined();
      const shellPid = Number(readFileSync(join(home.dir, 'shell.pid'), 'utf8'));
      const sleepPid = Number(readFileSync(join(home.dir, 'sleep.pid'), 'utf8'));
      await until('the hung shell and its sleep to be gone', () => !alive(shellPid) && !alive(sleepPid));
    },
    scaled(20_000),
  );

  it(
    'falls back when the shell exits non-zero, with what it printed on stderr',
    async () => {
      home.write('.bash_profile', 'echo "nvm: command not found" >&2\nexit 3');
      const r = await resolve(home.launcherEnv('/bin/bash'));
      expect(r.outcome).toMatchObject({ kind: 'failed', shell: '/bin/bash' });
      if (r.outcome.kind !== 'failed') throw new Error('unreachable');
      expect(r.outcome.error).toMatch(/exited with code 3/);
      expect(r.outcome.stderr).toContain('nvm: command not found');
      expect(r.outcome.stderr).not.toMatch(/job control/);
      expect(r.env.PATH).toBe(LAUNCHER_PATH);
    },
    scaled(20_000),
  );

  it('falls back when the shell does not exist', async () => {
    const env = home.launcherEnv('/bin/bash');
    const r = await loginShellEnv.resolve({ env, shell: '/nonexistent/zsh', platform: 'linux' });
    expect(r.outcome).toMatchObject({ kind: 'failed', shell: '/nonexistent/zsh' });
    expect(r.env.PATH).toBe(LAUNCHER_PATH);
  });

  it('keeps its own env on Windows, when started from a terminal and when told to, packaging variables removed', async () => {
    const mount = '/tmp/.mount_DevMesh';
    const env = home.launcherEnv('/bin/bash', { APPDIR: mount, PATH: `${mount}/usr/bin:${LAUNCHER_PATH}` });
    for (const r of [
      await loginShellEnv.resolve({ env, platform: 'win32' }),
      await loginShellEnv.resolve({ env, platform: 'linux', fromTerminal: true }),
      await loginShellEnv.resolve({ env: { ...env, DEVMESH_SHELL_ENV: '0' }, platform: 'linux' }),
    ]) {
      expect(r.outcome.kind).toBe('skipped');
      expect(r.env.PATH).toBe(LAUNCHER_PATH);
      expect(r.env.APPDIR).toBeUndefined();
      expect(r.env.LOGIN_MARK).toBeUndefined();
    }
  });
});
