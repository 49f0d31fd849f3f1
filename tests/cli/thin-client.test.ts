// The thin client commands (status, version…) as users run them against a real daemon. To start quickly they
// close their API connection without waiting for the daemon's answer to the close, and `status` asks for the
// services beside the project list (one round trip). What must still hold: every open project shows, with and
// without --project; `| head -1` ends quietly; the daemon logs nothing wrong about the dropped connections and
// keeps answering.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../main/cli/status-view.js';
import { tempDir, waitFor, writeProject } from '../api/test-project.js';
import { BIN, CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';

const tmp = tempDir('devmesh-thin-');
const shopDir = join(tmp.dir, 'shop');
const blogDir = join(tmp.dir, 'blog');
const cli = new CliHarness(join(tmp.dir, 'home'), tmp.dir);
const daemonLog = join(cli.home, 'logs', 'daemon.log');
let daemon: RunningCli | undefined;
/** generous: the daemon and the CLI are real processes on a shared, often loaded machine */
const WAIT_MS = 60_000;

const status = (args: string[] = []) => cli.json<StatusReport>(['status', ...args]);
const names = (r: StatusReport) => r.services.map((s) => `${s.project}/${s.name}`).sort();

/** `bash -c "devmesh <args> | head -1"`: what head printed, devmesh's stderr and its exit status (PIPESTATUS). */
function throughHead(args: string[]): Promise<{ line: string; stderr: string; status: string }> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const err = join(tmp.dir, `stderr-${Date.now()}`);
  const child = spawn('bash', ['-c', `${quoted} 2>"$ERR" | head -1; echo "status=\${PIPESTATUS[0]}" >&2`], {
    env: { ...process.env, DEVMESH_HOME: cli.home, NO_COLOR: '1', ERR: err },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let tail = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (tail += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), WAIT_MS);
  return new Promise((resolve) =>
    child.once('exit', () => {
      clearTimeout(timer);
      resolve({ line: out, stderr: readFileSync(err, 'utf8'), status: /status=(\d+)/.exec(tail)?.[1] ?? tail });
    }),
  );
}

beforeAll(async () => {
  ensureCliBuilt();
  mkdirSync(shopDir);
  mkdirSync(blogDir);
  writeProject(shopDir, 'shop', { api: {}, web: { dependsOn: ['api'] } });
  writeProject(blogDir, 'blog', { posts: {} });
  ({ daemon } = await cli.up(['--project', shopDir]));
  const healthy = async () => (await status()).services.every((s) => s.state === 'healthy');
  await waitFor('shop healthy', healthy, WAIT_MS, 200);
}, 120_000);

afterAll(async () => {
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('thin client commands', () => {
  it('status shows the one open project, then every open project once a second is opened', async () => {
    const one = await status();
    expect(one.projects.map((p) => p.id)).toEqual(['shop']);
    expect(names(one)).toEqual(['shop/api', 'shop/web']);

    // status --json shows each project's identity: the shop is in no repository (local-only, with why).
    expect(one.projects[0]!.identity).toMatchObject({ localOnly: true, reason: expect.stringMatching(/git/) });
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
        cwd: blogDir,
        stdio: 'ignore',
        env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_'))),
      });
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'blog');
    const open = await cli.run(['open', blogDir]);
    expect(open.code, open.stderr).toBe(0);
    const both = await status();
    expect(both.projects.map((p) => p.id).sort()).toEqual(['blog', 'shop']);
    expect(names(both)).toEqual(['blog/posts', 'shop/api', 'shop/web']);
    const blog = both.projects.find((p) => p.id === 'blog')!;
    expect(blog.identity).toMatchObject({
      localOnly: false,
      subPath: '',
      key: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    const text = await cli.run(['status']);
    expect(text.code, text.stderr).toBe(0);
    for (const name of ['posts', 'api', 'web']) expect(text.stdout).toMatch(new RegExp(`^${name}\\s`, 'm'));

    expect(names(await status(['--project', 'blog']))).toEqual(['blog/posts']);
    expect(names(await status(['--project', shopDir]))).toEqual(['shop/api', 'shop/web']);
    const unknown = await cli.run(['status', '--project', 'nowhere-else']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no open project named 'nowhere-else'");
  });

  it('status and version piped into head -1 print their first line and end quietly', async () => {
    const table = await throughHead(['status']);
    expect(table).toMatchObject({ stderr: '', status: '0' });
    expect(table.line).toMatch(/^(SERVICE\s|project shop)/);
    const version = await throughHead(['version']);
    expect(version).toMatchObject({ stderr: '', status: '0' });
    expect(version.line).toMatch(/^devmesh \d+\.\d+\.\d+ \(node v\d+/);
  });

  it('many quick commands leave no warning or error in daemon.log, and the daemon still answers', async () => {
    const before = readFileSync(daemonLog, 'utf8').length;
    for (let round = 0; round < 10; round++) {
      const results = await Promise.all([cli.run(['status']), cli.run(['version']), cli.run(['projects'])]);
      for (const r of results) expect(r.code, r.stderr).toBe(0);
    }
    const lines = readFileSync(daemonLog, 'utf8')
      .slice(before)
      .split('\n')
      .filter((l) => l.trim() !== '');
    const bad = lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 40 || /ECONNRESET|EPIPE/.test(l));
    expect(bad).toEqual([]);
    expect(names(await status())).toEqual(['blog/posts', 'shop/api', 'shop/web']);
  });
});
