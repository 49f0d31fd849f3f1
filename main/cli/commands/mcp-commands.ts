// `devmesh mcp`: serves DevMesh's coordination tools to an AI coding agent over MCP on stdio. An agent's MCP
// config runs it (`claude mcp add devmesh -- npx devmesh mcp`); it lives as long as the agent's session
// (until stdin closes or a signal), and needs a running DevMesh only when a tool is called.
import type { Readable, Writable } from 'node:stream';
import { DevMeshError } from '../../../shared/devmesh-error.js';
import { LockHolderSchema } from '../../../shared/lock.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { SignalTrap } from '../signal-trap.js';
import { UsageError } from '../usage-error.js';

export class McpCommands {
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly stdin: Readable = process.stdin,
    private readonly stdout: Writable = process.stdout,
  ) {}

  commands(): CliCommand[] {
    return [
      {
        name: 'mcp',
        summary: 'an MCP server on stdio for AI agents: locks, tasks, messages, shared state',
        usage: `Usage: devmesh mcp [--agent ID]

Serves DevMesh to an AI coding agent over the Model Context Protocol on stdin/stdout, e.g.
  claude mcp add devmesh -- npx devmesh mcp
Tools: list_services, list_peers, list_agents, acquire_lock, release_lock, list_locks, list_tasks,
bid_task, claim_task, update_task, complete_task, send_message, read_messages, get_state, set_state.

The agent acts as $DEVMESH_AGENT_ID (set in the terminals of the agents DevMesh starts), else as --agent ID,
else as \`user\`. Each run is one session: it renews the locks it takes every 10 s and releases them when
it ends, never the agent's other locks (another session's, its tasks', or taken for it with \`devmesh locks
take --as\`). DevMesh must be running (\`devmesh up\`) when a tool is called; the server waits and reconnects
on the next call.`,
        options: { agent: { type: 'string' } },
        positionals: { min: 0, max: 0, name: '' },
        run: (ctx, args) => this.mcp(ctx, args),
      },
    ];
  }

  private async mcp(ctx: CliContext, args: CommandArgs): Promise<number> {
    const agent = this.identity(args);
    // Loaded only here: the MCP SDK takes ~80 ms to load, which every other command (and every edit and
    // commit hook an agent runs) would otherwise pay.
    const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
    const { DevMeshMcpServer } = await import('../mcp/devmesh-mcp-server.js');
    const stoppedError = (): DevMeshError => new DevMeshError('SHUTTING_DOWN', 'the DevMesh MCP server is stopping');
    const server = new DevMeshMcpServer({
      agent,
      version: ctx.version,
      cwd: ctx.cwd,
      client: ctx.connectOnDemand({ stoppedError }),
      warn: (line) => ctx.warn(line),
    });
    let trap: SignalTrap | undefined;
    const ended = new Promise<void>((resolve) => {
      // The client ends the session by closing our stdin (the MCP stdio transport's shutdown), or signals.
      this.stdin.once('end', resolve);
      this.stdin.once('close', resolve);
      trap = new SignalTrap(() => resolve());
    });
    try {
      await server.serve(new StdioServerTransport(this.stdin, this.stdout));
      await ended;
    } finally {
      trap?.dispose();
      await server.close();
    }
    return EXIT.ok;
  }

  /** DEVMESH_AGENT_ID first: in an agent DevMesh started, it is the id its locks and tasks are known by. */
  private identity(args: CommandArgs): string {
    const fromEnv = this.env.DEVMESH_AGENT_ID;
    const [agent, source] = fromEnv
      ? [fromEnv, 'DEVMESH_AGENT_ID']
      : args.string('agent')
        ? [args.string('agent')!, '--agent']
        : ['user', 'default'];
    if (!LockHolderSchema.safeParse(agent).success) {
      throw new UsageError(
        `${source} '${agent}' is not an agent id: use letters, digits and . _ : @ - (at most 128), e.g. agent-1a2b3c4d5e`,
        'mcp',
      );
    }
    return agent;
  }
}
