// The New agent form's logic, outside React so it can be tested: the fields as typed (strings), the first
// choices, and the check that turns them into an agents.start input (and a usage budget to set once it runs)
// or says, per field, what to fix. The daemon checks again (resources, branch already taken, a CLI gone
// missing, unattended outside a worktree); its message is shown as is.
import { AgentNameSchema, AgentStartInputSchema, type AgentProfile, type AgentStartInput } from '../../shared/agent.js';
import type { UsageBudgetUnit } from '../../shared/usage.js';
import type { AgentProfileChoice } from './agents-sync.js';

export interface AgentFormValues {
  profile: string;
  name: string;
  role: string;
  prompt: string;
  /** a new branch to start the agent on, in a worktree DevMesh adds ('' = work in the project itself) */
  worktree: string;
  base: string;
  /** an open project's id, whose root the agent works in ('' = the directory in `cwd`) */
  project: string;
  /** an absolute directory, when no project is picked */
  cwd: string;
  ramGb: string;
  gpus: string;
  /** run without permission prompts (the profile's flag); only with a worktree branch */
  unattended: boolean;
  /** relaunch it when its CLI crashes (the daemon's default) */
  supervise: boolean;
  /** a spending limit set once it runs ('' = none), in `budgetUnit` */
  budget: string;
  budgetUnit: UsageBudgetUnit;
}

export type AgentFormField = keyof AgentFormValues;
/** the fields typed as text (the switches and the unit are set by their own controls) */
export type AgentTextField = Exclude<AgentFormField, 'unattended' | 'supervise' | 'budgetUnit'>;
export type AgentFormErrors = Partial<Record<AgentFormField, string>>;
/** a budget is not part of agents.start: the form sets it with usage.setBudget once the agent runs */
export interface AgentStartBudget {
  unit: UsageBudgetUnit;
  limit: number;
}
export type AgentFormCheck =
  { ok: true; input: AgentStartInput; budget?: AgentStartBudget } | { ok: false; errors: AgentFormErrors };

/**
 * Whether a profile can start unattended, in words for the form: its flag and whether DevMesh read the CLI's
 * documentation to confirm it, or why the switch is off (no worktree branch, a CLI without such a flag).
 */
export function unattendedNote(profile: AgentProfile | undefined, worktree: string): { can: boolean; note: string } {
  if (!profile) return { can: false, note: 'pick an agent CLI' };
  const u = profile.unattended;
  if (!u) return { can: false, note: `${profile.displayName} has no flag for running without permission prompts` };
  const flag = u.args.join(' ');
  const source = u.checked ? `confirmed in its documentation (${u.docs})` : `not confirmed against ${u.docs}`;
  if (worktree.trim() === '') {
    return {
      can: false,
      note: `only in a worktree branch of its own, so its unprompted edits stay off your checkout (${flag})`,
    };
  }
  return { can: true, note: `launches with ${flag}: ${source}` };
}

/** The first installed CLI, the open project, everything else empty. */
export function initialAgentForm(choices: readonly AgentProfileChoice[], project: string | null): AgentFormValues {
  const installed = choices.find((c) => c.detection.installed);
  return {
    profile: installed?.profile.id ?? '',
    name: '',
    role: '',
    prompt: '',
    worktree: '',
    base: '',
    project: project ?? '',
    cwd: '',
    ramGb: '',
    gpus: '',
    unattended: false,
    supervise: true,
    budget: '',
    budgetUnit: 'usd',
  };
}

