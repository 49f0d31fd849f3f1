// What a service's NODE_EXTRA_CA_CERTS names. Services trust DevMesh's local CA, so they can call each other
// through https://<name>.localhost; a user who already names a bundle there (a corporate CA, in the
// daemon's environment or the service's `env` in devmesh.yaml) must keep it, since Node reads one file
// only. Then the service gets a bundle of both: written under $DEVMESH_HOME, readable by the user only, and
// rewritten at a start when either file changed. A system bundle is ~200 KB: reading it (and the bundle, to
// compare) at every start of every service made ~9 MB of garbage when a project of 23 started, so a bundle
// is reused while the three files keep their size, times and inode.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface ServiceCaBundleDeps {
  /** DevMesh's CA certificate (PEM) */
  caPath: string;
  /** where bundles are written: $DEVMESH_HOME/service-ca */
  dir: string;
}

export interface ServiceTrust {
  /** the file to pass as NODE_EXTRA_CA_CERTS */
  path: string;
  /** what went wrong, for the service's log: the user's bundle could not be read, or the bundle not written */
  problem: string | null;
}

export class ServiceCaBundle {
  /** by the user's bundle: the trust given last, and the files' stamps it was made from */
  private readonly made = new Map<string, { stamp: string; trust: ServiceTrust }>();

  constructor(private readonly deps: ServiceCaBundleDeps) {}

  get caPath(): string {
    return this.deps.caPath;
  }

  /**
   * The trust for a service whose own NODE_EXTRA_CA_CERTS is `userBundle` (relative to `cwd`, as Node reads
   * it): DevMesh's CA alone when there is none, else a bundle of the user's certificates and DevMesh's CA.
   */
  trustFor(userBundle: string | undefined, cwd: string): ServiceTrust {
    const caPath = this.deps.caPath;
    if (userBundle === undefined || userBundle.trim() === '') return { path: caPath, problem: null };
    const user = resolve(cwd, userBundle);
    if (user === resolve(caPath)) return { path: caPath, problem: null };
    const sources = ServiceCaBundle.stamp(user, caPath);
    const known = this.made.get(user);
    if (known && sources !== null && known.stamp === `${sources}|${ServiceCaBundle.stamp(known.trust.path)}`)
      return known.trust;
    const trust = this.make(user, caPath);
    // Stamped from before the reads (a change meanwhile is seen next time); a problem is looked at again.
    const made = ServiceCaBundle.stamp(trust.path);
    if (trust.problem === null && sources !== null && made !== null)
      this.made.set(user, { stamp: `${sources}|${made}`, trust });
    else this.made.delete(user);
    return trust;
  }

  /**
   * Files as they are, without reading them: inode, size and change times (an edit or a rename over one
   * changes them); null when one cannot be looked at.
   */
  private static stamp(...paths: string[]): string | null {
    const parts: string[] = [];
    for (const p of paths) {
      try {
        const s = statSync(p, { bigint: true });
        parts.push(`${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`);
      } catch {
        return null; // unreadable or gone: made again, which says what is wrong
      }
    }
    return parts.join('|');
  }

  private make(user: string, caPath: string): ServiceTrust {
    let userPem: string;
    let caPem: string;
    try {
      userPem = readFileSync(user, 'utf8');
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      const problem = `NODE_EXTRA_CA_CERTS names ${user}, which cannot be read (${why}): the service trusts DevMesh's CA only`;
      return { path: caPath, problem };
    }
    try {
      caPem = readFileSync(caPath, 'utf8');
    } catch (err) {
      const problem = `DevMesh's CA ${caPath} cannot be read (${(err as Error).message}): the service trusts ${user} only`;
      return { path: user, problem };
    }
    // Already holds DevMesh's CA (a bundle DevMesh wrote, say): as it is.
    if (userPem.includes(caPem.trim())) return { path: user, problem: null };
    return this.write(user, `${userPem.trimEnd()}\n${caPem.trimEnd()}\n`);
  }

  private write(user: string, content: string): ServiceTrust {
    const path = join(this.deps.dir, `${createHash('sha256').update(user).digest('hex').slice(0, 16)}.pem`);
    const aside = `${path}.${process.pid}.tmp`;
    try {
      if (existsSync(path) && readFileSync(path, 'utf8') === content) return { path, problem: null };
      mkdirSync(this.deps.dir, { recursive: true, mode: 0o700 });
      // Written aside and renamed, so a service starting meanwhile never reads half a bundle.
      writeFileSync(aside, content, { mode: 0o600 });
      chmodSync(aside, 0o600); // whatever the umask
      renameSync(aside, path);
      return { path, problem: null };
    } catch (err) {
      rmSync(aside, { force: true });
      // A full disk, say: an older bundle of the same two is better than losing either CA.
      const fallback = existsSync(path) ? path : this.deps.caPath;
      const problem = `the CA bundle ${path} could not be written (${(err as Error).message}); the service gets ${fallback}`;
      return { path: fallback, problem };
    }
  }
}
