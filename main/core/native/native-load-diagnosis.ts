// Turns the error of a native module (a `.node` file) that would not load into what a user can act on: which
// of the known causes it is (glibc too old, a binary for another architecture or OS, a missing or damaged file,
// a missing shared library, a build for another Node/Electron ABI) and what to do about it.
//
// The messages are the dynamic loader's (glibc's dlerror) and Node's (src/node_binding.cc), as they really come:
// tests/core/native/native-load-diagnosis.test.ts produces each one by loading a real file. glibc reports a
// binary of another 64-bit architecture as "cannot open shared object file: No such file or directory" although
// the file is there, so the file's ELF header (its first 20 bytes) is read to tell that case apart.

export type NativeFailureKind =
  | 'glibc-too-old'
  | 'wrong-architecture'
  | 'wrong-platform'
  | 'missing-file'
  | 'missing-library'
  | 'damaged-file'
  | 'abi-mismatch'
  | 'unknown';

export interface NativeLoadFailure {
  /** the package whose binary failed, e.g. `node-pty` */
  module: string;
  /** what the package is for, in the user's words (`terminals and agents`) */
  purpose: string;
  /** the `.node` file that was loaded, or the one that was looked for */
  file: string;
  error: { code?: string; message: string };
  /** the first bytes of `file` when it exists (an ELF, Mach-O or PE header), null when it does not */
  header: Uint8Array | null;
  platform: NodeJS.Platform;
  arch: string;
  /** the running C library's version (`process.report` header.glibcVersionRuntime), when glibc */
  glibcVersion?: string | null;
}

export interface NativeLoadDiagnosis {
  kind: NativeFailureKind;
  /** one line: what failed and why */
  what: string;
  /** what the user can do */
  fix: string;
}

/** The oldest glibc the Linux packages support (the deb declares `libc6 (>= 2.34)`; the binaries need GLIBC_2.34). */
export const MIN_GLIBC = '2.34';

const ELF_MACHINES: Record<number, string> = { 0x03: 'ia32', 0x28: 'arm', 0x3e: 'x64', 0xb7: 'arm64', 0xf3: 'riscv64' };

/** The architecture and format of a binary, from its first bytes: ELF (Linux), Mach-O (macOS) or PE (Windows). */
export interface BinaryFormat {
  format: 'elf' | 'mach-o' | 'pe' | 'other';
  arch?: string;
  bits?: 32 | 64;
}

export function binaryFormat(header: Uint8Array | null): BinaryFormat {
  if (!header || header.length < 4) return { format: 'other' };
  if (header[0] === 0x7f && header[1] === 0x45 && header[2] === 0x4c && header[3] === 0x46) {
    const bits = header[4] === 1 ? 32 : header[4] === 2 ? 64 : undefined;
    if (header.length < 20) return { format: 'elf', bits };
    const machine = header[5] === 2 ? (header[18]! << 8) | header[19]! : header[18]! | (header[19]! << 8);
    return { format: 'elf', arch: ELF_MACHINES[machine] ?? `machine 0x${machine.toString(16)}`, bits };
  }
  const magic = ((header[0]! << 24) | (header[1]! << 16) | (header[2]! << 8) | header[3]!) >>> 0;
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic)) return { format: 'mach-o' };
  if (header[0] === 0x4d && header[1] === 0x5a) return { format: 'pe' };
  return { format: 'other' };
}

const OS_NAMES: Record<string, string> = { 'mach-o': 'macOS', pe: 'Windows', elf: 'Linux' };
const HOST_FORMAT: Partial<Record<NodeJS.Platform, string>> = { linux: 'elf', darwin: 'mach-o', win32: 'pe' };

