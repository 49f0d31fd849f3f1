// What a user's shell needs to be started as a login shell: the flags of each shell family (POSIX shells,
// fish, tcsh/csh, nushell, xonsh, PowerShell) and how to make it print its environment between two marks.
// The login-shell environment resolver and the terminals both ask here, so they agree on every shell.
//
// The per-shell arguments follow VS Code's `doResolveShellEnv` (microsoft/vscode,
// src/vs/platform/shell/node/shellEnv.ts): `-i -l -c` for POSIX shells, fish and nushell, `-ic` for tcsh and
// csh (their `-l` must be the only argument), `-Login -Command` for pwsh, a native one-liner for xonsh, and
// `^'<node>'` for nushell (which needs `^` before a quoted external command).
import { basename } from 'node:path';

export type ShellFamily = 'posix' | 'fish' | 'csh' | 'nu' | 'xonsh' | 'pwsh';

export interface EnvProbe {
  /** the shell's arguments: flags, then the command */
  args: string[];
}

/** Shells known to accept `-l` (or `-Login`) for an interactive login session in a terminal. */
const LOGIN_FLAG: Record<ShellFamily, string[]> = {
  // bash, zsh, ksh, mksh, dash and busybox sh all take -l; an unknown POSIX-ish shell gets nothing (below)
  posix: ['-l'],
  fish: ['-l'],
  csh: ['-l'],
  nu: ['-l'],
  xonsh: ['-l'],
  pwsh: ['-Login'],
};
const POSIX_LOGIN_SHELLS = new Set(['bash', 'zsh', 'ksh', 'ksh93', 'mksh', 'dash', 'sh', 'ash', 'yash', 'oksh']);

export class ShellFlavor {
  readonly name: string;
  readonly family: ShellFamily;

  constructor(readonly path: string) {
    this.name = basename(path);
    this.family = ShellFlavor.familyOf(this.name);
  }

  /**
   * The arguments that start this shell as an interactive login shell in a terminal (as Terminal.app and
   * most Linux terminals' "run as login shell" do), so it reads ~/.bash_profile, ~/.zprofile, ~/.profile or
   * config.fish's login section; an unknown shell gets none (it might read `-l` as something else).
   */
  loginArgs(): string[] {
    if (this.family === 'posix' && !POSIX_LOGIN_SHELLS.has(this.name)) return [];
    return [...LOGIN_FLAG[this.family]];
  }

  /**
   * The arguments that make this shell, as an interactive login shell, run `node` (Node itself, or Electron
   * with ELECTRON_RUN_AS_NODE=1) to print `<mark>{json of process.env}<mark>` on stdout. Whatever its rc files
   * print before or after stays outside the marks.
   */
  envProbe(node: string, mark: string): EnvProbe {
    const script = `"${mark}" + JSON.stringify(process.env) + "${mark}"`;
    switch (this.family) {
      case 'pwsh':
        // PowerShell quotes a ' inside '…' by doubling it
        return { args: ['-Login', '-Command', `& ${ShellFlavor.pwshQuote(node)} -p ${ShellFlavor.pwshQuote(script)}`] };
      case 'xonsh': {
        const py = `import os, json; print("${mark}" + json.dumps(dict(os.environ)) + "${mark}")`;
        return { args: ['-i', '-l', '-c', py] };
      }
      case 'nu':
        return { args: ['-i', '-l', '-c', `^${ShellFlavor.posixQuote(node)} -p ${ShellFlavor.posixQuote(script)}`] };
      case 'csh':
        return { args: ['-ic', `${ShellFlavor.posixQuote(node)} -p ${ShellFlavor.posixQuote(script)}`] };
      default:
        return { args: ['-i', '-l', '-c', `${ShellFlavor.posixQuote(node)} -p ${ShellFlavor.posixQuote(script)}`] };
    }
  }

  /** The files this shell reads as an interactive login shell, as users know them (for messages). */
  startupFiles(): string[] {
    switch (this.family) {
      case 'fish':
        return ['~/.config/fish/config.fish'];
      case 'csh':
        return this.name === 'tcsh' ? ['~/.tcshrc', '~/.login'] : ['~/.cshrc', '~/.login'];
      case 'nu':
        return ['~/.config/nushell/env.nu', '~/.config/nushell/config.nu'];
      case 'xonsh':
        return ['~/.xonshrc'];
      case 'pwsh':
        return ['~/.config/powershell/Microsoft.PowerShell_profile.ps1'];
      default:
        if (this.name === 'zsh') return ['~/.zshenv', '~/.zprofile', '~/.zshrc', '~/.zlogin'];
        if (this.name === 'bash') return ['~/.bash_profile (or ~/.bash_login, ~/.profile)', '~/.bashrc'];
        return ['~/.profile'];
    }
  }

  private static familyOf(name: string): ShellFamily {
    if (name === 'fish') return 'fish';
    if (name === 'tcsh' || name === 'csh') return 'csh';
    if (name === 'nu') return 'nu';
    if (name === 'xonsh') return 'xonsh';
    if (/^pwsh(-preview)?$/.test(name)) return 'pwsh';
    return 'posix';
  }

  /** '…' with each ' written as '\'' (POSIX sh, fish, tcsh and nushell all read it so) */
  private static posixQuote(text: string): string {
    return `'${text.replace(/'/g, `'\\''`)}'`;
  }

  private static pwshQuote(text: string): string {
    return `'${text.replace(/'/g, "''")}'`;
  }
}
