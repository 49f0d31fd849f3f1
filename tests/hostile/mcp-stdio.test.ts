// Hostile MCP calls through a real `devmesh mcp` process (the MCP SDK's Client over stdio) against a real
// daemon: wrong types, missing fields, huge strings, unknown tools, and raw garbage on the server's stdin.
// Each call is answered (a tool error or a JSON-RPC error, never silence), the same MCP server keeps
// serving, and the daemon still answers with its service running.
import { spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../cli/cli-harness.js';
import { ApiDaemon } from './api-daemon.js';
import { scaled } from '../helpers/load-scale.js';

const d = new ApiDaemon();
const AGENT = 'agent-h0st1le0001';
let client: Client;
let transport: StdioClientTransport;
let stderr = '';

beforeAll(async () => {
  await d.start();
  transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp'],
    cwd: d.tmp.dir,
    env: { ...(process.env as Record<string, string>), DEVMESH_HOME: d.home, DEVMESH_AGENT_ID: AGENT },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  client = new Client({ name: 'hostile-mcp', version: '1.0.0' });
  await client.connect(transport);
}, scaled(180_000));

afterAll(async () => {
  await client?.close();
  await d.stop();
});

/** A call that must be answered as an error: a tool result with isError, or a JSON-RPC error. */
async function refused(name: string, args: unknown): Promise<string> {
  try {
    const r = (await client.callTool({ name, arguments: args as Record<string, unknown> }, undefined, {
      timeout: 60_000,
    })) as {
      isError?: boolean;
      content: Array<{ text?: string }>;
    };
    expect(
      r.isError,
      `${name}(${JSON.stringify(args).slice(0, 80)}) was accepted: ${JSON.stringify(r).slice(0, 200)}`,
    ).toBe(true);
    return r.content.map((c) => c.text ?? '').join('\n');
  } catch (err) {
    expect((err as Error).message).not.toMatch(/timed out|Connection closed/i);
    return (err as Error).message;
  }
}

async function stillServing(): Promise<void> {
  const tools = await client.listTools(undefined, { timeout: 60_000 });
  expect(tools.tools.map((t) => t.name)).toContain('acquire_lock');
  const services = (await client.callTool({ name: 'list_services', arguments: {} }, undefined, {
    timeout: 60_000,
  })) as { isError?: boolean };
  expect(services.isError, stderr).not.toBe(true);
  await d.assertServing();
}

describe('devmesh mcp under hostile calls', () => {
  it(
    'answers unknown tools',
    async () => {
      for (const name of ['no_such_tool', '__proto__', 'constructor', '', 'acquire_lock '.repeat(100)])
        await refused(name, {});
      await stillServing();
    },
    scaled(180_000),
  );

  it(
    'answers wrong types and missing fields',
    async () => {
      const cases: Array<[string, unknown]> = [
        ['acquire_lock', {}],
        ['acquire_lock', { path: 42 }],
        ['acquire_lock', { path: ['src/a.ts'] }],
        ['acquire_lock', { path: 'src/a.ts', kind: 'everything' }],
        ['acquire_lock', { path: '../../etc/passwd' }],
        ['acquire_lock', { path: '{..}/x', kind: 'glob' }],
        ['release_lock', { lock_id: { $ne: null } }],
        ['send_message', {}],
        ['send_message', { to: 7, body: null }],
        ['bid_task', { estimate_minutes: -1, capabilities: 'all' }],
        ['read_messages', { limit: 1e9 }],
        ['set_state', { key: null }],
        ['complete_task', { outcome: 'MAYBE' }],
        ['list_tasks', { states: Array.from({ length: 50 }, () => 'OPEN') }],
      ];
      for (const [name, args] of cases) await refused(name, args);
      await stillServing();
    },
    scaled(180_000),
  );

  it(
    'answers huge strings',
    async () => {
      const huge = 'x'.repeat(2 * 1024 * 1024);
      await refused('acquire_lock', { path: huge });
      await refused('send_message', { to: 'user', body: huge });
      await refused('set_state', { key: huge, value: 1 });
      await refused('update_task', { task: huge, note: huge });
      await stillServing();
    },
    scaled(180_000),
  );
});

describe('raw garbage on the stdin of devmesh mcp', () => {
  it(
    'skips lines that are not JSON-RPC and still answers a proper request after them',
    async () => {
      const child = spawn(process.execPath, [BIN, 'mcp'], {
        cwd: d.tmp.dir,
        env: { ...process.env, DEVMESH_HOME: d.home, DEVMESH_AGENT_ID: AGENT },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.stderr.resume();
      try {
        const garbage = [
          'not json at all',
          '{',
          '[]',
          'null',
          '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":"x"}',
          '{"jsonrpc":"2.0","id":2,"method":"no/such/method"}',
          `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"acquire_lock","arguments":{"path":"${'y'.repeat(100_000)}"}}}`,
          '\u0000\u0001\u0002',
        ];
        for (const line of garbage) child.stdin.write(`${line}\n`);
        const init = {
          jsonrpc: '2.0',
          id: 10,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
        };
        child.stdin.write(`${JSON.stringify(init)}\n`);
        const deadline = Date.now() + 60_000;
        while (!/"id":10[,}]/.test(out) && child.exitCode === null && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 50));
        expect(child.exitCode).toBeNull();
        const answer = out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { id?: number; result?: unknown })
          .find((m) => m.id === 10);
        expect(answer?.result).toBeDefined();
      } finally {
        child.kill('SIGTERM');
        if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      }
      await d.assertServing();
    },
    scaled(180_000),
  );
});
