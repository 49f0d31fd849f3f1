// A real `devmesh mcp` process driven by the MCP SDK's client over stdio, as an agent's CLI runs it: one
// session of one agent against the daemon of `home`, for the MCP suites. Not a test file.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { expect } from 'vitest';
import { BIN } from './cli-harness.js';

export class McpSession {
  stderr = '';
  readonly client: Client;
  readonly transport: StdioClientTransport;

  private constructor(home: string, project: string, agent: string, name: string) {
    this.client = new Client({ name, version: '1.0.0' });
    this.transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp'],
      cwd: project,
      env: { ...(process.env as Record<string, string>), DEVMESH_HOME: home, DEVMESH_AGENT_ID: agent },
      stderr: 'pipe',
    });
    this.transport.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  /** Connects a session of `agent`; `into` collects it for the suite's teardown. */
  static async start(o: {
    home: string;
    project: string;
    agent: string;
    name: string;
    into: McpSession[];
  }): Promise<McpSession> {
    const session = new McpSession(o.home, o.project, o.agent, o.name);
    o.into.push(session);
    await session.client.connect(session.transport);
    return session;
  }

  async call(name: string, args: Record<string, unknown> = {}): Promise<{ isError: boolean; text: string }> {
    const result = (await this.client.callTool({ name, arguments: args })) as {
      isError?: boolean;
      content: Array<{ text?: string }>;
    };
    return { isError: result.isError === true, text: result.content.map((c) => c.text ?? '').join('\n') };
  }

  /** acquire_lock; answers the lock id the tool names */
  async lock(path: string, mode = 'WRITE'): Promise<string> {
    const { isError, text } = await this.call('acquire_lock', { path, mode });
    expect(isError, `${text}\n${this.stderr}`).not.toBe(true);
    return /lock (\S+) on/.exec(text)![1]!;
  }
}
