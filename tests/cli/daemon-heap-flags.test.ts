// `devmesh up` starts itself again under the daemon's V8 heap flags (main/cli/daemon-heap-flags.ts). What a user
// sees must not change: the process they started is the daemon (its pid in daemon.json, what Ctrl-C stops),
// and a young-generation size they chose in NODE_OPTIONS is theirs. Real `devmesh up` processes (Linux /proc
// for the command line).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { heapFlagsCommand } from '../../main/cli/daemon-heap-flags.js';
import { tempDir, writeProject } from '../api/test-project.js';
import { scaled } from '../helpers/load-scale.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';

const linux = process.platform === 'linux';
const tmp = tempDir('devmesh-heap-flags-');
const projectDir = join(tmp.dir, 'heap');
const running: RunningCli[] = [];

const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
const recordedPid = (h: CliHarness) =>
  (JSON.parse(readFileSync(join(h.home, 'daemon.json'), 'utf8')) as { pid: number }).pid;

beforeAll(() => {
  ensureCliBuilt();
  mkdirSync(projectDir);
  writeProject(projectDir, 'heap', { api: {} });
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop('SIGTERM', scaled(20_000))));
});
afterAll(() => tmp.dispose());

describe.skipIf(!linux)('devmesh up under the daemon heap flags (needs /proc)', () => {
  it('is the process the user started: its pid is the daemon, Ctrl-C stops it', async () => {
    const h = new CliHarness(join(tmp.dir, 'home-a'), projectDir);
    const { daemon } = await h.up(['--project', projectDir]);
    running.push(daemon);
    const pid = daemon.child.pid!;
    expect(recordedPid(h)).toBe(pid);
    expect(commandLine(pid)).toContain('--max-semi-space-size=8');
    expect(commandLine(pid).slice(-5)).toEqual(['up', '--project', projectDir, '--port', '0']);

    expect(await daemon.stop('SIGINT', scaled(30_000))).toBe(0);
    expect(daemon.stdout).toMatch(/DevMesh stopped \(SIGINT\)/);
  });

  it('keeps a young generation the user chose in NODE_OPTIONS', async () => {
    const h = new CliHarness(join(tmp.dir, 'home-b'), projectDir, { NODE_OPTIONS: '--max-semi-space-size=2' });
    const { daemon } = await h.up(['--project', projectDir]);
    running.push(daemon);
    expect(recordedPid(h)).toBe(daemon.child.pid);
    expect(commandLine(daemon.child.pid!)).not.toContain('--max-semi-space-size=8');
  });
});

describe('heapFlagsCommand', () => {
  const base = {
    execPath: '/usr/bin/node',
    execArgv: ['--enable-source-maps'],
    argv: ['/usr/bin/node', '/app/bin/devmesh.js', 'up', '--port', '0'],
    env: {},
    platform: 'linux' as const,
    versions: { ...process.versions },
    execve: (() => undefined) as never,
  };

  it('runs the same command line again with the flags first, and never twice', () => {
    const command = heapFlagsCommand(base)!;
    expect(command).toEqual([
      '/usr/bin/node',
      '--max-semi-space-size=8',
      '--enable-source-maps',
      '/app/bin/devmesh.js',
      'up',
      '--port',
      '0',
    ]);
    expect(heapFlagsCommand({ ...base, execArgv: command.slice(1, 3) })).toBeNull();
  });

  it('leaves Electron run as Node, Windows and a Node without execve as they are', () => {
    expect(heapFlagsCommand({ ...base, versions: { ...base.versions, electron: '45.4.1' } })).toBeNull();
    expect(heapFlagsCommand({ ...base, platform: 'win32' })).toBeNull();
    expect(heapFlagsCommand({ ...base, execve: undefined })).toBeNull();
    expect(heapFlagsCommand({ ...base, env: { NODE_OPTIONS: '--max_semi_space_size=4' } })).toBeNull();
  });
});
