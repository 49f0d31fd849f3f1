// A user's home for login-shell tests: a `bin` folder that only the login files put on PATH (holding a
// `devtool` and a fake `claude`), login files for bash, sh/dash, zsh and fish that export LOGIN_MARK and
// print noise on stdout and stderr, and the minimal environment a desktop launcher gives an app (PATH without
// that folder). `write` replaces a login file (an rc that hangs, one that exits non-zero).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export const LOGIN_MARK = 'from-login-files';
/** a GUI launch's PATH: no nvm, no Homebrew, no ~/bin */
export const LAUNCHER_PATH = '/usr/bin:/bin';

/** " (skipped: no /usr/bin/zsh; .ci/run installs the zsh package)" for a test title, or "" */
export function missing(shell: string): string {
  return existsSync(shell) ? '' : ` (skipped: no ${shell}; .ci/run installs the ${basename(shell)} package)`;
}

export class LoginShellHome {
  readonly dir = mkdtempSync(join(tmpdir(), 'devmesh-home-'));
  readonly bin = join(this.dir, 'bin');

  constructor() {
    mkdirSync(this.bin);
    this.tool('devtool', 'echo "devtool ran"');
    this.tool('claude', 'echo "9.9.9 (Claude Code)"');
    const posix = [
      'echo "welcome to the noisy profile {\\"PATH\\": 1}"',
      'echo "a warning from the profile" >&2',
      'export PATH="$HOME/bin:$PATH"',
      `export LOGIN_MARK=${LOGIN_MARK}`,
    ].join('\n');
    this.write('.bash_profile', posix);
    this.write('.profile', posix);
    this.write('.zprofile', posix);
    mkdirSync(join(this.dir, '.config', 'fish'), { recursive: true });
    this.write(
      '.config/fish/config.fish',
      [
        'echo "fish noise"',
        'if status is-login',
        '  set -gx PATH $HOME/bin $PATH',
        `  set -gx LOGIN_MARK ${LOGIN_MARK}`,
        'end',
      ].join('\n'),
    );
  }

  /** the environment a desktop launcher gives an app, with `shell` as the user's shell */
  launcherEnv(shell: string, extra: Record<string, string> = {}): Record<string, string> {
    return { HOME: this.dir, PATH: LAUNCHER_PATH, SHELL: shell, USER: 'tester', LANG: 'C.UTF-8', ...extra };
  }

  write(rel: string, text: string): void {
    writeFileSync(join(this.dir, rel), `${text}\n`);
  }

  tool(name: string, body: string): string {
    const path = join(this.bin, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
