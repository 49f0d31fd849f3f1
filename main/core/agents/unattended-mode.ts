// Unattended mode: an agent launched with its CLI's own flag for running without permission prompts. Opt-in
// per agent, and only in a worktree DevMesh makes for it (a branch of its own, reviewed before it lands), never
// in the user's checkout. The flags, with their documents and whether those were read, are in agent-profiles.ts.
import type { AgentProfile, AgentStartInput } from '../../../shared/agent.js';
import { DevMeshError } from '../../../shared/errors.js';

/** The arguments a start adds for unattended mode (none when it was not asked); throws when it is not allowed. */
export function unattendedArgs(profile: AgentProfile | null, input: AgentStartInput): string[] {
  if (input.unattended !== true) return [];
  const who = profile?.displayName ?? input.command ?? 'the agent';
  if (input.worktree === undefined) {
    throw new DevMeshError(
      'BAD_REQUEST',
      `agent start: unattended mode runs ${who} without permission prompts, so DevMesh allows it only in a worktree it makes; add a branch for one (--worktree <branch>) or start it attended`,
    );
  }
  if (!profile) {
    throw new DevMeshError(
      'BAD_REQUEST',
      `agent start: DevMesh knows no unattended flag for the command ${input.command}; start it attended and give its flag yourself among its arguments`,
    );
  }
  if (!profile.unattended) {
    throw new DevMeshError(
      'BAD_REQUEST',
      `agent start: ${profile.displayName} has no flag for running without permission prompts; start it attended`,
    );
  }
  return [...profile.unattended.args];
}

/** Refuses a start that lacks arguments its profile needs (ollama's model). */
export function checkNeededArgs(profile: AgentProfile | null, args: readonly string[]): void {
  if (!profile?.needsArgs || args.length >= profile.needsArgs.min) return;
  throw new DevMeshError('BAD_REQUEST', `agent start: ${profile.displayName} needs ${profile.needsArgs.hint}`);
}
