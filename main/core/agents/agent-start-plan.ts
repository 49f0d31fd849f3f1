// What `agent start` asks for, checked before anything is made: the input against its schema, the profile and
// its arguments (unattended flags, the ones it needs), whether it takes a prompt, a free name, and the resource
// budget. Nothing is created here; the manager makes the worktree and launches from the plan.
import { basename } from 'node:path';
import { DevMeshError } from '../../../shared/errors.js';
import {
  AgentStartInputSchema,
  type AgentProfile,
  type AgentPromptMethod,
  type AgentRecord,
  type AgentResources,
  type AgentStartInput,
} from '../../../shared/agent.js';
import type { AgentProfiles } from './agent-profiles.js';
import { freeAgentName } from './agent-directory.js';
import type { ResourceBudget } from './resource-budget.js';
import { checkNeededArgs, unattendedArgs } from './unattended-mode.js';

export interface AgentStartPlan {
  input: AgentStartInput;
  profile: AgentProfile | null;
  command: string;
  args: string[];
  promptMethod: AgentPromptMethod;
  name: string;
  resources: AgentResources;
}

export interface AgentStartPlanDeps {
  profiles: AgentProfiles;
  budget: ResourceBudget;
  find(idOrName: string): AgentRecord | null;
  /** what the running agents hold of the budget */
  held(): AgentResources[];
}

/** Checks a start request and says what to launch; throws a DevMeshError that says how to fix a refusal. */
export function planAgentStart(raw: AgentStartInput, deps: AgentStartPlanDeps): AgentStartPlan {
  const parsed = AgentStartInputSchema.safeParse(raw);
  if (!parsed.success) {
    throw new DevMeshError(
      'BAD_REQUEST',
      `agent start: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ')}`,
    );
  }
  const input = parsed.data;
  const profile = input.profile !== undefined ? deps.profiles.get(input.profile) : null;
  const command = profile ? profile.executable : input.command!;
  const args = [...(profile?.args ?? []), ...unattendedArgs(profile, input), ...(input.args ?? [])];
  checkNeededArgs(profile, args);
  const promptMethod: AgentPromptMethod = profile ? profile.prompt : { kind: 'typed' };
  if (input.prompt !== undefined && promptMethod.kind === 'none') {
    throw new DevMeshError(
      'BAD_REQUEST',
      `${profile?.displayName ?? command} takes no initial prompt; start it without one and type the task in its terminal`,
    );
  }
  const name = input.name ?? freeAgentName(profile ? profile.id : basename(command), (n) => deps.find(n) !== null);
  if (deps.find(name)) {
    throw new DevMeshError(
      'CONFLICT',
      `an agent named "${name}" already exists; pick another name, or remove the old one (devmesh agent rm ${name})`,
    );
  }
  const resources: AgentResources = { ramGb: input.ramGb ?? 0, gpus: input.gpus ?? 0 };
  deps.budget.check(resources, deps.held(), `agent "${name}"`);
  return { input, profile, command, args, promptMethod, name, resources };
}
