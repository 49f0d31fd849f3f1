// $DEVMESH_HOME is private: the store, the audit mirror, logs, recordings and backups hold your services'
// output, commands and secrets. Files are created 0600 by whoever writes them (the umask is left alone:
// services inherit it); this tightens what already exists (a folder made 0755 by hand, files an older
// DevMesh left readable) to 0600 files and 0700 folders, and says what it could not tighten.
//
// Only chmod by path, never open(): closing a descriptor of daemon.lock would drop the home's lock.
import { chmodSync, lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { DevMeshHome } from './devmesh-home.js';

export interface PermissionReport {
  /** paths whose mode was changed, with the old mode ("0644") */
  tightened: Array<{ path: string; was: string }>;
  /** what could not be tightened (or, when inspecting, is readable by others): what, where and how to fix */
  problems: string[];
}

export interface HomePermissionsDeps {
  chmod?: (path: string, mode: number) => void;
}

/** files and folders at the top of the home that hold private data; others (config.yaml, ca/) keep their modes */
const PRIVATE_FILES = [
  'devmesh.db',
  'devmesh.db-wal',
  'devmesh.db-shm',
  'devmesh.db-journal',
  'audit.jsonl',
  'token',
  'daemon.json',
  'daemon.lock',
  'daemon.lock.json',
  'store.json',
  'mesh.json',
  'agent.json',
  'app-state.json',
];
/** folders whose whole content is private (an executable keeps its owner's x bit: agents' git hooks) */
const PRIVATE_DIRS = ['logs', 'recordings', 'backups', 'broken', 'agents', 'runs', 'service-ca', 'compile-cache'];

export class HomePermissions {
  private readonly chmod: (path: string, mode: number) => void;

  constructor(
    private readonly home: DevMeshHome,
    deps: HomePermissionsDeps = {},
  ) {
    this.chmod = deps.chmod ?? chmodSync;
  }

  /** Tightens the home folder to 0700 and its private files to 0600 (folders 0700). Never throws. */
  tighten(): PermissionReport {
    return this.walk(true);
  }

  /** What is readable by others now, without changing anything (for `devmesh doctor --check`). */
  inspect(): PermissionReport {
    return this.walk(false);
  }

  private walk(fix: boolean): PermissionReport {
    const report: PermissionReport = { tightened: [], problems: [] };
    this.visit(this.home.dir, 0o700, fix, report, 'the DevMesh home folder');
    for (const name of PRIVATE_FILES) this.visit(join(this.home.dir, name), 0o600, fix, report);
    for (const name of PRIVATE_DIRS) this.visitTree(join(this.home.dir, name), fix, report);
    return report;
  }

  private visitTree(dir: string, fix: boolean, report: PermissionReport): void {
    if (!this.visit(dir, 0o700, fix, report)) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      report.problems.push(`cannot list ${dir} to check its permissions: ${(err as Error).message}`);
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) this.visitTree(path, fix, report);
      else if (e.isFile()) this.visit(path, 0o600, fix, report);
    }
  }

  /** false when the path does not exist (or is a symlink, which is left alone) */
  private visit(path: string, mode: number, fix: boolean, report: PermissionReport, label?: string): boolean {
    let st: Stats;
    try {
      st = lstatSync(path);
    } catch {
      return false;
    }
    if (st.isSymbolicLink()) return false;
    const current = st.mode & 0o777;
    // only the group and other bits matter: a user may make a file read-only for themselves
    if ((current & 0o077) === 0) return true;
    const wanted = (current & 0o700) | (mode & 0o700);
    const was = `0${current.toString(8)}`;
    const octal = `0${mode.toString(8)}`;
    if (!fix) {
      const what = label ?? path;
      report.problems.push(`${what} is readable by others (mode ${was}); \`devmesh doctor\` tightens it to ${octal}`);
      return true;
    }
    try {
      this.chmod(path, wanted);
      report.tightened.push({ path, was });
    } catch (err) {
      report.problems.push(
        `${label ? `${label} ${path}` : path} is readable by others (mode ${was}) and cannot be made ${octal} ` +
          `(${(err as Error).message}); it is not yours, or its file system has no Unix modes. ` +
          `Run \`chmod ${mode.toString(8)} ${path}\`, or move DEVMESH_HOME to a folder you own.`,
      );
    }
    return true;
  }
}
