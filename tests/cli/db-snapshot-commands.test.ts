// `devmesh db snapshot|restore|reset|ls|publish|pull` against a real daemon: the commands reach the
// databases.* calls and say clearly what is wrong. (Round trips with real engines are in
// tests/core/databases/; this daemon runs no database until the DatabaseManager is wired in.)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeProject } from '../api/test-project.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';
import { scaled } from '../helpers/load-scale.js';

const tmp = tempDir('devmesh-cli-dbsnap-');
const projectDir = join(tmp.dir, 'shop');
const cli = new CliHarness(join(tmp.dir, 'home'), tmp.dir);
let daemon: RunningCli | undefined;

beforeAll(async () => {
  ensureCliBuilt();
  mkdirSync(projectDir, { recursive: true });
  writeProject(projectDir, 'shop', { api: { autostart: false } });
  ({ daemon } = await cli.up(['--project', projectDir]));
}, scaled(90_000));

afterAll(async () => {
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('devmesh db (snapshots)', () => {
  it('lists no snapshots, in text and JSON', async () => {
    const text = await cli.run(['db', 'ls']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('No snapshots. Take one with `devmesh db snapshot <service>`.');
    expect(await cli.json<unknown[]>(['db', 'ls'])).toEqual([]);
  });

  it('wants --yes for reset and restore when there is no terminal to ask on', async () => {
    for (const args of [
      ['db', 'reset', 'api'],
      ['db', 'restore', 'api', 'snap'],
    ]) {
      const r = await cli.run(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('this replaces data; add --yes to go ahead');
    }
  });

  it('names what is missing: a database block, a teammate link, a bad snapshot name', async () => {
    const reset = await cli.run(['db', 'reset', 'api', '--yes']);
    expect(reset.code).toBe(1);
    expect(reset.stderr).toContain("project shop has no database 'api'");
    const pull = await cli.run(['db', 'pull', 'ada/api', '--no-restore']);
    expect(pull.code).toBe(1);
    // The peer tunnel is always built now (it is the proxy's), so the first thing missing is the database itself.
    expect(pull.stderr).toMatch(
      /project shop has no database 'api'|peer ingress, which is not open: join a mesh first|no linked teammate/,
    );
    const bad = await cli.run(['db', 'snapshot', 'api', '--name', '../etc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("'../etc' is not a snapshot name");
    const pullForm = await cli.run(['db', 'pull', 'api']);
    expect(pullForm.code).toBe(2);
    expect(pullForm.stderr).toContain('<teammate>/<service>');
  });
});
