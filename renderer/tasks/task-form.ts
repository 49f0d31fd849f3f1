// What the New task form holds (text, as typed) and how it becomes a tasks.create input: lists are split on
// commas and new lines, the rest is checked by the contract's own schema, each problem put beside its field.
import { TaskCreateInputSchema, type TaskCreateInput } from '../../shared/task.js';

export interface TaskFormValues {
  title: string;
  prompt: string;
  /** globs, comma or line separated */
  files: string;
  capabilities: string;
  priority: string;
  /** task ids, comma or space separated */
  dependsOn: string;
  criticRequired: boolean;
  /** a project id, or '' for the only open one */
  project: string;
}

export type TaskFormField = Exclude<keyof TaskFormValues, 'criticRequired'>;
export type TaskFormErrors = Partial<Record<TaskFormField | 'criticRequired', string>>;

export const initialTaskForm = (project: string | null): TaskFormValues => ({
  title: '',
  prompt: '',
  files: '',
  capabilities: '',
  priority: '0',
  dependsOn: '',
  criticRequired: false,
  project: project ?? '',
});

const splitList = (text: string, separators: RegExp) =>
  text
    .split(separators)
    .map((s) => s.trim())
    .filter((s) => s !== '');

export function checkTaskForm(
  values: TaskFormValues,
): { ok: true; input: TaskCreateInput } | { ok: false; errors: TaskFormErrors } {
  const priorityText = values.priority.trim();
  const priority = priorityText === '' ? 0 : Number(priorityText);
  if (!Number.isInteger(priority)) return { ok: false, errors: { priority: 'a whole number from -100 to 100' } };
  const input: TaskCreateInput = {
    title: values.title.trim(),
    prompt: values.prompt.trim(),
    files: splitList(values.files, /[,\n]/),
    capabilities: splitList(values.capabilities, /[,\s]+/).map((c) => c.toLowerCase()),
    priority,
    dependsOn: splitList(values.dependsOn, /[,\s]+/),
    criticRequired: values.criticRequired,
    ...(values.project ? { project: values.project } : {}),
  };
  const parsed = TaskCreateInputSchema.safeParse(input);
  if (parsed.success) return { ok: true, input };
  const errors: TaskFormErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0];
    if (typeof field !== 'string' || field === 'by' || field in errors) continue;
    const item = typeof issue.path[1] === 'number' ? ` (item ${issue.path[1] + 1})` : '';
    errors[field as TaskFormField] = `${issue.message}${item}`;
  }
  return { ok: false, errors };
}
