// `devmesh term` and `devmesh rec` end to end: the real CLI against a real daemon with real PTYs. A session
// outlives the command that made it, `send` types into it, `attach` (stdin a pipe here) sees the screen drawn
// before it attached and detaches with Ctrl-], and the recording exports as asciicast v2.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingInfo, TerminalInfo } from '../../shared/terminal.js';
import { tempDir, waitFor, writeProject } from '../api/test-project.js';
import { BIN, CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';
import { scaled } from '../helpers/load-scale.js';

const tmp = tempDir('devmesh-cli-term-');
const projectDir = join(tmp.dir, 'tiny');
const cli = new CliHarness(join(tmp.dir, 'home'), tmp.dir);
let daemon: RunningCli | undefined;
/** each case runs several real CLI processes: generous for a loaded machine (a bound, not a timing assert) */
const CASE_MS = 120_000;

async function sessions(): Promise<TerminalInfo[]> {
  return cli.json<TerminalInfo[]>(['term', 'ls']);
}

/** `devmesh term new --json [options] -- command...` (after `--` everything is the command). */
async function newTerm(options: string[], command: string[]): Promise<TerminalInfo> {
  const r = await cli.run(['term', 'new', '--json', ...options, '--', ...command]);
  if (r.code !== 0) throw new Error(`devmesh term new exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as TerminalInfo;
}

beforeAll(async () => {
  ensureCliBuilt();
  mkdirSync(projectDir);
  writeProject(projectDir, 'tiny', { api: { autostart: false } });
  ({ daemon } = await cli.up(['--project', projectDir]));
}, scaled(90_000));

afterAll(async () => {
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('devmesh term', () => {
  it(
    "new starts in the open project's folder by default, as the app does, and says so in --help",
    async () => {
      const outside = await newTerm([], ['/bin/sh']); // the harness runs in the parent of the project
      expect(outside).toMatchObject({ project: 'tiny', cwd: projectDir });
      mkdirSync(join(projectDir, 'sub'), { recursive: true });
      const r = await new CliHarness(cli.home, join(projectDir, 'sub')).run(['term', 'new', '--json', '--', '/bin/sh']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ project: 'tiny', cwd: projectDir });
      const elsewhere = await newTerm(['--cwd', tmp.dir], ['/bin/sh']);
      expect(elsewhere.cwd).toBe(tmp.dir);
      for (const t of [outside, JSON.parse(r.stdout) as TerminalInfo, elsewhere])
        await cli.run(['term', 'kill', t.id, '--signal', 'KILL']);
      const help = await cli.run(['term', '--help']);
      expect(help.stdout).toMatch(/else the open project the current folder is\s+in, else the first open project/);
    },
    CASE_MS,
  );

  it(
    'starts a session that outlives the command, types into it, and lists it',
    async () => {
      const made = await newTerm(['--name', 'box', '--project', 'tiny'], ['/bin/sh']);
      expect(made).toMatchObject({ name: 'box', state: 'running', project: 'tiny', cwd: projectDir });
      const sent = await cli.run(['term', 'send', made.id, 'echo $((6 * 7)) > answer.txt']);
      expect(sent.code).toBe(0);
      await waitFor(
        'the command typed into the session to run',
        () => {
          try {
            return readFileSync(join(projectDir, 'answer.txt'), 'utf8').trim() === '42';
          } catch {
            return false;
          }
        },
        10_000,
      );
      const listed = await cli.run(['term', 'ls']);
      expect(listed.stdout).toMatch(new RegExp(`${made.id}\\s+box\\s+running`));

      const killed = await cli.run(['term', 'kill', made.id, '--signal', 'KILL']);
      expect(killed.code).toBe(0);
      await waitFor(
        'the session to end',
        async () => (await sessions()).find((s) => s.id === made.id)?.state === 'exited',
        10_000,
      );
    },
    CASE_MS,
  );

  it(
    'attaches: the screen drawn before, live output after, input typed through, Ctrl-] detaches',
    async () => {
      const made = await newTerm(['--name', 'late'], ['/bin/sh']);
      await cli.run(['term', 'send', made.id, 'echo drawn-before-attach']);
      await new Promise((r) => setTimeout(r, 300));
      const child = spawn(process.execPath, [BIN, 'term', 'attach', made.id], {
        cwd: tmp.dir,
        env: { ...process.env, DEVMESH_HOME: cli.home },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      await waitFor(
        'the replay of what was drawn before attaching',
        () => /[\r\n]drawn-before-attach\r\n/.test(out),
        10_000,
      );
      child.stdin.write('echo typed-through-attach\r');
      await waitFor('output of input typed through attach', () => /[\r\n]typed-through-attach\r\n/.test(out), 10_000);
      child.stdin.write(Buffer.from([0x1d]));
      expect(await exited).toBe(0);
      expect(err).toContain('detached');
      // Detaching leaves the session running.
      expect((await sessions()).find((s) => s.id === made.id)?.state).toBe('running');
      await cli.run(['term', 'kill', made.id]);
    },
    CASE_MS,
  );

  it(
    'says clearly when the session does not exist',
    async () => {
      const r = await cli.run(['term', 'send', 'no-such-session', 'hi']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/no-such-session/);
    },
    CASE_MS,
  );
});

describe('devmesh rec', () => {
  it(
    'lists the recording of a finished session and exports it as asciicast v2',
    async () => {
      const made = await newTerm(['--name', 'rec-me'], ['/bin/sh', '-c', 'printf "recorded %s\\n" words; sleep 0.2']);
      await waitFor(
        'the session to end',
        async () => (await sessions()).find((s) => s.id === made.id)?.state === 'exited',
        10_000,
      );
      const recs = await cli.json<RecordingInfo[]>(['rec', 'ls']);
      const rec = recs.find((r) => r.terminalId === made.id)!;
      expect(rec).toBeDefined();
      const out = join(tmp.dir, 'export.cast');
      expect((await cli.run(['rec', 'export', rec.id, '--out', out])).code).toBe(0);
      const [header, ...events] = readFileSync(out, 'utf8').trim().split('\n');
      expect(JSON.parse(header!)).toMatchObject({ version: 2 });
      const text = events
        .map((l) => JSON.parse(l) as [number, string, string])
        .filter((e) => e[1] === 'o')
        .map((e) => e[2])
        .join('');
      expect(text).toContain('recorded words');
      const played = await cli.run(['rec', 'play', rec.id, '--instant']);
      expect(played.stdout).toContain('recorded words');
    },
    CASE_MS,
  );
});
