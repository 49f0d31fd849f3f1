// The diagnosis of a native module that will not load, over the errors real files give when Node loads them:
// each case loads a real binary (another architecture's or OS's prebuilt binary from better-sqlite3's package,
// node-pty's binary with one byte changed, a truncated copy, an addon compiled for an older Node ABI) in a child
// process of the product Node, and the diagnosis must name the cause and the remedy.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  binaryFormat,
  describeNativeLoad,
  diagnoseNativeLoad,
  type NativeLoadFailure,
} from '../../../main/core/native/native-load-diagnosis.js';
import { loadNativeModules } from '../../../main/core/native/native-modules.js';

const root = join(__dirname, '..', '..', '..');
const sqlitePrebuilds = join(root, 'node_modules', 'better-sqlite3', 'prebuilds');
const ptyNode = join(root, 'node_modules', 'node-pty', 'build', 'Release', 'pty.node');
let work: string;

/** What loading `file` throws in a fresh product Node (a bad binary may crash the process that loads it). */
function realLoadError(file: string): { code?: string; message: string } {
  const script = `try { require(process.argv[1]); console.log(JSON.stringify(null)); }
    catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
  const run = spawnSync(process.execPath, ['-e', script, file], { encoding: 'utf8' });
  const error = JSON.parse(run.stdout.trim().split('\n').pop() ?? 'null');
  if (!error) throw new Error(`${file} loaded: no error to diagnose (${run.stderr})`);
  return error;
}

function header(file: string): Uint8Array | null {
  return existsSync(file) ? readFileSync(file).subarray(0, 64) : null;
}

function diagnose(file: string, module = 'node-pty') {
  const failure: NativeLoadFailure = {
    module,
    purpose: 'terminals and agents',
    file,
    error: realLoadError(file),
    header: header(file),
    platform: 'linux',
    arch: 'x64',
    glibcVersion: '2.35',
  };
  return { failure, diagnosis: diagnoseNativeLoad(failure), text: describeNativeLoad(failure) };
}

/** a copy of node-pty's real binary with `patch` applied */
function patched(name: string, patch: (bytes: Buffer) => Buffer): string {
  const file = join(work, name);
  writeFileSync(file, patch(readFileSync(ptyNode)));
  return file;
}

describe.runIf(process.platform === 'linux' && process.arch === 'x64')(
  'native module load diagnosis (real loader errors)',
  () => {
    beforeAll(() => {
      work = mkdtempSync(join(tmpdir(), 'devmesh-native-'));
    });
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    it('says glibc is too old, with the version needed and the one the system has', () => {
      // GLIBC_2.34 renamed in the binary's version needs: the loader reports it as glibc reports any newer version
      const file = patched('glibc.node', (b) =>
        Buffer.from(b.toString('latin1').replaceAll('GLIBC_2.34', 'GLIBC_2.99'), 'latin1'),
      );
      const { failure, diagnosis, text } = diagnose(file);
      expect(failure.error.message).toMatch(/version `GLIBC_2\.99' not found/);
      expect(diagnosis.kind).toBe('glibc-too-old');
      expect(diagnosis.what).toContain('glibc) 2.99 or newer, and this system has 2.35');
      expect(text).toMatch(/glibc 2\.34 or newer \(Ubuntu 22\.04/);
      expect(text).toContain('node-pty runs DevMesh');
    });

    it('says the binary is for another architecture, though glibc calls a 64-bit one "No such file"', () => {
      const arm = join(sqlitePrebuilds, 'linux-arm64.node');
      const { failure, diagnosis } = diagnose(arm, 'better-sqlite3');
      expect(failure.error.message).toContain('cannot open shared object file: No such file or directory');
      expect(diagnosis.kind).toBe('wrong-architecture');
      expect(diagnosis.what).toBe("better-sqlite3's binary is built for arm64, but this DevMesh runs on x64");
      expect(diagnosis.fix).toContain('DevMesh download for Linux x64');
    });

    it('says the binary is for a 32-bit system (wrong ELF class)', () => {
      const file = patched('class32.node', (b) => Buffer.concat([b.subarray(0, 4), Buffer.from([1]), b.subarray(5)]));
      const { failure, diagnosis } = diagnose(file);
      expect(failure.error.message).toContain('wrong ELF class: ELFCLASS32');
      expect(diagnosis.kind).toBe('wrong-architecture');
    });

    it('says the binary is for macOS or Windows (invalid ELF header)', () => {
      for (const [name, os] of [
        ['darwin-x64.node', 'macOS'],
        ['win32-x64.node', 'Windows'],
      ] as const) {
        const { failure, diagnosis } = diagnose(join(sqlitePrebuilds, name), 'better-sqlite3');
        expect(failure.error.message).toContain('invalid ELF header');
        expect(diagnosis.kind).toBe('wrong-platform');
        expect(diagnosis.what).toContain(`built for ${os}, not Linux`);
      }
    });

    it('names a missing shared library (a musl build on glibc)', () => {
      const { failure, diagnosis } = diagnose(join(sqlitePrebuilds, 'linuxmusl-x64.node'), 'better-sqlite3');
      expect(failure.error.message).toMatch(/^libc\.musl-x86_64\.so\.1: cannot open shared object file/);
      expect(diagnosis.kind).toBe('missing-library');
      expect(diagnosis.what).toContain('libc.musl-x86_64.so.1');
      expect(diagnosis.fix).toContain('musl');
    });

    it('says a missing binary is missing and asks for a reinstall', () => {
      const { diagnosis, text } = diagnose(join(work, 'gone', 'pty.node'));
      expect(diagnosis.kind).toBe('missing-file');
      expect(text).toMatch(/is missing\.\n/);
      expect(diagnosis.fix).toMatch(/^Reinstall DevMesh/);
    });

    it('says a truncated or garbled binary is damaged', () => {
      for (const [name, bytes] of [
        ['short.node', 10],
        ['cut.node', 200],
      ] as const) {
        const file = join(work, name);
        writeFileSync(file, readFileSync(ptyNode).subarray(0, bytes));
        const { failure, diagnosis } = diagnose(file);
        expect(failure.error.message).toMatch(/file too short|cannot read file data/);
        expect(diagnosis.kind).toBe('damaged-file');
      }
    });

    const headers = join(dirname(process.execPath), '..', 'include', 'node', 'node.h');
    const gxx = spawnSync('g++', ['--version']).status === 0;
    it.skipIf(!gxx || !existsSync(headers))(
      'says an addon built for another Node ABI (NODE_MODULE_VERSION) needs a rebuild',
      () => {
        // a classic (non-N-API) addon registered for ABI 115 (Node 20): Node 22 refuses it with its own message
        const source = join(work, 'abi.cc');
        writeFileSync(
          source,
          '#include <node_version.h>\n#undef NODE_MODULE_VERSION\n#define NODE_MODULE_VERSION 115\n#include <node.h>\n' +
            'static void Init(v8::Local<v8::Object> exports) {}\nNODE_MODULE(abi_old, Init)\n',
        );
        const addon = join(work, 'abi_old.node');
        execFileSync('g++', ['-shared', '-fPIC', '-std=c++20', `-I${dirname(headers)}`, source, '-o', addon]);
        const { failure, diagnosis } = diagnose(addon);
        expect(failure.error.message).toContain('NODE_MODULE_VERSION 115. This version of Node.js requires');
        expect(diagnosis.kind).toBe('abi-mismatch');
        expect(diagnosis.what).toContain(`NODE_MODULE_VERSION 115; this runtime needs ${process.versions.modules}`);
        expect(diagnosis.fix).toContain('npm rebuild node-pty');
      },
    );

    it('reads the architecture and format from a binary header', () => {
      expect(binaryFormat(header(ptyNode))).toMatchObject({ format: 'elf', arch: 'x64', bits: 64 });
      expect(binaryFormat(header(join(sqlitePrebuilds, 'linux-arm64.node')))).toMatchObject({
        format: 'elf',
        arch: 'arm64',
      });
      expect(binaryFormat(header(join(sqlitePrebuilds, 'darwin-arm64.node')))).toEqual({ format: 'mach-o' });
      expect(binaryFormat(header(join(sqlitePrebuilds, 'win32-x64.node')))).toEqual({ format: 'pe' });
    });
  },
);

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('loadNativeModules', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'devmesh-native-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('loads the installed better-sqlite3 and node-pty binaries', () => {
    expect(loadNativeModules()).toBeNull();
  });

  it('loads node-pty’s binary itself, so a damaged one is diagnosed rather than "Cannot find module"', () => {
    // a node-pty package whose build/Release/pty.node is truncated; node-pty's own loader would report only
    // its last attempt (prebuilds/linux-x64: Cannot find module)
    const pkg = join(work, 'node-pty');
    execFileSync('mkdir', ['-p', join(pkg, 'build', 'Release')]);
    writeFileSync(join(pkg, 'build', 'Release', 'pty.node'), readFileSync(ptyNode).subarray(0, 10));
    copyFileSync(join(root, 'node_modules', 'node-pty', 'package.json'), join(pkg, 'package.json'));
    const problem = loadNativeModules({
      packageDir: (name) => (name === 'node-pty' ? pkg : dirname(require.resolve(`${name}/package.json`))),
      // the damaged file is loaded in a child process: a bad binary can take down the process loading it
      load: (file) => {
        if (!file.startsWith(pkg)) return require(file);
        const error = realLoadError(file);
        throw Object.assign(new Error(error.message), { code: error.code });
      },
    });
    expect(problem?.failures.map((f) => [f.module, f.diagnosis.kind])).toEqual([['node-pty', 'damaged-file']]);
    expect(problem?.title).toBe('DevMesh cannot start: node-pty could not be loaded');
    expect(problem?.message).toContain(join(pkg, 'build', 'Release', 'pty.node'));
  });
});
