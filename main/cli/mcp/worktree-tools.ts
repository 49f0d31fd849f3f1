// The MCP tools for an agent's own copy of the app (start_worktree_app, stop_worktree_app): the project's
// services run from the calling agent's git worktree, beside the main checkout's, at
// `<service>.<label>.localhost` (worktree-copies.ts), so the agent can try its branch in a browser or with curl.
// McpToolTable lists them.
import { z } from 'zod';
import { DevMeshError } from '../../../shared/errors.js';
import type { ProjectInfo, ServiceInfo } from '../../../shared/service.js';
import { defineTool, type McpToolSpec, type ToolContext } from './mcp-tool-spec.js';

/** under MCP clients' 60 s call limit (LOCK_WAIT_MAX_SECONDS), for services that take long to get healthy */
const START_TIMEOUT_MS = 50_000;

const servicesInput = z
  .array(z.string().min(1).max(128))
  .max(64)
  .default([])
  .describe('service names (from devmesh.yaml); omit to take them all');

/** `api: healthy at http://api.fix-login.localhost:7777/` for each service, in the order given */
async function lines(ctx: ToolContext, copy: string, services: ServiceInfo[]): Promise<string[]> {
  const routes = await ctx.call('proxy.routes', { project: copy });
  return services.map((s) => {
    const urls = routes.find((r) => r.project === copy && r.service === s.name)?.urls ?? [];
    const url = urls.find((u) => u.startsWith('http://')) ?? urls[0];
    const why = s.reason ? ` (${s.reason})` : '';
    const where = url && s.state !== 'stopped' ? ` at ${url}` : '';
    return `${s.name}: ${s.state}${where}${why}`;
  });
}

/** The open copy in the calling agent's worktree (its identity an id, or a name given with --agent), or null */
async function ownCopy(ctx: ToolContext): Promise<ProjectInfo | null> {
  const [projects, agents] = await Promise.all([ctx.call('projects.list', {}), ctx.call('agents.list', {})]);
  const me = agents.find((a) => a.id === ctx.agent) ?? agents.find((a) => a.name === ctx.agent);
  return projects.find((p) => p.worktree !== undefined && p.worktree.agentId === (me?.id ?? ctx.agent)) ?? null;
}

function head(copy: ProjectInfo): string {
  return `worktree ${copy.worktree!.branch} of ${copy.worktree!.of} (project ${copy.id}, in ${copy.root})`;
}

/** `you`: the identity line the descriptions end with */
export function worktreeTools(you: string): McpToolSpec[] {
  return [
    defineTool({
      name: 'start_worktree_app',
      title: "Start your worktree's copy of the app",
      description: `Run the project's services from your own git worktree (your branch), beside the main checkout's: each on a port DevMesh picks (\`$PORT\`), with its own logs, reachable at \`http://<service>.<branch label>.localhost:<port>/\` through DevMesh's proxy (the bare \`<service>.localhost\` stays the main checkout's). Starts every service, or those named in \`services\` (their dependencies too), and waits until they are healthy (up to ${START_TIMEOUT_MS / 1000} s; call again to see how they are). Answers each service's state and URL. Only for an agent that DevMesh started with a worktree. Stop them with stop_worktree_app; they also stop when you stop. ${you}`,
      input: { services: servicesInput },
      readOnly: false,
      run: async (args, ctx) => {
        if (ctx.agent === 'user') {
          throw new DevMeshError(
            'BAD_REQUEST',
            "this MCP session is no agent's (DEVMESH_AGENT_ID is not set), so it has no worktree of its own; " +
              "a human runs a worktree's copy with `devmesh start --all --worktree <agent|branch|path>`",
          );
        }
        const copy = await ctx.call('projects.openWorktree', { worktree: ctx.agent });
        const options = { timeoutMs: START_TIMEOUT_MS };
        const project = copy.id;
        const started =
          args.services.length === 0
            ? await ctx.call('services.startAll', { project, wait: true }, options)
            : await Promise.all(
                args.services.map((name) => ctx.call('services.start', { project, name, wait: true }, options)),
              );
        const all = await ctx.call('services.list', { project });
        const shown = args.services.length === 0 ? all : started;
        return [`Started the ${head(copy)}:`, ...(await lines(ctx, project, shown))].join('\n');
      },
    }),
    defineTool({
      name: 'stop_worktree_app',
      title: "Stop your worktree's copy of the app",
      description: `Stop the services of your worktree's copy of the app (started with start_worktree_app): those named in \`services\`, or, with none named, all of them, closing the copy (its names stop answering). The main checkout's services are not touched. ${you}`,
      input: { services: servicesInput },
      readOnly: false,
      run: async (args, ctx) => {
        const copy = await ownCopy(ctx);
        if (copy === null) {
          throw new DevMeshError(
            'PROJECT_NOT_FOUND',
            `no copy of the app is open for your worktree (agent ${ctx.agent}): nothing to stop; ` +
              'start one with start_worktree_app',
          );
        }
        if (args.services.length === 0) {
          const { closed } = await ctx.call('projects.close', { project: copy.id });
          return `Closed ${closed}: every service of the ${head(copy)} is stopped.`;
        }
        const stopped = await Promise.all(
          args.services.map((name) => ctx.call('services.stop', { project: copy.id, name })),
        );
        return [`Stopped in the ${head(copy)}:`, ...(await lines(ctx, copy.id, stopped))].join('\n');
      },
    }),
  ];
}
