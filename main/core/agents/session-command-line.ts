// How a generated file (a Claude Code settings hook, a git hook script, an MCP server entry) starts the
// `devmesh` CLI again: an absolute program, its arguments and, for a face whose program is not plain Node
// (Electron needs ELECTRON_RUN_AS_NODE=1), a few environment variables. Given by the composition root, since
// only it knows where the running CLI lives; rendered here for a POSIX shell or as argv.

export interface DevMeshCommandLineSpec {
  /** an absolute program: process.execPath in the daemon */
  command: string;
  /** e.g. [...process.execArgv, '/abs/bin/devmesh.js'] */
  args: string[];
  /** set for the program only (ELECTRON_RUN_AS_NODE=1 in the Electron face) */
  env?: Record<string, string>;
}

export class SessionCommandLine {
  constructor(readonly spec: DevMeshCommandLineSpec) {}

  /** argv of `devmesh <sub…>` */
  argv(...sub: string[]): string[] {
    return [this.spec.command, ...this.spec.args, ...sub];
  }

  /** `devmesh <sub…>` for `sh -c` (what Claude Code runs a hook command with, and what git hooks are) */
  shell(...sub: string[]): string {
    const env = Object.entries(this.spec.env ?? {}).map(([k, v]) => `${k}=${SessionCommandLine.quote(v)}`);
    return [...env, ...this.argv(...sub).map((a) => SessionCommandLine.quote(a))].join(' ');
  }

  /** the same, replacing the shell (a git hook's last line); `exec K=V cmd` would not run cmd, so `env` sets them */
  exec(...sub: string[]): string {
    const hasEnv = Object.keys(this.spec.env ?? {}).length > 0;
    return `exec ${hasEnv ? 'env ' : ''}${this.shell(...sub)}`;
  }

  /** POSIX single quoting: safe for any byte but NUL */
  static quote(text: string): string {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
  }
}