export function diagnoseNativeLoad(failure: NativeLoadFailure): NativeLoadDiagnosis {
  const { module, file, error, platform, arch } = failure;
  const message = error.message;
  const reinstall = 'Reinstall DevMesh (download it again: the installed copy is incomplete or was changed).';
  const build = `the DevMesh download for ${platformName(platform)} ${arch}`;

  const glibc = /version [`'"]?GLIBC_(\d+\.\d+)[`'"]? not found/.exec(message);
  if (glibc) {
    const have = failure.glibcVersion ? `, and this system has ${failure.glibcVersion}` : '';
    return {
      kind: 'glibc-too-old',
      what: `${module} needs the GNU C library (glibc) ${glibc[1]} or newer${have}`,
      fix:
        `DevMesh needs a Linux with glibc ${MIN_GLIBC} or newer (Ubuntu 22.04, Debian 12, Fedora 35 or later). ` +
        'Update the system, or run DevMesh on a newer one. `ldd --version` shows the glibc version.',
    };
  }

  const abi = /NODE_MODULE_VERSION (\d+)\. This version of Node\.js requires\s+NODE_MODULE_VERSION (\d+)/.exec(message);
  if (abi) {
    return {
      kind: 'abi-mismatch',
      what: `${module} was built for another Node.js/Electron (NODE_MODULE_VERSION ${abi[1]}; this runtime needs ${abi[2]})`,
      fix: `${reinstall} From a source checkout, run \`npm rebuild ${module}\` with the Node that runs DevMesh.`,
    };
  }

  const format = binaryFormat(failure.header);
  const hostFormat = HOST_FORMAT[platform];
  if (failure.header && hostFormat && format.format !== 'other' && format.format !== hostFormat) {
    return {
      kind: 'wrong-platform',
      what: `${module}'s binary is built for ${OS_NAMES[format.format]}, not ${platformName(platform)}`,
      fix: `Install ${build}.`,
    };
  }
  const wrongClass = /wrong ELF class: ELFCLASS(32|64)/.exec(message);
  const otherArch = format.format === 'elf' && format.arch && format.arch !== arch ? format.arch : null;
  const elfTrouble = /cannot open shared object file|wrong ELF class|ELF file|invalid ELF header/;
  if (wrongClass || (otherArch && elfTrouble.test(message))) {
    const built = otherArch ?? `a ${wrongClass![1]}-bit system`;
    return {
      kind: 'wrong-architecture',
      what: `${module}'s binary is built for ${built}, but this DevMesh runs on ${arch}`,
      fix: `Install ${build} (a download for one processor architecture does not run on another).`,
    };
  }

  // A shared library the binary links against (not the binary itself) is missing: the message names the library.
  const lib = /^([^:/\s][^:\s]*\.so[.\d]*): cannot open shared object file/.exec(message);
  if (lib) {
    const musl = lib[1]!.includes('musl');
    return {
      kind: 'missing-library',
      what: `${module} needs the shared library ${lib[1]}, which this system does not have`,
      fix: musl
        ? `The binary is the one for musl-based Linux (Alpine): install ${build} with glibc.`
        : `Install the package that provides ${lib[1]} (e.g. \`apt install\` it), or ${reinstall.toLowerCase()}`,
    };
  }

  if (
    failure.header === null ||
    error.code === 'MODULE_NOT_FOUND' ||
    /cannot open shared object file: No such file or directory/.test(message)
  ) {
    return { kind: 'missing-file', what: `${module}'s binary ${file} is missing`, fix: reinstall };
  }

  const damaged = new RegExp(
    'file too short|cannot read file data|invalid ELF header|ELF load command|not a valid Win32 application|' +
      'slice is not valid mach-o|truncated',
    'i',
  );
  if (damaged.test(message)) {
    const what = `${module}'s binary ${file} is damaged (${firstLine(message, file)})`;
    return { kind: 'damaged-file', what, fix: reinstall };
  }

  return { kind: 'unknown', what: `${module} could not be loaded: ${firstLine(message, file)}`, fix: reinstall };
}

/** The text a dialog, app.log and the CLI show: what failed, what it means for the app, what to do. */
export function describeNativeLoad(
  failure: NativeLoadFailure,
  diagnosis: NativeLoadDiagnosis = diagnoseNativeLoad(failure),
): string {
  return (
    `${diagnosis.what}.\n${failure.module} runs DevMesh's ${failure.purpose}; DevMesh cannot start without it.\n` +
    `${diagnosis.fix}\n(${failure.file}: ${firstLine(failure.error.message, failure.file)})`
  );
}

function platformName(platform: NodeJS.Platform): string {
  return { linux: 'Linux', darwin: 'macOS', win32: 'Windows' }[platform as string] ?? platform;
}

function firstLine(message: string, file: string): string {
  const line = message.split('\n').filter(Boolean).join(' ').replace(/\s+/g, ' ').trim();
  return line.startsWith(`${file}: `) ? line.slice(file.length + 2) : line;
}
