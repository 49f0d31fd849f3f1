// Finds a database engine's binaries on this machine: PATH first, then the engine's standard install
// locations, because the daemon's PATH may be minimal (a desktop app launched from a menu gets
// /usr/bin:/bin, never Homebrew's or Debian's versioned postgres folder). Reads each candidate's version
// (`postgres --version`, `redis-server --version`) and picks the first that satisfies the range asked for;
// when none is found or none satisfies it, ENGINE_MISSING names the package to install.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import semver from 'semver';
import type { EngineMissing } from '../../../shared/engine-missing.js';
import { DevMeshError } from '../../../shared/errors.js';

export type ServerEngine = 'postgres' | 'redis';

export interface FoundEngine {
  engine: ServerEngine;
  /** the server binary: …/bin/postgres, …/redis-server */
  binary: string;
  /** the folder holding it; the engine's own tools (initdb, pg_ctl, psql, redis-cli) are looked up here first */
  binDir: string;
  /** semver, coerced: `15.18.0` for "postgres (PostgreSQL) 15.18 (Debian …)" */
  version: string;
}

export interface EngineLocatorDeps {
  /** the PATH searched first; default the daemon's own */
  path?: string;
  /** the standard locations, one `*` per entry at most (newest first); default STANDARD_LOCATIONS (tests: empty) */
  locations?: Partial<Record<ServerEngine, readonly string[]>>;
  platform?: NodeJS.Platform;
}

const SERVER_BINARY: Record<ServerEngine, string> = { postgres: 'postgres', redis: 'redis-server' };

/** where the engines' installers and package managers put them, `*` a version folder (newest tried first) */
export const STANDARD_LOCATIONS: Record<ServerEngine, readonly string[]> = {
  postgres: [
    '/usr/lib/postgresql/*/bin', // Debian, Ubuntu (postgresql-NN)
    '/usr/pgsql-*/bin', // Fedora/RHEL from the PGDG repository
    '/opt/homebrew/opt/postgresql@*/bin', // Homebrew, Apple silicon
    '/usr/local/opt/postgresql@*/bin', // Homebrew, Intel
    '/opt/homebrew/opt/postgresql/bin',
    '/usr/local/opt/postgresql/bin',
    '/Applications/Postgres.app/Contents/Versions/*/bin',
    'C:\\Program Files\\PostgreSQL\\*\\bin',
  ],
  redis: ['/opt/homebrew/bin', '/usr/local/bin', '/usr/bin', '/opt/homebrew/opt/redis/bin', '/usr/local/opt/redis/bin'],
};

/** folders (PATH-style list) searched after PATH instead of STANDARD_LOCATIONS, for every engine */
export const ENGINE_LOCATIONS_ENV = 'DEVMESH_ENGINE_LOCATIONS';

/**
 * The locations `env` asks for (DEVMESH_ENGINE_LOCATIONS), else undefined (the standard ones). An engine built
 * into an unusual folder is found without editing PATH for every service; a list of empty folders (with an
 * empty PATH) describes a machine with no engine at all, which is how the missing-engine UI is tested.
 */
export function engineLocationsFromEnv(env: NodeJS.ProcessEnv | undefined): EngineLocatorDeps['locations'] {
  const raw = env?.[ENGINE_LOCATIONS_ENV];
  if (raw === undefined || raw.trim() === '') return undefined;
  const dirs = raw.split(delimiter).filter(Boolean);
  return { postgres: dirs, redis: dirs };
}

/** what installs each engine: the Debian/Ubuntu package, the Homebrew formula, and Windows' way */
const PACKAGES: Record<ServerEngine, { debian: string; brew: string; windows: string }> = {
  postgres: {
    debian: 'postgresql',
    brew: 'postgresql@16',
    windows: 'the installer from https://www.postgresql.org/download/windows/',
  },
  redis: {
    debian: 'redis-server',
    brew: 'redis',
    windows: 'Redis has no native build; run DevMesh in WSL and `sudo apt install redis-server` there',
  },
};

