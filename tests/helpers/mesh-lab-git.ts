// The lab's project as teammates have it: one git repository (the "origin", a folder in the lab's folder) made
// once with an initial commit, and every host's project folder a clone of it, with real git. Clones share the
// oldest root commit, so every host's daemon gives the project the same identity key
// (main/core/projects/project-identity.ts) and the team domain shares locks, tasks and state between them.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** git with a fixed identity and no user or system configuration, bounded in time. */
export function labGit(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    [
      '-c',
      'user.name=DevMesh Lab',
      '-c',
      'user.email=lab@devmesh.invalid',
      '-c',
      'init.defaultBranch=main',
      '-c',
      'protocol.file.allow=always',
      ...args,
    ],
    {
      cwd,
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' },
    },
  );
}

/** the files of the lab's repository (what lock tests name); the lab's own files stay out of git */
export const LAB_REPO_FILES: Record<string, string> = {
  'README.md': '# shop\n',
  'src/orders.ts': 'export const orders = [];\n',
  'src/cart.ts': 'export const cart = [];\n',
  '.gitignore': 'devmesh.yaml\ndevmesh.yaml.tmp\n*.js\n*.cjs\n.devmesh/\n',
};

/** Makes the origin repository at `dir` with one commit of LAB_REPO_FILES; its root commit. */
export function makeLabRepo(dir: string): string {
  mkdirSync(dir, { recursive: true });
  labGit(dir, 'init', '-q');
  for (const [file, text] of Object.entries(LAB_REPO_FILES)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  labGit(dir, 'add', '-A');
  labGit(dir, 'commit', '-q', '-m', 'shop: first commit');
  return labGit(dir, 'rev-parse', 'HEAD').trim();
}

/** Clones the origin at `origin` into `dest` (which must not exist yet, or be empty). */
export function cloneLabRepo(origin: string, dest: string): void {
  mkdirSync(dirname(dest), { recursive: true });
  labGit(dirname(dest), 'clone', '-q', origin, dest);
}
