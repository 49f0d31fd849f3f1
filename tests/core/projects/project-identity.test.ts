// Project identity with real git in temporary repositories: clones and worktrees of one repository share a
// key, two projects of one monorepo and two unrelated histories do not, and a folder git cannot describe
// (no git, not a repository, no commit yet) gets a local-only identity with the reason, never a throw.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DevMeshError } from '../../../shared/errors.js';
import { ProjectIdentityResolver, repoRelative } from '../../../main/core/projects/project-identity.js';
import { normalizeRemoteUrl } from '../../../main/core/projects/remote-url.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'devmesh-identity-')));
  dirs.push(dir);
  return dir;
}

// Tests may run from a git hook (GIT_DIR set): the repositories here must not see the outer one.
const gitEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: {
      ...gitEnv,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
    encoding: 'utf8',
  });
}

/** A repository with one commit (a devmesh.yaml in `sub`, or at the top). */
function repo(sub = '', message = 'first'): string {
  const dir = tempDir();
  git(dir, 'init', '-q', '-b', 'main');
  mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, sub, 'devmesh.yaml'), `project: ${message}\nservices: {}\n`);
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', message);
  return dir;
}

const resolver = new ProjectIdentityResolver({ env: gitEnv });

describe('ProjectIdentityResolver', () => {
  it('gives two clones of one repository the same key, with the root commit and the remote', async () => {
    const origin = repo();
    const a = join(tempDir(), 'a');
    const b = join(tempDir(), 'b');
    git(tempDir(), 'clone', '-q', origin, a);
    git(tempDir(), 'clone', '-q', origin, b);
    git(a, 'remote', 'set-url', 'origin', 'git@github.com:Acme/Shop.git');
    git(b, 'remote', 'set-url', 'origin', 'https://github.com/acme/shop');
    const [ia, ib] = [await resolver.identify(a), await resolver.identify(b)];
    expect(ia.localOnly).toBe(false);
    expect(ia.key).toMatch(/^[0-9a-f]{16}$/);
    expect(ia.key).toBe(ib.key);
    expect(ia.rootCommit).toBe(git(origin, 'rev-list', '--max-parents=0', 'HEAD').trim());
    expect(ia.remote).toBe('github.com/acme/shop');
    expect(ib.remote).toBe('github.com/acme/shop');
    expect(ia.subPath).toBe('');
    expect(ia.repoRoot).toBe(a);
  });

  it('gives two projects in one monorepo different keys, each with its path in the repository', async () => {
    const mono = repo('apps/web');
    mkdirSync(join(mono, 'apps', 'api'));
    writeFileSync(join(mono, 'apps', 'api', 'devmesh.yaml'), 'project: api\nservices: {}\n');
    const web = await resolver.identify(join(mono, 'apps', 'web'));
    const api = await resolver.identify(join(mono, 'apps', 'api'));
    expect(web.subPath).toBe('apps/web');
    expect(api.subPath).toBe('apps/api');
    expect(web.rootCommit).toBe(api.rootCommit);
    expect(web.key).not.toBe(api.key);
    expect(web.localOnly).toBe(false);
  });

  it('gives a git worktree of the repository the same key as the main checkout', async () => {
    const main = repo('svc');
    const tree = join(tempDir(), 'feature');
    git(main, 'worktree', 'add', '-q', '-b', 'feature', tree);
    const [a, b] = [await resolver.identify(join(main, 'svc')), await resolver.identify(join(tree, 'svc'))];
    expect(b.localOnly).toBe(false);
    expect(b.key).toBe(a.key);
    expect(b.repoRoot).toBe(tree);
    expect(b.subPath).toBe('svc');
  });

  it('keys by history, not by remote: unrelated repositories with one remote URL differ', async () => {
    const one = repo('', 'one');
    const two = repo('', 'two');
    for (const r of [one, two]) git(r, 'remote', 'add', 'origin', 'git@github.com:acme/shop.git');
    const [a, b] = [await resolver.identify(one), await resolver.identify(two)];
    expect(a.remote).toBe(b.remote);
    expect(a.key).not.toBe(b.key);
  });

  it('takes the oldest root after unrelated histories are merged, so the key survives the merge', async () => {
    const main = repo('', 'main');
    const before = await resolver.identify(main);
    const other = repo('', 'other');
    // The imported history is younger: its root commit is dated after main's.
    const late = '2099-01-01T00:00:00Z';
    execFileSync('git', ['commit', '-q', '--amend', '--no-edit', `--date=${late}`], {
      cwd: other,
      env: { ...gitEnv, GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_COMMITTER_DATE: late },
    });
    git(main, 'fetch', '-q', other, 'main:other');
    git(main, 'merge', '-q', '--allow-unrelated-histories', '-s', 'ours', '-m', 'merge', 'other');
    expect(git(main, 'rev-list', '--max-parents=0', 'HEAD').trim().split('\n')).toHaveLength(2);
    const after = await resolver.identify(main);
    expect(after.rootCommit).toBe(before.rootCommit);
    expect(after.key).toBe(before.key);
  });

  it('falls back to a local-only identity, with the reason, for a folder outside any repository', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'devmesh.yaml'), 'project: x\nservices: {}\n');
    const id = await new ProjectIdentityResolver({ env: { ...gitEnv, GIT_CEILING_DIRECTORIES: tmpdir() } }).identify(
      dir,
    );
    expect(id.localOnly).toBe(true);
    expect(id.key).toMatch(/^local-[0-9a-f]{16}$/);
    expect(id.rootCommit).toBeNull();
    expect(id.reason).toMatch(/not inside a git repository/);
    expect(id.repoRoot).toBe(dir);
  });

  it('falls back when git is not on PATH', async () => {
    const dir = repo();
    const id = await new ProjectIdentityResolver({ env: { ...gitEnv, PATH: tempDir() } }).identify(dir);
    expect(id.localOnly).toBe(true);
    expect(id.reason).toMatch(/cannot run git/);
  });

  it('falls back when git hangs, instead of holding the open', async () => {
    const dir = repo();
    const hung = join(tempDir(), 'git');
    writeFileSync(hung, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const id = await new ProjectIdentityResolver({ env: gitEnv, gitExecutable: hung, timeoutMs: 300 }).identify(dir);
    expect(id.localOnly).toBe(true);
    expect(id.reason).toMatch(/did not answer within 300 ms/);
  });

  it('falls back for a repository without a commit yet, keeping its remote', async () => {
    const dir = tempDir();
    git(dir, 'init', '-q');
    git(dir, 'remote', 'add', 'origin', 'ssh://git@github.com/acme/shop.git/');
    const id = await resolver.identify(dir);
    expect(id.localOnly).toBe(true);
    expect(id.reason).toMatch(/no commit yet/);
    expect(id.remote).toBe('github.com/acme/shop');
  });

  it('falls back for a corrupt repository', async () => {
    const dir = repo();
    writeFileSync(join(dir, '.git', 'HEAD'), 'garbage\n');
    const id = await resolver.identify(dir);
    expect(id.localOnly).toBe(true);
    expect(id.reason).toBeTruthy();
  });

  it('never gives two local-only folders the same key', async () => {
    const env = { ...gitEnv, GIT_CEILING_DIRECTORIES: tmpdir() };
    const [a, b] = [tempDir(), tempDir()];
    const r = new ProjectIdentityResolver({ env });
    expect((await r.identify(a)).key).not.toBe((await r.identify(b)).key);
  });
});

