// What a running agent has not seen yet, handed to it without polling: the unread messages to it (or to
// everyone) and the team events meant for it (notices). `agents.context` takes them: messages move the
// agent's read cursor (the same one MCP `read_messages` moves), notices leave the agent's queue, so each is
// delivered once. Claude Code's context hooks (`devmesh hook claude-user-prompt-submit|claude-post-tool-use`)
// call it; other CLIs get the same messages typed at their idle prompt.
import { z } from 'zod';
import { MessageSchema } from './message.js';

/** the Claude Code hook events that carry DevMesh's context (hookSpecificOutput.hookEventName) */
export const AGENT_CONTEXT_HOOK_EVENTS = ['UserPromptSubmit', 'PostToolUse'] as const;
export type AgentContextHookEvent = (typeof AGENT_CONTEXT_HOOK_EVENTS)[number];

/** the most messages / notices one take hands over; the rest wait for the next (or read_messages) */
export const AGENT_CONTEXT_MAX_ITEMS = 5;
/** the longest message body quoted whole in a context; longer ones are cut, naming read_messages */
export const AGENT_CONTEXT_MAX_BODY = 1_000;

/** a team event meant for one agent, in words (see main/core/agents/agent-notices.ts for which) */
export const AgentNoticeSchema = z.object({
  /** what happened, e.g. `lock.granted`, `task.awarded`, `agent.exited` */
  kind: z.string(),
  text: z.string(),
  ts: z.number(),
});
export type AgentNotice = z.infer<typeof AgentNoticeSchema>;

export const AgentContextInputSchema = z
  .object({
    /** the agent, by id or name (the hooks pass DEVMESH_AGENT_ID) */
    agent: z.string().min(1).max(128),
    /** messages and notices handed over at most (each), default AGENT_CONTEXT_MAX_ITEMS */
    limit: z.number().int().min(1).max(50).default(AGENT_CONTEXT_MAX_ITEMS),
  })
  .strict();

export const AgentContextSchema = z.object({
  /** taken now: marked read for the agent */
  messages: z.array(MessageSchema),
  /** taken now: gone from the agent's queue */
  notices: z.array(AgentNoticeSchema),
  /** unread messages still waiting after this take */
  moreMessages: z.number().int(),
  /** notices still queued after this take */
  moreNotices: z.number().int(),
  /** all of it as the short text an agent is given; null when nothing was new */
  text: z.string().nullable(),
});
export type AgentContext = z.infer<typeof AgentContextSchema>;
