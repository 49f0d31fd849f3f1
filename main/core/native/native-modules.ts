// Loads DevMesh's native modules (better-sqlite3's and node-pty's `.node` binaries) once, at start, where a
// failure can still be explained: the desktop app calls it after `app.whenReady()` (a dialog can show),
// the daemon before it takes the home. Each binary is loaded by its own path, as the package itself would pick it,
// because node-pty's loader swallows the real error: it tries several folders and reports only the last
// "Cannot find module". Loading a file that is already loaded is free (Node caches it by path), so the packages'
// own loads later get the same module.
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  describeNativeLoad,
  diagnoseNativeLoad,
  type NativeLoadDiagnosis,
  type NativeLoadFailure,
} from './native-load-diagnosis.js';

interface NativeModuleSpec {
  module: string;
  purpose: string;
  /** where the package looks for its binary, in its own order (its loader's source) */
  candidates(packageDir: string, platform: NodeJS.Platform, arch: string, musl: boolean): string[];
}

export const NATIVE_MODULES: readonly NativeModuleSpec[] = [
  {
    // better-sqlite3/lib/binding.js: a compiled build/ first, else prebuilds/<platform>-<arch>.node
    module: 'better-sqlite3',
    purpose: 'store (services, logs, audit, tasks)',
    candidates: (dir, platform, arch, musl) => [
      join(dir, 'build', 'Debug', 'better_sqlite3.node'),
      join(dir, 'build', 'Release', 'better_sqlite3.node'),
      join(dir, 'prebuilds', `${musl ? 'linuxmusl' : platform}-${arch}.node`),
    ],
  },
  {
    // node-pty/lib/utils.js loadNativeModule('pty'): build/Release, build/Debug, prebuilds/<platform>-<arch>
    module: 'node-pty',
    purpose: 'terminals and agents',
    candidates: (dir, platform, arch) => [
      join(dir, 'build', 'Release', 'pty.node'),
      join(dir, 'build', 'Debug', 'pty.node'),
      join(dir, 'prebuilds', `${platform}-${arch}`, 'pty.node'),
    ],
  },
];

export interface NativeModuleProblem {
  title: string;
  /** every failure, described for a dialog, a log and a terminal */
  message: string;
  failures: (NativeLoadFailure & { diagnosis: NativeLoadDiagnosis })[];
}

export interface NativeModulesDeps {
  /** loads a `.node` file (default: this module's require, which Electron redirects to app.asar.unpacked) */
  load?: (file: string) => unknown;
  /** the folder of an installed package (default: resolved from this file, as the bundle's require would) */
  packageDir?: (name: string) => string;
  platform?: NodeJS.Platform;
  arch?: string;
}

/** Loads every native module; null when all load, else what failed and what to do about it. */
export function loadNativeModules(deps: NativeModulesDeps = {}): NativeModuleProblem | null {
  const platform = deps.platform ?? process.platform;
  const arch = deps.arch ?? process.arch;
  const load = deps.load ?? ((file: string): unknown => require(file));
  const packageDir = deps.packageDir ?? ((name: string) => dirname(require.resolve(`${name}/package.json`)));
  const failures: NativeModuleProblem['failures'] = [];
  for (const spec of NATIVE_MODULES) {
    let dir: string;
    try {
      dir = packageDir(spec.module);
    } catch (err) {
      failures.push(failure(spec, spec.module, err, null, platform, arch));
      continue;
    }
    const candidates = spec.candidates(dir, platform, arch, platform === 'linux' && isLinuxMusl());
    const file = candidates.find((f) => existsSync(f)) ?? candidates[candidates.length - 1]!;
    try {
      load(file);
    } catch (err) {
      failures.push(failure(spec, file, err, readHeader(file), platform, arch));
    }
  }
  if (failures.length === 0) return null;
  const names = failures.map((f) => f.module).join(' and ');
  return {
    title: `DevMesh cannot start: ${names} could not be loaded`,
    message: failures.map((f) => describeNativeLoad(f, f.diagnosis)).join('\n\n'),
    failures,
  };
}

function failure(
  spec: NativeModuleSpec,
  file: string,
  err: unknown,
  header: Uint8Array | null,
  platform: NodeJS.Platform,
  arch: string,
): NativeModuleProblem['failures'][number] {
  const e = err as { code?: string; message?: string };
  const base: NativeLoadFailure = {
    module: spec.module,
    purpose: spec.purpose,
    file,
    error: { code: e.code, message: e.message ?? String(err) },
    header,
    platform,
    arch,
    glibcVersion: platform === 'linux' ? glibcVersion() : null,
  };
  return { ...base, diagnosis: diagnoseNativeLoad(base) };
}

function readHeader(file: string): Uint8Array | null {
  let fd: number | null = null;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(64);
    return buf.subarray(0, readSync(fd, buf, 0, 64, 0));
  } catch {
    return null; // a file that cannot be read is diagnosed as missing
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** better-sqlite3's own test (lib/binding.js): which C library's loader is mapped into this process. */
function isLinuxMusl(): boolean {
  try {
    return /\/ld-musl-[^/\s]*\.so/.test(readFileSync('/proc/self/maps', 'latin1'));
  } catch {
    return glibcVersion() === null; // no /proc: ask Node's report, which is slower
  }
}

let glibc: string | null | undefined;
/** glibc's version, null on musl or another OS (Node's diagnostic report header says which C library runs). */
function glibcVersion(): string | null {
  if (glibc !== undefined) return glibc;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  glibc = header?.glibcVersionRuntime ?? null;
  return glibc;
}