describe('normalizeRemoteUrl', () => {
  it.each([
    ['git@github.com:Acme/Shop.git', 'github.com/acme/shop'],
    ['https://github.com/acme/shop', 'github.com/acme/shop'],
    ['ssh://git@github.com/acme/shop.git/', 'github.com/acme/shop'],
    ['https://user:token@GitHub.com:443/Acme/Shop.git', 'github.com/acme/shop'],
    ['git+ssh://git@gitlab.com:22/Group/Sub/Repo.git', 'gitlab.com/group/sub/repo'],
    ['ssh://git@Git.Example.COM:2222/Team/Repo.git', 'git.example.com/Team/Repo'],
    ['git@git.example.com:Team/Repo', 'git.example.com/Team/Repo'],
    ['https://git.example.com//Team//Repo.git//', 'git.example.com/Team/Repo'],
    ['git://Bitbucket.org/Team/Repo.git', 'bitbucket.org/team/repo'],
    ['file:///srv/git/shop.git', 'file:///srv/git/shop'],
    ['/srv/git/shop.git/', 'file:///srv/git/shop'],
  ])('%s → %s', (url, normalized) => {
    expect(normalizeRemoteUrl(url)).toBe(normalized);
  });
});

describe('repoRelative', () => {
  it('turns a path inside the project into a POSIX path from the repository root', async () => {
    const mono = repo('apps/web');
    const id = await resolver.identify(join(mono, 'apps', 'web'));
    expect(repoRelative(id, join(mono, 'apps', 'web', 'src', 'orders.ts'))).toBe('apps/web/src/orders.ts');
    expect(repoRelative(id, join(mono, 'apps', 'web'))).toBe('apps/web');
  });

  it('refuses ../ escapes and symlinks that lead out of the project', async () => {
    const mono = repo('apps/web');
    const outside = tempDir();
    symlinkSync(outside, join(mono, 'apps', 'web', 'link'));
    symlinkSync(join(mono, 'apps', 'web', 'devmesh.yaml'), join(outside, 'back'));
    const id = await resolver.identify(join(mono, 'apps', 'web'));
    const refused = (path: string) => {
      try {
        repoRelative(id, path);
      } catch (err) {
        return err instanceof DevMeshError && err.code === 'BAD_REQUEST';
      }
      return false;
    };
    expect(refused(join(mono, 'apps', 'web', '..', 'api', 'x.ts'))).toBe(true);
    expect(refused(join(mono, 'apps', 'web', 'link', 'x.ts'))).toBe(true);
    expect(refused(join(mono, 'apps', 'web', 'link'))).toBe(true);
    expect(refused('/etc/passwd')).toBe(true);
    expect(refused('relative/x.ts')).toBe(true);
    // A symlink from outside into the project is the file inside it.
    expect(repoRelative(id, join(outside, 'back'))).toBe('apps/web/devmesh.yaml');
  });
});
