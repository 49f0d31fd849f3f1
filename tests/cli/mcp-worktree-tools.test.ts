// The MCP worktree tools as an agent calls them: a real `devmesh mcp` process (the agent's identity from
// DEVMESH_AGENT_ID) against a real daemon, a real git repository and an agent in its own worktree. The agent
// starts its worktree's copy of the app (all services, or one by name) and is answered the copy's URLs,
// `http://<service>.<label>.localhost:<port>/`; a request through the proxy with that name reaches the
// worktree's code, not the main checkout's; stopping it closes the copy. An agent in no worktree is told why.
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../main/cli/api-client.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import { serverScript, tempDir, waitFor, writeProject } from '../api/test-project.js';
import { git } from '../core/agents/fake-cli.js';
import { scaled } from '../helpers/load-scale.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';
import { McpSession } from './mcp-session.js';

const tmp = tempDir('devmesh-mcp-worktree-');
const home = join(tmp.dir, 'home');
let repo = '';
let daemon: RunningCli | undefined;
let worktree = '';
let agentId = '';
let loneId = '';
const sessions: McpSession[] = [];

async function withApi<T>(fn: (api: ApiClient) => Promise<T>): Promise<T> {
  const api = await ApiClient.connect(new DevMeshHome(home));
  try {
    return await fn(api);
  } finally {
    await api.close();
  }
}

/** GET `url` through the proxy on 127.0.0.1 with the URL's host as the Host header; the body */
function viaProxy(url: string): Promise<string> {
  const { port, host, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: pathname, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.setTimeout(scaled(10_000), () => req.destroy(new Error(`no answer from the proxy for ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  ensureCliBuilt();
  repo = join(tmp.dir, 'shop');
  mkdirSync(repo);
  writeProject(repo, 'shop', { api: { autostart: false }, web: { autostart: false, dependsOn: ['api'] } });
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '.');
  git(repo, '-c', 'user.name=T', '-c', 'user.email=t@devmesh.invalid', 'commit', '-q', '-m', 'first');
  repo = realpathSync(repo);
  const cli = new CliHarness(home, repo, { DEVMESH_PROXY_HTTP_PORT: '0', DEVMESH_PROXY_HTTPS_PORT: '0' });
  ({ daemon } = await cli.up(['--project', repo]));
  const started = await withApi((api) =>
    Promise.all([
      api.call('agents.start', {
        command: 'sleep',
        args: ['600'],
        name: 'fixer',
        project: 'shop',
        worktree: 'fix/Login',
      }),
      api.call('agents.start', { command: 'sleep', args: ['600'], name: 'lone', project: 'shop' }),
    ]),
  );
  agentId = started[0].id;
  loneId = started[1].id;
  worktree = realpathSync(started[0].worktree!.path);
  // the agent's branch answers differently from the main checkout
  writeFileSync(join(worktree, 'api.js'), serverScript('api', '').replace("'api ok'", "'api of fix/Login'"));
}, scaled(120_000));

afterAll(async () => {
  for (const s of sessions) await s.client.close();
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('MCP worktree tools', () => {
  it(
    "start the agent's own copy, answer its URLs, reach its code through the proxy, and stop it",
    async () => {
      const mcp = await McpSession.start({ home, project: worktree, agent: agentId, name: 'wt-test', into: sessions });
      const one = await mcp.call('start_worktree_app', { services: ['api'] });
      expect(one.isError, `${one.text}\n${mcp.stderr}`).toBe(false);
      expect(one.text).toContain('shop@fix-login');
      expect(one.text).toContain('fix/Login');
      const apiUrl = /http:\/\/api\.fix-login\.localhost:\d+\//.exec(one.text)?.[0];
      expect(apiUrl, one.text).toBeTruthy();
      expect(one.text).not.toMatch(/web\.fix-login/); // only what was asked for
      expect(await viaProxy(apiUrl!)).toBe('api of fix/Login');

      const all = await mcp.call('start_worktree_app');
      expect(all.isError, all.text).toBe(false);
      expect(all.text).toMatch(/web: healthy at http:\/\/web\.fix-login\.localhost:\d+\//);
      expect(all.text).toMatch(/api: healthy at http:\/\/api\.fix-login\.localhost:\d+\//);
      // the main checkout's services stay as they were (not started by the copy's start)
      const main = await withApi((api) => api.call('services.list', { project: 'shop' }));
      expect(main.map((s) => s.state)).toEqual(['stopped', 'stopped']);

      const stopOne = await mcp.call('stop_worktree_app', { services: ['web'] });
      expect(stopOne.isError, stopOne.text).toBe(false);
      expect(stopOne.text).toContain('web: stopped');
      const stopped = await mcp.call('stop_worktree_app');
      expect(stopped.isError, stopped.text).toBe(false);
      expect(stopped.text).toContain('Closed shop@fix-login');
      await waitFor('the copy to close', async () =>
        (await withApi((api) => api.call('projects.list', {}))).every((p) => !p.worktree),
      );
      const again = await mcp.call('stop_worktree_app');
      expect(again.isError).toBe(true);
      expect(again.text).toMatch(/no copy of the app is open for your worktree.*start_worktree_app/);
    },
    scaled(180_000),
  );

  it(
    'tells an agent without a worktree (and a name that is no service) what to do',
    async () => {
      const lone = await McpSession.start({ home, project: repo, agent: loneId, name: 'wt-test', into: sessions });
      const r = await lone.call('start_worktree_app');
      expect(r.isError).toBe(true);
      expect(r.text).toMatch(/works in no worktree of its own.*\[BAD_REQUEST\]/);

      const mcp = await McpSession.start({ home, project: worktree, agent: agentId, name: 'wt-test', into: sessions });
      const bad = await mcp.call('start_worktree_app', { services: ['nosuch'] });
      expect(bad.isError).toBe(true);
      expect(bad.text).toMatch(/nosuch.*api.*web|\[SERVICE_NOT_FOUND\]/s);
      await withApi((api) => api.call('projects.close', { project: 'shop@fix-login' }));
    },
    scaled(60_000),
  );
});
