// Which agent CLIs are installed: a PATH lookup done in-process (split PATH, check for an executable regular
// file: no shell, so no rc files and no aliases are involved), then `<exe> --version` (3 s timeout, first
// line). Results are cached briefly: the UI asks on every render of the agents panel.
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { AgentDetection, AgentProfile } from '../../../shared/agent.js';

export interface AgentDetectorDeps {
  /** the environment whose PATH is searched (default: this process's) */
  env?: NodeJS.ProcessEnv;
  versionTimeoutMs?: number;
  cacheMs?: number;
  now?: () => number;
}

export class AgentDetector {
  private readonly env: NodeJS.ProcessEnv;
  private readonly versionTimeoutMs: number;
  private readonly cacheMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { at: number; result: Promise<AgentDetection> }>();

  constructor(deps: AgentDetectorDeps = {}) {
    this.env = deps.env ?? process.env;
    this.versionTimeoutMs = deps.versionTimeoutMs ?? 3000;
    this.cacheMs = deps.cacheMs ?? 10_000;
    this.now = deps.now ?? Date.now;
  }

  detectAll(profiles: readonly AgentProfile[]): Promise<AgentDetection[]> {
    return Promise.all(profiles.map((p) => this.detect(p)));
  }

  detect(profile: AgentProfile): Promise<AgentDetection> {
    // keyed by what is looked up, so two profiles of one executable share a probe
    const key = `${profile.id}\0${profile.executable}\0${profile.versionArgs.join('\0')}`;
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < this.cacheMs) return hit.result;
    const result = this.probe(profile);
    this.cache.set(key, { at: this.now(), result });
    return result;
  }

  /** Forgets cached results (after the user installs a CLI and presses "check again"). */
  invalidate(): void {
    this.cache.clear();
  }

  /** The absolute path of an executable, searched like execvp does; null when not found. */
  which(executable: string): string | null {
    if (executable.includes('/')) {
      const path = isAbsolute(executable) ? executable : resolve(executable);
      return AgentDetector.isExecutableFile(path) ? path : null;
    }
    for (const dir of (this.env.PATH ?? '').split(delimiter)) {
      if (!dir) continue; // an empty PATH entry means the cwd; never trust it for finding an agent
      const path = join(dir, executable);
      if (AgentDetector.isExecutableFile(path)) return path;
    }
    return null;
  }

  private async probe(profile: AgentProfile): Promise<AgentDetection> {
    const path = this.which(profile.executable);
    const base = { id: profile.id, installHint: profile.installHint };
    if (!path) {
      const where = profile.executable.includes('/') ? profile.executable : `"${profile.executable}" on PATH`;
      return {
        ...base,
        installed: false,
        path: null,
        version: null,
        error: `${where} not found (or not executable); install it: ${profile.installHint}`,
      };
    }
    try {
      const version = await this.version(path, profile.versionArgs);
      return { ...base, installed: true, path, version, error: null };
    } catch (err) {
      // found but the version probe failed: still installed (a CLI that needs login may fail --version)
      return { ...base, installed: true, path, version: null, error: (err as Error).message };
    }
  }

  private version(path: string, args: readonly string[]): Promise<string | null> {
    return new Promise((done, fail) => {
      execFile(
        path,
        [...args],
        {
          timeout: this.versionTimeoutMs,
          killSignal: 'SIGKILL',
          maxBuffer: 256 * 1024,
          env: { ...this.env, NO_COLOR: '1' },
          windowsHide: true,
        },
        (err, stdout, stderr) => {
          const first = AgentDetector.firstLine(String(stdout)) ?? AgentDetector.firstLine(String(stderr));
          if (err) {
            const e = err as NodeJS.ErrnoException & {
              killed?: boolean;
              signal?: string | null;
              code?: number | string;
            };
            if (e.killed || e.signal === 'SIGKILL')
              return fail(new Error(`${path} ${args.join(' ')} did not answer within ${this.versionTimeoutMs} ms`));
            if (typeof e.code === 'string')
              return fail(new Error(`${path} could not be run (${e.code}): ${e.message}`));
            return fail(new Error(`${path} ${args.join(' ')} exited with code ${e.code}${first ? `: ${first}` : ''}`));
          }
          done(first);
        },
      );
    });
  }

  private static firstLine(text: string): string | null {
    const line = text
      // eslint-disable-next-line no-control-regex -- strips the ANSI escapes a CLI prints with its version
      .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l.length > 0);
    return line ? line.slice(0, 200) : null;
  }

  private static isExecutableFile(path: string): boolean {
    try {
      if (!statSync(path).isFile()) return false;
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false; // missing, unreadable or not executable: all mean "not here"
    }
  }
}
