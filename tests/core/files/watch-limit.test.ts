// The inotify watch limit, hit for real: a child process in its own user namespace, where
// /proc/sys/user/max_inotify_watches is lowered for that namespace only (the machine's limit is untouched),
// runs the file watchers (main/core/files, bundled with esbuild) on a small folder and on one with more
// folders than the limit allows. The big one fails with ENOSPC and is reported to the health ledger as the
// inotify limit (not a full disk); the process stays up and the small folder still reports its changes.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../api/test-project.js';
import { scaled } from '../../helpers/load-scale.js';

const root = new URL('../../..', import.meta.url).pathname;
const tmp = tempDir('devmesh-watch-limit-');
afterAll(() => tmp.dispose());

const CHILD = `
const { FileWatchers } = require('./main/core/files/file-watchers.ts');
const { parcelSubscribe } = require('./main/core/files/watch-backend.ts');
const { DaemonHealth } = require('./main/core/health/daemon-health.ts');
const { SystemLockClock } = require('./main/core/locks/lock-clock.ts');
const pino = require('pino');
(async () => {
  const [small, big] = process.argv.slice(2);
  const logger = pino({ enabled: false });
  const health = new DaemonHealth({ logger, emit: () => undefined });
  const seen = [];
  const watchers = new FileWatchers({
    subscribe: parcelSubscribe, clock: new SystemLockClock(), health, logger, quietMs: 20,
    onBatch: (_owner, changes) => seen.push(...changes.map((c) => c.path)),
  });
  const owner = (root) => ({ root, projectRoot: root, project: null, agentId: null });
  await watchers.watch(owner(small));
  await watchers.watch(owner(big));
  require('fs').writeFileSync(small + '/after.txt', 'x');
  const deadline = Date.now() + 20000;
  while (!seen.includes('after.txt') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  console.log(JSON.stringify({ problems: health.snapshot().problems, watched: watchers.list(), seen }));
  watchers.dispose();
})();
`;

const canUnshare =
  spawnSync('unshare', ['-U', '-r', 'sh', '-c', 'echo 16 > /proc/sys/user/max_inotify_watches'], {
    stdio: 'ignore',
  }).status === 0;

async function bundle(): Promise<string> {
  const esbuild = await import('esbuild');
  const req = createRequire(join(root, 'package.json'));
  const out = join(tmp.dir, 'child.cjs');
  await esbuild.build({
    stdin: { contents: CHILD, resolveDir: root, sourcefile: 'watch-limit-child.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    outfile: out,
    logLevel: 'silent',
    // packages stay outside the bundle, named by their absolute path (the bundle lives in a temp folder)
    plugins: [
      {
        name: 'absolute-packages',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (a) =>
            a.path.startsWith('node:')
              ? { path: a.path, external: true }
              : { path: req.resolve(a.path), external: true },
          );
        },
      },
    ],
  });
  await esbuild.stop?.();
  return out;
}

describe('the inotify watch limit', () => {
  it.skipIf(!canUnshare)(
    'fails only the folder over the limit, reported as the limit, and the rest goes on',
    async () => {
      const small = join(tmp.dir, 'small');
      const big = join(tmp.dir, 'big');
      mkdirSync(small);
      for (let i = 0; i < 40; i++) mkdirSync(join(big, `d${i}`), { recursive: true });
      writeFileSync(join(big, 'd0', 'f.txt'), 'x');
      const child = await bundle();
      const script = `echo 16 > /proc/sys/user/max_inotify_watches && exec "${process.execPath}" "${child}" "${small}" "${big}"`;
      const proc = spawn('unshare', ['-U', '-r', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
      proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((r) => proc.on('close', r));
      expect(code, err).toBe(0);
      const result = JSON.parse(out.trim().split('\n').at(-1)!) as {
        problems: Array<{ component: string; message: string; cause: string }>;
        watched: Array<{ root: string; state: string }>;
        seen: string[];
      };
      expect(result.problems.map((p) => p.component)).toEqual([`file watcher: ${big}`]);
      expect(result.problems[0]!.cause).toMatch(/No space left on device/);
      expect(result.problems[0]!.message).toMatch(/inotify watch limit/);
      expect(result.watched.find((w) => w.root === small)!.state).toBe('watching');
      expect(result.watched.find((w) => w.root === big)!.state).toBe('failed');
      expect(result.seen).toContain('after.txt');
    },
    scaled(60_000),
  );
});
