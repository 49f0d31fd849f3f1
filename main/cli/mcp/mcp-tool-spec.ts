// What one MCP tool is (its spec and the context it runs with) and the input pieces several tools share.
// McpToolTable and the per-domain tool files (reminder-tools.ts, file-tools.ts) build their tools from these.
import { z } from 'zod';
import type { ApiInput, ApiMethod, ApiOutput } from '../../../shared/api.js';
import type { CallOptions } from '../api-client.js';
import type { LockTargetParser } from './lock-target-parser.js';

/** What a tool runs with: who the agent is and a way to call DevMesh. */
export interface ToolContext {
  agent: string;
  /** this MCP session: the locks it takes are its own (renewed while it lives, released when it ends) */
  session: string;
  call<M extends ApiMethod>(method: M, input: ApiInput<M>, options?: CallOptions): Promise<ApiOutput<M>>;
  targets: LockTargetParser;
}

export interface McpToolSpec<S extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: S;
  /** only reads (MCP's readOnlyHint: a client may run it without asking) */
  readOnly: boolean;
  /** answers the text the model reads; throws a DevMeshError on failure */
  run(args: z.output<z.ZodObject<S>>, ctx: ToolContext): Promise<string>;
}

/** types `run`'s arguments from `input`, then widens the spec so tools of different inputs share one list */
export function defineTool<S extends z.ZodRawShape>(spec: McpToolSpec<S>): McpToolSpec {
  return spec;
}

/** compact JSON: lists of tasks and locks can be long, and the model reads it fine */
export function toolJson(value: unknown): string {
  return JSON.stringify(value);
}

export const projectInput = z
  .string()
  .min(1)
  .max(4096)
  .optional()
  .describe('project id or root path; omit it to use your own project (or the only open one)');

/** slack over a wait in the daemon (lock queue, file changes) for the daemon's answer to arrive */
const CALL_SLACK_MS = 10_000;

/** `wait_seconds` of a tool whose call may wait in the daemon (a lock queue, a poll for file changes) */
export function waitSecondsInput(max: number, defaultSeconds: number, description: string) {
  return z.number().min(0).max(max).default(defaultSeconds).describe(description);
}

/** `wait_seconds` as the API's waitMs, and the call options that give the daemon's answer time to arrive */
export function waitingCall(waitSeconds: number): { waitMs: number; options: CallOptions } {
  const waitMs = Math.round(waitSeconds * 1000);
  return { waitMs, options: { timeoutMs: waitMs + CALL_SLACK_MS } };
}
