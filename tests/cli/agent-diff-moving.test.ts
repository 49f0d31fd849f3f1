// `devmesh agent diff` while the agent is still at work: a file the change list named may be back to its base
// (or gone) by the time its patch is asked for. That file is said to be unchanged now and the rest of the diff
// is printed; any other failure still ends the command. A unit test of AgentReviewCommands.diff with a stand-in
// context and client (the daemon's own error for such a file: BAD_REQUEST, "not among the changes").
import { describe, expect, it } from 'vitest';
import { DevMeshError } from '../../shared/errors.js';
import type { ChangedFile, FileDiff, ReviewSummary } from '../../shared/review.js';
import type { CliContext } from '../../main/cli/cli-context.js';
import { CommandArgs } from '../../main/cli/command-args.js';
import { AgentReviewCommands } from '../../main/cli/commands/agent-review-commands.js';

const file = (path: string): ChangedFile => ({
  path,
  from: null,
  kind: 'modified',
  added: 1,
  removed: 0,
  binary: false,
  where: 'uncommitted',
});

function context(fileAnswer: (path: string) => FileDiff) {
  const printed: string[] = [];
  const summary: ReviewSummary = {
    agentId: 'agent-1',
    path: '/wt/alpha',
    branch: 'alpha',
    base: 'main',
    mergeBase: 'abc123',
    ahead: 0,
    behind: 0,
    files: [file('a.txt'), file('b.txt'), file('c.txt')],
    truncated: false,
    dirty: true,
    at: 0,
  };
  const client = {
    call: async (method: string, input: { path?: string }) =>
      method === 'review.summary' ? summary : fileAnswer(input.path!),
  };
  const ctx = {
    withClient: (fn: (c: typeof client) => Promise<unknown>) => fn(client),
    print: (text = '') => void printed.push(text),
    printJson: (v: unknown) => void printed.push(JSON.stringify(v)),
  } as unknown as CliContext;
  return { ctx, printed };
}

const patch = (path: string): FileDiff => ({
  path,
  from: null,
  kind: 'modified',
  binary: false,
  patch: `diff --git a/${path} b/${path}\n+${path}\n`,
  tooLarge: false,
  oldSize: 1,
  newSize: 2,
});
const args = new CommandArgs('agent', {}, []);

describe('agent diff while the agent is still at work', () => {
  it('says a file is no longer changed and prints the others', async () => {
    const { ctx, printed } = context((path) => {
      if (path === 'b.txt')
        throw new DevMeshError('BAD_REQUEST', 'b.txt is not among the changes of alpha (in /wt/alpha) against main');
      return patch(path);
    });
    expect(await new AgentReviewCommands().diff(ctx, args, 'alpha')).toBe(0);
    const out = printed.join('\n');
    expect(out).toContain('+a.txt');
    expect(out).toMatch(/# b\.txt: no longer changed/);
    expect(out).toContain('+c.txt');
  });

  it('still ends on any other failure', async () => {
    const { ctx } = context((path) => {
      if (path === 'b.txt') throw new DevMeshError('INTERNAL', 'git diff of b.txt failed');
      return patch(path);
    });
    await expect(new AgentReviewCommands().diff(ctx, args, 'alpha')).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
