// A lost or replaced $DEVMESH_HOME/token, with a real daemon (`devmesh up`) and the real CLI:
// - deleted: the next command still works, since the daemon writes its token back (0600) when a client
//   without one knocks;
// - replaced by another token: commands say what happened and what to do, and `devmesh down` still stops
//   DevMesh (by signal, after checking the recorded process is that daemon).
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive, tempDir, writeProject } from '../api/test-project.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';
import { scaled } from '../helpers/load-scale.js';

const tmp = tempDir('devmesh-cli-token-');
const cli = new CliHarness(join(tmp.dir, 'home'), tmp.dir);
const tokenPath = join(cli.home, 'token');
let daemon: RunningCli | undefined;

beforeAll(async () => {
  ensureCliBuilt();
  writeProject(tmp.dir, 'tok', { api: {} });
  ({ daemon } = await cli.up(['--project', tmp.dir]));
}, scaled(120_000));

afterAll(async () => {
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('the API token file', () => {
  it('comes back, 0600 and unchanged, when deleted while DevMesh runs; commands keep working', async () => {
    const token = readFileSync(tokenPath, 'utf8');
    rmSync(tokenPath);
    const status = await cli.run(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('api');
    expect(readFileSync(tokenPath, 'utf8')).toBe(token);
    expect(statSync(tokenPath).mode & 0o777).toBe(0o600);
  });

  it(
    'replaced by another token: says what to do, and `down` still stops DevMesh',
    async () => {
      const pid = JSON.parse(readFileSync(join(cli.home, 'daemon.json'), 'utf8')).pid as number;
      writeFileSync(tokenPath, `${'0'.repeat(64)}\n`, { mode: 0o600 });
      const status = await cli.run(['status']);
      expect(status.code).toBe(1);
      expect(status.stderr).toContain('refused the token');
      expect(status.stderr).toContain('`devmesh down`');
      expect(status.stderr).toContain('`devmesh up`');
      expect(status.stderr).not.toMatch(/\n\s+at /); // no stack trace

      const down = await cli.run(['down'], { timeoutMs: 90_000 });
      expect(down.code, down.stderr).toBe(0);
      expect(down.stderr).toContain('stopped with SIGTERM');
      expect(down.stdout).toContain(`DevMesh stopped (pid ${pid})`);
      expect(processAlive(pid)).toBe(false);
      expect(await daemon!.exited).toBe(0);
    },
    scaled(120_000),
  );
});
