// Who runs a database engine's server programs. PostgreSQL's postgres, initdb and pg_ctl refuse to run as
// root ("root execution of the PostgreSQL server is not permitted"), and CI runs DevMesh as root; so when the
// daemon is root they run as the `postgres` system user (the distribution's packages create it), else as
// `nobody`, and the data folder is made theirs. A developer's desktop daemon is never root: it runs them as
// itself, and nothing here changes anything.
import { chownSync, lstatSync, readdirSync, readFileSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DevMeshError } from '../../../shared/devmesh-error.js';

export interface EngineUser {
  name: string;
  uid: number;
  gid: number;
}

/** The user to run postgres as, or null: as the daemon's own user (not root). */
export function engineUser(passwdFile = '/etc/passwd'): EngineUser | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  let passwd: string;
  try {
    passwd = readFileSync(passwdFile, 'utf8');
  } catch {
    passwd = ''; // no passwd file to read: nobody's ids below
  }
  const users = new Map<string, EngineUser>();
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name && uid && gid) users.set(name, { name, uid: Number(uid), gid: Number(gid) });
  }
  return users.get('postgres') ?? users.get('nobody') ?? { name: 'nobody', uid: 65534, gid: 65534 };
}

/** Makes `dir` and everything in it the engine user's (a no-op when there is none). */
export function giveTo(dir: string, user: EngineUser | null): void {
  if (user === null) return;
  const walk = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.uid !== user.uid || stat.gid !== user.gid) chownSync(path, user.uid, user.gid);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  walk(dir);
}

/**
 * The engine user must be able to reach its data folder: as root, $DEVMESH_HOME (0700) is root's alone. Each
 * folder on the way that the user cannot enter gets the "others may pass through" bit (o+x): enough to reach
 * the one folder it owns, not to list or read anything else there (private files in the home are 0600). Only
 * folders inside `top` ($DEVMESH_HOME) or below the system's temp folder (throwaway mkdtemp folders) are
 * widened: widening /root for it would let every local user into root's home. When another folder bars the
 * way, the start fails saying so, and how to fix it.
 */
export function letThrough(dir: string, user: EngineUser | null, top: string, temp = tmpdir()): void {
  if (user === null) return;
  const passable = (stat: { uid: number; mode: number }) => stat.uid === user.uid || (stat.mode & 0o001) !== 0;
  const widenable = (at: string) => at === top || at.startsWith(`${top}/`) || at.startsWith(`${temp}/`);
  const closed: string[] = [];
  for (let at = dirname(dir); ; at = dirname(at)) {
    const stat = statSync(at);
    if (!passable(stat)) {
      if (!widenable(at))
        throw new DevMeshError(
          'SPAWN_FAILED',
          `DevMesh runs as root and PostgreSQL refuses root, so postgres runs as the ${user.name} user, which ` +
            `cannot pass through ${at} (mode ${(stat.mode & 0o777).toString(8)}) to reach its data in ${top}. ` +
            `DevMesh does not widen folders outside its home: set DEVMESH_HOME to a folder ${user.name} can ` +
            'reach (e.g. under /var/lib or /srv), or run DevMesh as your own user',
        );
      closed.push(at);
    }
    if (dirname(at) === at) break;
  }
  for (const at of closed) chmodSync(at, (statSync(at).mode & 0o7777) | 0o001);
}
