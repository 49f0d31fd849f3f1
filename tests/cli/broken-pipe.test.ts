// `devmesh … | head -1`: the reader goes away after one line and the command ends quietly, as `git log | head`
// does: no stack trace, no "EPIPE", exit 0; and a following command (`logs -f`) does not hang on. A real
// daemon, a service that prints a lot, the real `devmesh` through a real shell pipe into `head -1`.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor, writeProject } from '../api/test-project.js';
import { BIN, CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';
import { scaled } from '../helpers/load-scale.js';

const tmp = tempDir('devmesh-cli-pipe-');
const projectDir = join(tmp.dir, 'chatty');
const cli = new CliHarness(join(tmp.dir, 'home'), tmp.dir);
let daemon: RunningCli | undefined;

/** `bash -c "<devmesh args> | head -1"`: what head printed, devmesh's stderr and exit status (PIPESTATUS). */
function throughHead(args: string[], timeoutMs = 60_000): Promise<{ line: string; stderr: string; status: string }> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `${quoted} 2>"$ERR" | head -1; echo "status=\${PIPESTATUS[0]}" >&2`;
  const err = join(tmp.dir, `stderr-${Date.now()}`);
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {
      cwd: tmp.dir,
      env: { ...process.env, DEVMESH_HOME: cli.home, NO_COLOR: '1', ERR: err },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let status = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (status += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`devmesh ${args.join(' ')} | head -1 did not end within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve({ line: out, stderr: readFileSync(err, 'utf8'), status: /status=(\d+)/.exec(status)?.[1] ?? status });
    });
  });
}

beforeAll(async () => {
  ensureCliBuilt();
  mkdirSync(projectDir);
  // 3,000 lines of ~120 bytes at start (well over a pipe's 64 KB), then one line every 20 ms for `logs -f`
  writeProject(projectDir, 'chatty', {
    talker: {
      extra: `for (let i = 0; i < 3000; i++) console.log('line ' + i + ' ' + 'x'.repeat(110));
let n = 0; setInterval(() => console.log('tick ' + n++), 20);`,
    },
  });
  ({ daemon } = await cli.up(['--project', projectDir]));
  await waitFor(
    '3,000 log lines',
    async () => {
      const r = await cli.run(['logs', 'talker', '-n', '3000']);
      return r.stdout.split('\n').length > 3000;
    },
    60_000,
    200,
  );
}, 120_000);

afterAll(async () => {
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('devmesh … | head -1', () => {
  it('a long output ends quietly when the reader has read enough', async () => {
    const r = await throughHead(['logs', 'talker', '-n', '3000']);
    expect(r.line).toMatch(/line \d+|hello from talker|tick/);
    expect(r.stderr).toBe('');
    expect(r.status).toBe('0');
  });

  it('a followed log ends when the reader goes away, instead of writing into the void', async () => {
    const r = await throughHead(['logs', 'talker', '-f', '-n', '1']);
    expect(r.line.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toBe('');
    expect(r.status).toBe('0');
  });

  it('help piped into head ends quietly too', async () => {
    const r = await throughHead(['help']);
    expect(r.line).toMatch(/^devmesh: /);
    expect(r.stderr).toBe('');
    expect(r.status).toBe('0');
  });
});

describe('devmesh up with its reader gone', () => {
  it(
    'keeps the daemon running when its output pipe is closed before it prints',
    async () => {
      const home = join(tmp.dir, 'home-up');
      const other = new CliHarness(home, tmp.dir);
      const child = spawn(process.execPath, [BIN, 'up', '--port', '0', '--project', projectDir], {
        env: { ...process.env, DEVMESH_HOME: home },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      child.stdout.destroy(); // like `| head -0`: every line the daemon prints meets a closed pipe
      try {
        const status = await waitFor(
          'the daemon to answer',
          async () => {
            const r = await other.run(['status']);
            return r.code === 0
              ? r
              : child.exitCode !== null
                ? Promise.reject(new Error(`devmesh up exited with ${child.exitCode}`))
                : false;
          },
          60_000,
          200,
        );
        expect(status.stdout).toContain('talker');
        expect(child.exitCode).toBeNull();
      } finally {
        await other.run(['down']);
        if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      }
    },
    scaled(120_000),
  );
});
