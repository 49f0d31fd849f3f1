// `devmesh mcp`: an MCP server (the official SDK) that lets an AI coding agent use DevMesh's coordination
// (locks, tasks, messages, shared state) and see its services, agents and peers. It is a client of the
// running daemon like any CLI command; a tool failure comes back as an MCP tool error carrying DevMesh's
// message (isError: true), never as a crash, and a daemon that is down is retried on the next call.
import { randomBytes } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { ApiClient } from '../api-client.js';
import { LockHeartbeat, LOCK_HEARTBEAT_MS } from './lock-heartbeat.js';
import { LockTargetParser } from './lock-target-parser.js';
import { McpToolTable, type McpToolSpec, type ToolContext } from './mcp-tool-table.js';

export interface DevMeshMcpServerDeps {
  /** the agent's id (DEVMESH_AGENT_ID) or `user`: the holder, bidder, sender and reader of every call */
  agent: string;
  version: string;
  /** the agent's folder: relative lock paths are looked up there to tell folders from files */
  cwd: string;
  /**
   * the running DevMesh, connected on the first call and again on the next call once it went away
   * (ApiClient.onDemand), so an agent's session outlives a `devmesh down` / `devmesh up`
   */
  client: ApiClient;
  /** diagnostics; stdout belongs to the MCP protocol */
  warn: (line: string) => void;
  heartbeatMs?: number;
  /** this session's id (default: mcp-<random>): the locks it takes are its own, released when it ends */
  session?: string;
}

const START_HINT = 'start it with `devmesh up` (or open the DevMesh app), then call the tool again';

export class DevMeshMcpServer {
  private readonly mcp: McpServer;
  private readonly connection: ApiClient;
  private readonly heartbeat: LockHeartbeat;
  private readonly context: ToolContext;
  /** one `devmesh mcp` process: it renews and releases what it took, never what the agent's other sessions took */
  readonly session: string;

  constructor(private readonly deps: DevMeshMcpServerDeps) {
    this.session = deps.session ?? `mcp-${randomBytes(6).toString('hex')}`;
    this.connection = deps.client;
    const taker = { holder: deps.agent, session: this.session };
    this.heartbeat = new LockHeartbeat(this.connection, taker, deps.warn, deps.heartbeatMs ?? LOCK_HEARTBEAT_MS);
    this.context = {
      agent: deps.agent,
      session: this.session,
      call: (method, input, callOptions) => this.connection.call(method, input, callOptions),
      targets: new LockTargetParser(deps.cwd),
    };
    this.mcp = new McpServer(
      { name: 'devmesh', version: deps.version },
      { instructions: DevMeshMcpServer.instructions(deps.agent) },
    );
    for (const tool of new McpToolTable(deps.agent).tools()) this.register(tool);
  }

  /** Serves on the transport (stdio for `devmesh mcp`) and starts heartbeating the agent's locks. */
  async serve(transport: Transport): Promise<void> {
    await this.mcp.connect(transport);
    this.heartbeat.start();
  }

  /**
   * The session is over (its agent's process exited and closed our stdin): the locks this session took go
   * with it at once, instead of lingering until their TTL. Only those: the agent's other sessions, what was
   * taken in its name from the CLI or the UI, and its tasks' INTENT locks stay. Only over a live connection,
   * bounded in time; otherwise they expire once the heartbeats have stopped for their TTL.
   */
  async close(): Promise<void> {
    this.heartbeat.dispose();
    if (this.connection.connected) {
      const who = `${this.deps.agent} (session ${this.session})`;
      try {
        const input = { holder: this.deps.agent, session: this.session };
        const { released } = await this.connection.call('locks.releaseAll', input, { timeoutMs: 3000 });
        if (released > 0) this.deps.warn(`devmesh mcp: released ${released} lock(s) of ${who} as the session ended`);
      } catch (err) {
        const why = (err as Error).message;
        this.deps.warn(
          `devmesh mcp: could not release the locks of ${who} as the session ended (${why}); they expire after their TTL`,
        );
      }
    }
    try {
      await this.mcp.close();
    } finally {
      await this.connection.close();
    }
  }

  private register(tool: McpToolSpec): void {
    this.mcp.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        annotations: { title: tool.title, readOnlyHint: tool.readOnly, openWorldHint: false },
      },
      async (args: unknown): Promise<CallToolResult> => {
        try {
          const text = await tool.run(args as Parameters<McpToolSpec['run']>[0], this.context);
          return { content: [{ type: 'text', text }] };
        } catch (err) {
          return { content: [{ type: 'text', text: DevMeshMcpServer.errorText(err) }], isError: true };
        }
      },
    );
  }

  /** DevMesh's own message (it says what, where and how to fix), with the code an agent can branch on. */
  private static errorText(err: unknown): string {
    const info = DevMeshError.toInfo(err);
    let message = info.message;
    if ((info.code === 'DAEMON_NOT_RUNNING' || info.code === 'SHUTTING_DOWN') && !message.includes('devmesh up'))
      message = `${message}; ${START_HINT}`;
    return `${message} [${info.code}]`;
  }

  private static instructions(agent: string): string {
    return [
      `DevMesh coordinates the AI agents and humans working on this machine's projects. You are \`${agent}\` to DevMesh.`,
      'Before editing files another agent may touch, take a WRITE lock with acquire_lock and release it with release_lock when done;',
      'if the lock is held, the error names the holder: message them (send_message) or pick other work.',
      'Check read_messages regularly. Find work with list_tasks, bid with bid_task, start an awarded task with claim_task,',
      'report progress with update_task and finish with complete_task. Share decisions through get_state / set_state.',
    ].join(' ');
  }
}