/** Why git would refuse `name` as a new branch (the rules of `git check-ref-format --branch`), or null. */
export function branchNameProblem(name: string): string | null {
  // eslint-disable-next-line no-control-regex -- git refuses control characters in branch names
  if (/[\s\x00-\x1f\x7f~^:?*[\\]/.test(name)) return 'no spaces or any of ~ ^ : ? * [ \\';
  if (name.startsWith('-')) return 'cannot start with -';
  if (name.includes('..') || name.includes('@{') || name === '@') return 'no "..", "@{" or a lone "@"';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return 'no leading, trailing or doubled /';
  if (name.endsWith('.') || name.endsWith('.lock') || name.split('/').some((part) => part.startsWith('.'))) {
    return 'no part may start with "." and it may not end with "." or ".lock"';
  }
  return null;
}

/** A number field: '' is "not given"; anything else must be a number ≥ 0 (a whole one when `integer`). */
function amount(text: string, integer: boolean): { value?: number; error?: string } {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  const value = Number(trimmed);
  if (!Number.isFinite(value) || value < 0) return { error: 'a number of 0 or more' };
  if (integer && !Number.isInteger(value)) return { error: 'a whole number' };
  return { value };
}

export function checkAgentForm(values: AgentFormValues, choices: readonly AgentProfileChoice[]): AgentFormCheck {
  const errors: AgentFormErrors = {};
  const choice = choices.find((c) => c.profile.id === values.profile);
  if (!choice) errors.profile = 'pick an agent CLI';
  else if (!choice.detection.installed)
    errors.profile = `${choice.profile.displayName} is not installed: ${choice.detection.installHint}`;

  const name = values.name.trim();
  if (name !== '') {
    const parsed = AgentNameSchema.safeParse(name);
    if (!parsed.success) errors.name = parsed.error.issues[0]?.message ?? 'not a valid name';
  }
  const worktree = values.worktree.trim();
  const base = values.base.trim();
  if (worktree !== '') {
    const problem = branchNameProblem(worktree);
    if (problem) errors.worktree = `not a branch name git accepts: ${problem}`;
  } else if (base !== '') {
    errors.base = 'a base only matters with a new worktree branch';
  }
  const cwd = values.cwd.trim();
  if (values.project === '') {
    if (cwd === '') errors.cwd = 'pick a project, or give the directory the agent works in';
    else if (!/^(\/|[A-Za-z]:[\\/])/.test(cwd)) errors.cwd = 'an absolute path (/home/me/repo)';
  }
  const ram = amount(values.ramGb, false);
  const gpus = amount(values.gpus, true);
  if (ram.error) errors.ramGb = ram.error;
  if (gpus.error) errors.gpus = gpus.error;
  const budget = amount(values.budget, false);
  if (budget.error) errors.budget = budget.error;
  else if (budget.value === 0) errors.budget = 'more than 0 (leave it empty for no budget)';
  const unattended = values.unattended && unattendedNote(choice?.profile, worktree).can;
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const input: AgentStartInput = {
    profile: values.profile,
    ...(name !== '' ? { name } : {}),
    ...(values.role.trim() !== '' ? { role: values.role.trim() } : {}),
    // The prompt goes as typed (its own line breaks and spacing are the user's), only blank means none.
    ...(values.prompt.trim() !== '' ? { prompt: values.prompt } : {}),
    ...(worktree !== '' ? { worktree } : {}),
    ...(worktree !== '' && base !== '' ? { base } : {}),
    ...(values.project !== '' ? { project: values.project } : { cwd }),
    ...(ram.value !== undefined ? { ramGb: ram.value } : {}),
    ...(gpus.value !== undefined ? { gpus: gpus.value } : {}),
    // Both only when they differ from the daemon's defaults (supervised, with prompts).
    ...(values.supervise ? {} : { supervise: false }),
    ...(unattended ? { unattended: true } : {}),
  };
  // The contract's own limits (lengths, ranges), so the form never sends what the daemon must refuse.
  const parsed = AgentStartInputSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? 'profile');
      const field = (key in values ? key : 'profile') as AgentFormField;
      errors[field] ??= issue.message;
    }
    return { ok: false, errors };
  }
  if (budget.value === undefined) return { ok: true, input };
  return { ok: true, input, budget: { unit: values.budgetUnit, limit: budget.value } };
}