/** what to install, per platform; the message names this machine's first */
const INSTALL_HINTS: Record<ServerEngine, Record<'linux' | 'darwin' | 'win32', string>> = {
  postgres: {
    linux: `Debian/Ubuntu: \`sudo apt install ${PACKAGES.postgres.debian}\``,
    darwin: `macOS: \`brew install ${PACKAGES.postgres.brew}\``,
    win32: `Windows: ${PACKAGES.postgres.windows}`,
  },
  redis: {
    linux: `Debian/Ubuntu: \`sudo apt install ${PACKAGES.redis.debian}\``,
    darwin: `macOS: \`brew install ${PACKAGES.redis.brew}\``,
    win32: `Windows: ${PACKAGES.redis.windows}`,
  },
};

export class EngineLocator {
  private readonly cache = new Map<string, string | null>();
  private readonly path: string;
  private readonly platform: NodeJS.Platform;
  private readonly locations: Record<ServerEngine, readonly string[]>;

  constructor(deps: EngineLocatorDeps = {}) {
    this.path = deps.path ?? process.env.PATH ?? '';
    this.platform = deps.platform ?? process.platform;
    this.locations = { ...STANDARD_LOCATIONS, ...deps.locations };
  }

  /** The first install found whose version satisfies `range` (null: any), or null. */
  find(engine: ServerEngine, range: string | null = null): FoundEngine | null {
    for (const found of this.candidates(engine)) {
      if (range === null || semver.satisfies(found.version, range, { includePrerelease: true })) return found;
    }
    return null;
  }

  /** The version `find(engine)` gives, for a database service's default `version:`. */
  version(engine: ServerEngine): string | null {
    return this.find(engine)?.version ?? null;
  }

  /** Like find, but throws ENGINE_MISSING naming the package to install (and the versions found, if any). */
  require(engine: ServerEngine, range: string | null, where: string): FoundEngine {
    const found = this.find(engine, range);
    if (found) return found;
    throw new DevMeshError('ENGINE_MISSING', this.problem(engine, range, where)!);
  }

  /** Why `engine` within `range` cannot run here, with the fix; null when it can. */
  problem(engine: ServerEngine, range: string | null, where: string): string | null {
    if (this.find(engine, range)) return null;
    const all = [...this.candidates(engine)];
    const hint = this.installHint(engine);
    if (all.length === 0) return this.missingAt(engine, where).message;
    const seen = all.map((f) => `${f.version} (${f.binary})`).join(', ');
    return (
      `${where}: needs ${engine} ${range}, but this machine has ${seen}; install a version in range (${hint}) ` +
      `or change database.version in devmesh.yaml`
    );
  }

  /**
   * An engine program (initdb, pg_ctl, psql, pg_dump, redis-cli…): beside the server binary first (Debian keeps
   * the versioned ones there), then on PATH and in the standard locations; null when nowhere.
   */
  program(engine: ServerEngine, name: string, server: FoundEngine | null = this.find(engine)): string | null {
    const file = this.platform === 'win32' ? `${name}.exe` : name;
    const dirs = [
      ...(server ? [server.binDir] : []),
      ...this.path.split(delimiter).filter(Boolean),
      ...this.locations[engine].flatMap((l) => this.expand(l)),
    ];
    for (const dir of dirs) {
      const candidate = join(dir, file);
      if (EngineLocator.isFile(candidate)) return candidate;
    }
    return null;
  }

  /**
   * The engine is not installed here at all (no runnable server binary in any folder searched): what was looked
   * for, where, and how to install it, for `where` (`shop/api-db`); null when some version of it is installed.
   */
  missing(engine: ServerEngine, where: string): EngineMissing | null {
    return this.candidates(engine).next().done === true ? this.missingAt(engine, where) : null;
  }

