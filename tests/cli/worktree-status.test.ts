// `devmesh start --worktree` and `devmesh status --all` against a real daemon: an agent (a fake CLI) in its own
// git worktree starts its copy's services from inside the worktree; `status --all` groups the services by
// worktree (the main checkout first, then the copy with its branch, agent and URLs); plain `status` keeps to
// the main checkout and says copies are open; `routes` names the copy's services `<service>.<label>.localhost`.
import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../main/cli/status-view.js';
import type { AgentRecord } from '../../shared/agent.js';
import { tempDir, waitFor, writeProject } from '../api/test-project.js';
import { git, writeScript } from '../core/agents/fake-cli.js';
import { scaled } from '../helpers/load-scale.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';

const tmp = tempDir('devmesh-wtstatus-');
let daemon: RunningCli | undefined;
let cli: CliHarness;
let repo: string;

beforeAll(async () => {
  ensureCliBuilt();
  repo = join(tmp.dir, 'shop');
  mkdirSync(repo);
  writeProject(repo, 'shop', { api: {}, web: { dependsOn: ['api'] } });
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '.');
  git(repo, '-c', 'user.name=T', '-c', 'user.email=t@devmesh.invalid', 'commit', '-q', '-m', 'first');
  repo = realpathSync(repo);
  cli = new CliHarness(join(tmp.dir, 'home'), repo, { DEVMESH_PROXY_HTTP_PORT: '0', DEVMESH_PROXY_HTTPS_PORT: '0' });
  ({ daemon } = await cli.up(['--project', repo]));
  await waitFor(
    'the main checkout healthy',
    async () => (await cli.json<StatusReport>(['status'])).services.every((s) => s.state === 'healthy'),
    scaled(60_000),
  );
}, scaled(120_000));

afterAll(async () => {
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('devmesh status --all', () => {
  it(
    'groups services by worktree after an agent starts its copy from inside its worktree',
    async () => {
      const script = writeScript(join(tmp.dir, 'bin'), 'agent-ui', 'while read line; do echo "got $line"; done');
      const started = await cli.run([
        'agent',
        'start',
        '--command',
        script,
        '--name',
        'uiagent',
        '--worktree',
        'feat/UI',
      ]);
      expect(started.code, started.stderr).toBe(0);
      const agents = await cli.json<AgentRecord[]>(['agent', 'ls']);
      const worktree = realpathSync(agents.find((a) => a.name === 'uiagent')!.worktree!.path);

      const inside = new CliHarness(cli.home, worktree, cli.extraEnv);
      const start = await inside.run(['start', '--all', '--worktree', '.'], { timeoutMs: scaled(60_000) });
      expect(start.code, start.stderr).toBe(0);
      expect(start.stderr).toContain('project shop@feat-ui');
      expect(start.stdout).toMatch(/api: healthy \(port \d+/);

      const all = await cli.run(['status', '--all']);
      expect(all.code, all.stderr).toBe(0);
      const text = all.stdout;
      const main = text.indexOf('project shop\n');
      const copy = text.indexOf('worktree feat/UI of shop (shop@feat-ui), agent uiagent');
      expect(main).toBeGreaterThanOrEqual(0);
      expect(copy).toBeGreaterThan(main);
      expect(text.slice(copy)).toMatch(/\n {2}api {2}http:\/\/api\.feat-ui\.localhost:\d+\//);
      expect(text.slice(copy)).toMatch(/\n {2}web {2}http:\/\/web\.feat-ui\.localhost:\d+\//);
      expect(text.slice(main, copy)).toMatch(/api\s+1\.0\.0\s+healthy/);
      expect(text.slice(copy)).toMatch(/api\s+1\.0\.0\s+healthy/);

      const json = await cli.json<StatusReport>(['status', '--all']);
      expect(json.projects.map((p) => [p.id, p.worktree?.branch ?? null])).toEqual([
        ['shop', null],
        ['shop@feat-ui', 'feat/UI'],
      ]);
      expect(json.services.filter((s) => s.project === 'shop@feat-ui').map((s) => s.state)).toEqual([
        'healthy',
        'healthy',
      ]);

      // plain status keeps to the main checkout, and says a copy is open
      const plain = await cli.run(['status']);
      expect(plain.stdout).not.toContain('shop@feat-ui');
      expect(plain.stdout).toContain('1 worktree copy is open too: `devmesh status --all` shows them');

      const routes = await cli.run(['routes']);
      expect(routes.stdout).toContain('api.feat-ui.localhost');
      expect(routes.stdout).toContain('api.localhost');

      // stopping the agent closes its copy
      expect((await cli.run(['agent', 'stop', 'uiagent'])).code).toBe(0);
      await waitFor(
        'the copy to close',
        async () => (await cli.json<StatusReport>(['status', '--all'])).projects.length === 1,
        scaled(30_000),
      );
    },
    scaled(240_000),
  );

  it('points `devmesh open <worktree>` at `devmesh start --worktree`, naming the worktree and its branch', async () => {
    const wt = join(tmp.dir, 'shop-hotfix');
    git(repo, 'worktree', 'add', '-q', '-b', 'hot/Fix', wt);
    mkdirSync(join(wt, 'sub'));
    for (const target of [wt, join(wt, 'sub'), join(wt, 'devmesh.yaml')]) {
      const r = await cli.run(['open', target]);
      expect(r.code, r.stdout).not.toBe(0);
      expect(r.stderr).toContain(`${realpathSync(wt)} is a git worktree (branch hot/Fix) of project shop`);
      expect(r.stderr).toContain(`devmesh start --all --worktree ${realpathSync(wt)}`);
      expect(r.stderr).toContain('http://<service>.hot-fix.localhost');
    }
    expect((await cli.json<StatusReport>(['status', '--all'])).projects.map((p) => p.id)).toEqual(['shop']);
    // the main checkout opens again as before (nothing to do)
    expect((await cli.run(['open', repo])).code).toBe(0);
  });

  it('refuses an unknown worktree with a clear message', async () => {
    const r = await cli.run(['start', '--all', '--worktree', 'nobody']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no agent, branch or worktree named "nobody"/);
  });
});
