// The MCP tool for file changes (watch_files): an agent follows what changes in the project's checkout and in
// every agent's worktree, through a cursor, so it notices another agent touching files it depends on.
// McpToolTable lists it.
import { z } from 'zod';
import { FILES_WAIT_MAX_MS } from '../../../shared/files.js';
import { defineTool, projectInput, waitingCall, waitSecondsInput, type McpToolSpec } from './mcp-tool-spec.js';

/** `you`: the identity line the descriptions end with */
export function fileTools(you: string): McpToolSpec[] {
  return [
    defineTool({
      name: 'watch_files',
      title: 'Watch file changes',
      description: `Follow the files changing in the project: its checkout and every agent's worktree, debounced, without what git ignores (and .git, node_modules). Call it without \`cursor\` to start: it waits up to \`wait_seconds\` for the first changes from now on and answers them with a cursor; call again with that cursor for the next ones (nothing is missed in between, up to the newest 20,000 changes; \`truncated: true\` says some were dropped). Each change has path (relative to its root), type (create, update, delete; a rename is a delete and a create), agentId (whose worktree; null: the project checkout) and root. Your own worktree's changes are left out unless \`include_own\`. Use it to notice another agent touching files you depend on, or to wait for a build output. ${you}`,
      input: {
        cursor: z
          .string()
          .min(1)
          .max(64)
          .optional()
          .describe('the cursor of the last answer; omit it to start from now'),
        wait_seconds: waitSecondsInput(
          FILES_WAIT_MAX_MS / 1000,
          30,
          `how long to wait for a first change (0: answer at once; at most ${FILES_WAIT_MAX_MS / 1000})`,
        ),
        path_prefix: z.string().min(1).max(4096).optional().describe('only paths starting with this (`src/`)'),
        include_own: z.boolean().default(false).describe("your own worktree's changes too"),
        limit: z.number().int().min(1).max(1000).default(200),
        project: projectInput,
      },
      readOnly: true,
      run: async (args, ctx) => {
        const { waitMs, options } = waitingCall(args.wait_seconds);
        const answer = await ctx.call(
          'files.changes',
          {
            project: args.project,
            cursor: args.cursor,
            waitMs,
            limit: args.limit,
            prefix: args.path_prefix,
            ...(args.include_own ? {} : { excludeAgent: ctx.agent }),
          },
          options,
        );
        const changes = answer.changes.map(({ path, type, agentId, root }) => ({ path, type, agentId, root }));
        const next = answer.more ? 'More are waiting: call again at once' : 'Call again to wait for the next';
        const head = changes.length === 0 ? 'No changes.' : `${changes.length} change(s).`;
        const body = JSON.stringify({
          cursor: answer.cursor,
          changes,
          more: answer.more,
          truncated: answer.truncated,
        });
        return `${head} ${next}, with cursor ${answer.cursor}.\n${body}`;
      },
    }),
  ];
}
