// What DevMesh keeps in $DEVMESH_HOME is readable by you only, even when the folder already existed with
// mode 0755 and the umask is the usual 022: a real `devmesh up` under `umask 022` creates the store (and its
// -wal/-shm), audit.jsonl, logs, recordings and backups 0600 and tightens the folder to 0700; files an
// older DevMesh left readable are tightened at start. The umask itself is left alone: services inherit it.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor, writeProject } from '../api/test-project.js';
import { scaled } from '../helpers/load-scale.js';
import { BIN, CliHarness, ensureCliBuilt, RunningCli } from './cli-harness.js';

const tmp = tempDir('devmesh-modes-');
const projectDir = join(tmp.dir, 'shop');
const daemons: RunningCli[] = [];

/** `devmesh up` started by `sh` with `umask 022`, as a login shell would */
function upUnderUmask(home: string): RunningCli {
  const child = spawn(
    '/bin/sh',
    ['-c', `umask 022 && exec "$0" "$@"`, process.execPath, BIN, 'up', '--project', projectDir, '--port', '0'],
    {
      cwd: tmp.dir,
      env: { ...process.env, DEVMESH_HOME: home, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const up = new RunningCli(child);
  daemons.push(up);
  return up;
}

/** every file and folder under `dir`, with its permission bits */
function modes(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      out.set(relative(dir, p), statSync(p).mode & 0o777);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

const octal = (m: number) => `0${m.toString(8)}`;

/** The files the issue names, created by a session that started a service, ran a terminal and was backed up. */
async function session(home: string): Promise<void> {
  const up = upUnderUmask(home);
  await up.waitForOutput(/DevMesh is up/, scaled(30_000));
  const cli = new CliHarness(home, tmp.dir);
  expect((await cli.run(['start', 'api'])).code).toBe(0);
  const term = await cli.run(['term', 'new', '--cwd', tmp.dir, '--', 'sh', '-c', 'echo recorded; sleep 0.2']);
  expect(term.code, term.stderr).toBe(0);
  await waitFor(
    'a recording',
    () => existsSync(join(home, 'recordings')) && readdirSync(join(home, 'recordings')).length > 0,
    scaled(10_000),
  );
  await waitFor(
    'a backup',
    () => existsSync(join(home, 'backups')) && readdirSync(join(home, 'backups')).some((f) => f.endsWith('.db')),
    scaled(20_000),
  );
  for (const f of ['devmesh.db', 'devmesh.db-wal', 'devmesh.db-shm', 'audit.jsonl', 'logs/daemon.log']) {
    expect(existsSync(join(home, f)), f).toBe(true);
  }
  const all = modes(home);
  const loose = [...all].filter(([path, mode]) => (mode & 0o077) !== 0 && !ALLOWED_OPEN.has(path));
  expect(loose.map(([p, m]) => `${p} ${octal(m)}`)).toEqual([]);
  expect(octal(statSync(home).mode & 0o777)).toBe('0700');
  await up.stop('SIGTERM', scaled(20_000));
}

/** public by design: the local CA's certificate (browsers and services read it) */
const ALLOWED_OPEN = new Set(['ca', 'ca/ca.crt', 'ca/ca.pem', 'ca/cert.pem']);

beforeAll(() => {
  ensureCliBuilt();
  mkdirSync(projectDir);
  writeProject(projectDir, 'shop', { api: { autostart: false } });
});

afterEach(async () => {
  await Promise.all(daemons.splice(0).map((d) => d.stop('SIGTERM', scaled(20_000))));
});

afterAll(() => tmp.dispose());

describe('file modes in $DEVMESH_HOME', () => {
  it(
    'a home folder that exists with 0755: everything DevMesh creates is 0600 (folders 0700), the folder 0700',
    async () => {
      const home = join(tmp.dir, 'home-0755');
      mkdirSync(home, { mode: 0o755 });
      chmodSync(home, 0o755);
      await session(home);
    },
    scaled(120_000),
  );

  it(
    'files an older DevMesh left readable by others are tightened at start',
    async () => {
      const home = join(tmp.dir, 'home-old');
      mkdirSync(home, { mode: 0o755 });
      await session(home);
      for (const e of readdirSync(home, { withFileTypes: true, recursive: true })) {
        const p = join(e.parentPath, e.name);
        chmodSync(p, e.isDirectory() ? 0o755 : 0o644);
      }
      chmodSync(home, 0o755);
      await session(home);
    },
    scaled(120_000),
  );

  it(
    'the umask services inherit is left as it was',
    async () => {
      const home = join(tmp.dir, 'home-umask');
      const up = upUnderUmask(home);
      await up.waitForOutput(/DevMesh is up/, scaled(30_000));
      const cli = new CliHarness(home, tmp.dir);
      const term = await cli.run(['term', 'new', '--cwd', tmp.dir, '--', 'sh', '-c', 'umask > umask.txt']);
      expect(term.code, term.stderr).toBe(0);
      await waitFor(
        'the umask file',
        () => existsSync(join(tmp.dir, 'umask.txt')) && readFileSync(join(tmp.dir, 'umask.txt'), 'utf8').trim(),
        scaled(10_000),
      );
      expect(readFileSync(join(tmp.dir, 'umask.txt'), 'utf8').trim()).toBe('0022');
    },
    scaled(60_000),
  );
});
