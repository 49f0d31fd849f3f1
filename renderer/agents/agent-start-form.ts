// The New agent form's logic, outside React so it can be tested: the fields as typed (strings), the first
// choices, and the check that turns them into an agents.start input or says, per field, what to fix. The
// daemon checks again (budget, branch already taken, a CLI gone missing); its message is shown as is.
import { AgentNameSchema, AgentStartInputSchema, type AgentStartInput } from '../../shared/agent.js';
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
}

export type AgentFormField = keyof AgentFormValues;
export type AgentFormErrors = Partial<Record<AgentFormField, string>>;
export type AgentFormCheck = { ok: true; input: AgentStartInput } | { ok: false; errors: AgentFormErrors };

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
  return { ok: true, input };
}
