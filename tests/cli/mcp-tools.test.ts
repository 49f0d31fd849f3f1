// The MCP server in process, with no DevMesh running: the SDK's own Client over its in-memory transport sees
// all twenty-one tools with their JSON schemas, gets tool errors (never a crash or a protocol error) for bad
// arguments and for the missing daemon, and the lock path detection tells files, folders and globs apart.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import { ApiClient } from '../../main/cli/api-client.js';
import { DevMeshMcpServer } from '../../main/cli/mcp/devmesh-mcp-server.js';
import { LockTargetParser } from '../../main/cli/mcp/lock-target-parser.js';
import { tempDir } from '../api/test-project.js';

const MCP_TOOLS = [
  'list_services',
  'list_peers',
  'list_agents',
  'acquire_lock',
  'release_lock',
  'list_locks',
  'list_tasks',
  'bid_task',
  'claim_task',
  'update_task',
  'complete_task',
  'send_message',
  'read_messages',
  'get_state',
  'set_state',
  'schedule_reminder',
  'list_reminders',
  'cancel_reminder',
  'watch_files',
  'start_worktree_app',
  'stop_worktree_app',
];

const tmp = tempDir('devmesh-mcp-tools-');
const warnings: string[] = [];
let server: DevMeshMcpServer;
let client: Client;

type ToolResult = { isError?: boolean; content: Array<{ type: string; text?: string }> };
function text(result: unknown): string {
  return (result as ToolResult).content.map((c) => c.text ?? '').join('\n');
}

beforeAll(async () => {
  const home = new DevMeshHome(join(tmp.dir, 'home'));
  server = new DevMeshMcpServer({
    agent: 'agent-unit0test',
    version: '0.0.0-test',
    cwd: tmp.dir,
    client: ApiClient.onDemand(home),
    warn: (l) => warnings.push(l),
  });
  const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
  client = new Client({ name: 'mcp-tools-test', version: '1.0.0' });
  await server.serve(serverSide);
  await client.connect(clientSide);
});

afterAll(async () => {
  await client?.close();
  await server?.close();
  tmp.dispose();
});

describe('devmesh mcp tools', () => {
  it('lists the twenty-one tools, each with a description and an object input schema', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...MCP_TOOLS].sort());
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(40);
      expect(tool.inputSchema.type, tool.name).toBe('object');
    }
    const acquire = tools.find((t) => t.name === 'acquire_lock')!;
    expect(acquire.inputSchema.required).toEqual(['path']);
    expect(Object.keys(acquire.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['path', 'kind', 'mode', 'ttl_seconds', 'wait_seconds']),
    );
    expect(JSON.stringify(acquire.inputSchema.properties?.mode)).toContain('CO_WRITE');
    // the identity is filled in: the model is told who it is and never asked for it
    expect(acquire.description).toContain('agent-unit0test');
    expect(Object.keys(acquire.inputSchema.properties ?? {})).not.toContain('holder');
  });

  it('answers a tool error telling to run `devmesh up` when DevMesh is not running, and stays up', async () => {
    for (const name of ['list_locks', 'acquire_lock', 'read_messages']) {
      const result = await client.callTool({ name, arguments: name === 'acquire_lock' ? { path: 'src/a.ts' } : {} });
      expect(result.isError, name).toBe(true);
      expect(text(result)).toMatch(/not running.*devmesh up/);
    }
    // still serving
    expect((await client.listTools()).tools).toHaveLength(MCP_TOOLS.length);
  });

  it('turns invalid arguments into a tool error naming the argument', async () => {
    const result = await client.callTool({ name: 'acquire_lock', arguments: { path: 'a.ts', mode: 'EXCLUSIVE' } });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/mode/);
    const wait = await client.callTool({ name: 'acquire_lock', arguments: { path: 'a.ts', wait_seconds: 3600 } });
    expect(wait.isError).toBe(true);
    expect(text(wait)).toMatch(/wait_seconds/);
  });

  it('asks for a lock id (or all) before calling DevMesh to release', async () => {
    const result = await client.callTool({ name: 'release_lock', arguments: {} });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/lock_id.*all: true/);
  });
});

describe('lock path detection', () => {
  const root = join(tmp.dir, 'project');
  beforeAll(() => mkdirSync(join(root, 'src', 'auth'), { recursive: true }));
  const parser = (): LockTargetParser => new LockTargetParser(root);

  it('tells globs, folders and files (existing or not) apart, and obeys an explicit kind', () => {
    expect(parser().parse('src/**/*.ts')).toEqual({ kind: 'glob', pattern: 'src/**/*.ts' });
    expect(parser().parse('src/auth')).toEqual({ kind: 'dir', path: 'src/auth' });
    expect(parser().parse('docs/')).toEqual({ kind: 'dir', path: 'docs' });
    expect(parser().parse('.')).toEqual({ kind: 'dir', path: '.' });
    expect(parser().parse('src/auth/new-file.ts')).toEqual({ kind: 'file', path: 'src/auth/new-file.ts' });
    expect(parser().parse('src/auth', 'file')).toEqual({ kind: 'file', path: 'src/auth' });
    expect(parser().parse('weird[1].txt', 'file')).toEqual({ kind: 'file', path: 'weird[1].txt' });
  });
});
