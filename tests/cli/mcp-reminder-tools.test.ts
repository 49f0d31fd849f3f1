// The MCP reminder tools as an agent calls them, through the real API of a real core (SQLite on disk) with
// fake time: schedule_reminder (to itself by default) fires into the agent's read_messages; list_reminders
// and cancel_reminder; a bad `when` comes back as the API's error naming the forms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ApiInput, ApiMethod, ApiOutput } from '../../shared/api.js';
import { DevMeshError } from '../../shared/errors.js';
import { McpToolTable, type ToolContext } from '../../main/cli/mcp/mcp-tool-table.js';
import { LockTargetParser } from '../../main/cli/mcp/lock-target-parser.js';
import { TestCore } from '../api/test-core.js';
import { NODE } from '../api/test-project.js';
import { scaled } from '../helpers/load-scale.js';
import { FakeLockClock } from '../core/locks/fake-lock-clock.js';

const clock = new FakeLockClock();
let dm: TestCore;
let agentId = '';

beforeAll(async () => {
  dm = await TestCore.open({ prefix: 'devmesh-mcp-remind-', project: 'shop', core: { reminders: { clock } } });
  const agent = await dm.call('agents.start', {
    command: NODE,
    args: ['-e', 'setInterval(() => {}, 1000)'],
    name: 'planner',
    cwd: dm.projectDir,
  });
  agentId = agent.id;
}, scaled(60_000));
afterAll(() => dm?.dispose());

/** runs one tool as the agent, its arguments parsed by the tool's own schema as the MCP server does */
async function tool(name: string, args: Record<string, unknown> = {}): Promise<string> {
  const spec = new McpToolTable(agentId).tools().find((t) => t.name === name);
  if (!spec) throw new Error(`no tool ${name}`);
  const ctx: ToolContext = {
    agent: agentId,
    session: 'mcp-test',
    targets: new LockTargetParser(dm.projectDir),
    call: async <M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> => {
      const r = await dm.api.call(method, input);
      if (!r.ok) throw new DevMeshError(r.error.code, r.error.message);
      return r.value as ApiOutput<M>;
    },
  };
  return spec.run(z.object(spec.input).parse(args), ctx);
}

describe('MCP reminder tools', () => {
  it(
    'schedule a reminder to the agent itself, list it, and deliver it to its read_messages at its time',
    async () => {
      const text = await tool('schedule_reminder', { when: 'in 20m', body: 'rebase onto main' });
      const id = /Reminder (rem-[a-z0-9]+) for planner, next at /.exec(text)?.[1];
      expect(id, text).toBeTruthy();
      expect(await tool('list_reminders')).toContain(`"id":"${id}"`);
      clock.advance(20 * 60_000);
      expect(await tool('read_messages')).toContain('Reminder: rebase onto main');
      expect(await tool('list_reminders')).toBe('No reminders scheduled.');
    },
    scaled(60_000),
  );

  it('cancel a reminder, and refuse a bad `when` naming the forms', async () => {
    const text = await tool('schedule_reminder', { to: 'user', when: '0 9 * * 1-5', body: 'plan the day' });
    const id = /Reminder (rem-[a-z0-9]+) for user, next at .+ \(repeats: 0 9 \* \* 1-5\)/.exec(text)?.[1];
    expect(id, text).toBeTruthy();
    expect(await tool('cancel_reminder', { id })).toBe(`Cancelled reminder ${id} for user.`);
    expect(await tool('list_reminders')).toBe('No reminders scheduled.');
    await expect(tool('schedule_reminder', { when: 'someday', body: 'x' })).rejects.toThrow(/in 10m/);
  });
});