  installHint(engine: ServerEngine): string {
    const hints = INSTALL_HINTS[engine];
    const own = this.platform === 'darwin' || this.platform === 'win32' ? this.platform : 'linux';
    const others = (Object.keys(hints) as (keyof typeof hints)[]).filter((p) => p !== own).map((p) => hints[p]);
    return [hints[own], ...others].join('; ');
  }

  private missingAt(engine: ServerEngine, where: string): EngineMissing {
    const program = SERVER_BINARY[engine];
    const path = this.path.split(delimiter).filter(Boolean);
    const standard = this.locations[engine];
    const onPath = path.length === 0 ? 'PATH is empty' : `on PATH (${path.join(', ')})`;
    const inStandard = standard.length === 0 ? '' : ` and in ${standard.join(', ')}`;
    return {
      engine,
      program,
      lookedIn: [...path, ...standard],
      debianPackage: PACKAGES[engine].debian,
      brewFormula: PACKAGES[engine].brew,
      message:
        `${where}: ${program} is not installed on this machine: DevMesh looked ${onPath}${inStandard}; ` +
        `install it: ${this.installHint(engine)}`,
    };
  }

  /** Every install found, PATH first, then the standard locations newest first; one per binary. */
  private *candidates(engine: ServerEngine): Generator<FoundEngine> {
    const file = this.platform === 'win32' ? `${SERVER_BINARY[engine]}.exe` : SERVER_BINARY[engine];
    const dirs = [
      ...this.path.split(delimiter).filter(Boolean),
      ...this.locations[engine].flatMap((l) => this.expand(l)),
    ];
    const seen = new Set<string>();
    for (const dir of dirs) {
      const binary = join(dir, file);
      if (seen.has(binary) || !EngineLocator.isFile(binary)) continue;
      seen.add(binary);
      const version = this.versionOf(engine, binary);
      if (version !== null) yield { engine, binary, binDir: dirname(binary), version };
    }
  }

  /** `postgres --version` → 15.18.0; cached per binary (a daemon asks often, the answer does not change). */
  private versionOf(engine: ServerEngine, binary: string): string | null {
    if (this.cache.has(binary)) return this.cache.get(binary)!;
    let version: string | null;
    try {
      const out = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: 'pipe' });
      // "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)", "Redis server v=7.0.15 sha=00000000:0 …"
      const match = engine === 'redis' ? /v=(\d+\.\d+\.\d+)/.exec(out) : /\(PostgreSQL\)\s+(\d+(?:\.\d+)*)/.exec(out);
      version = match ? (semver.coerce(match[1])?.version ?? null) : null;
    } catch {
      version = null; // not runnable (a broken link, another architecture): not a usable install
    }
    this.cache.set(binary, version);
    return version;
  }

  /** `/usr/lib/postgresql/*\/bin` → the existing folders, highest version first. */
  private expand(location: string): string[] {
    const sep = location.includes('\\') ? '\\' : '/';
    const star = location.indexOf('*');
    if (star < 0) return [location];
    const parentEnd = location.lastIndexOf(sep, star);
    const parent = location.slice(0, parentEnd);
    const segmentEnd = location.indexOf(sep, star);
    const prefix = location.slice(parentEnd + 1, star);
    const suffix = location.slice(star + 1, segmentEnd < 0 ? undefined : segmentEnd);
    const rest = segmentEnd < 0 ? '' : location.slice(segmentEnd);
    let names: string[];
    try {
      names = readdirSync(parent);
    } catch {
      return [];
    }
    const versionOf = (n: string) => semver.coerce(n.slice(prefix.length, n.length - suffix.length))?.version;
    return names
      .filter((n) => n.startsWith(prefix) && n.endsWith(suffix) && n.length > prefix.length + suffix.length)
      .sort((a, b) => semver.rcompare(versionOf(a) ?? '0.0.0', versionOf(b) ?? '0.0.0'))
      .map((n) => `${parent}${sep}${n}${rest}`)
      .filter((dir) => existsSync(dir));
  }

  private static isFile(path: string): boolean {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  }
}
