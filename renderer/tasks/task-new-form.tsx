// The New task form of the command center: title, prompt, the files it will touch (globs), the capabilities
// it needs, priority, what it depends on, whether a critic reviews it, and the project. Checked by
// task-form.ts; what the daemon refuses is shown in its own words. Escape (or Close) puts it away.
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../shell/app-context.js';
import { useCoordination } from '../command-center/command-center-syncs.js';
import {
  checkTaskForm,
  initialTaskForm,
  type TaskFormErrors,
  type TaskFormField,
  type TaskFormValues,
} from './task-form.js';
import { useDrawer } from '../common/use-drawer.js';

/** `returnFocus`: where the focus goes when Escape closes the form (the New task button). */
export function TaskNewForm({ onDone, returnFocus }: { onDone(): void; returnFocus?: () => HTMLElement | null }) {
  const { stores } = useApp();
  const { tasks } = useCoordination();
  const projects = useStore(stores.projects, (s) => s.projects);
  const [values, setValues] = useState<TaskFormValues>(() => initialTaskForm(stores.projects.getState().selectedId));
  const [errors, setErrors] = useState<TaskFormErrors>({});
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  useDrawer(onDone, { ref: form, returnFocus });

  const set = (field: TaskFormField) => (e: { target: { value: string } }) => {
    const value = e.target.value;
    setValues((v) => ({ ...v, [field]: value }));
    setErrors(({ [field]: _fixed, ...rest }) => rest);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const check = checkTaskForm(values);
    if (!check.ok) return setErrors(check.errors);
    setBusy(true);
    setRefusal(null);
    const result = await tasks.create(check.input);
    setBusy(false);
    if (!result.ok) return setRefusal(result.message);
    setValues(initialTaskForm(values.project || null));
    onDone();
  };

  const field = (name: TaskFormField, label: string, control: ReactNode, hint?: string) => (
    <label className="coord-field">
      <span className="coord-field-label">{label}</span>
      {control}
      {errors[name] ? (
        <span className="coord-field-error" data-testid={`task-error-${name}`}>
          {errors[name]}
        </span>
      ) : hint ? (
        <span className="coord-field-hint">{hint}</span>
      ) : null}
    </label>
  );

  return (
    <form
      ref={form}
      tabIndex={-1}
      className="coord-form task-new-form"
      data-testid="task-new-form"
      onSubmit={(e) => void submit(e)}
    >
      {field(
        'title',
        'Title',
        <input
          className="coord-input"
          value={values.title}
          onChange={set('title')}
          data-testid="task-title"
          autoFocus
        />,
      )}
      {field(
        'prompt',
        'Prompt',
        <textarea
          className="coord-input"
          rows={4}
          value={values.prompt}
          onChange={set('prompt')}
          data-testid="task-prompt"
        />,
        'typed into the winning agent’s terminal',
      )}
      <div className="coord-row">
        {field(
          'files',
          'Files',
          <input
            className="coord-input mono"
            value={values.files}
            onChange={set('files')}
            placeholder="src/auth/**, README.md"
            data-testid="task-files"
          />,
          'globs under the project root, locked for the winner',
        )}
        {field(
          'capabilities',
          'Capabilities',
          <input
            className="coord-input"
            value={values.capabilities}
            onChange={set('capabilities')}
            placeholder="typescript, tests"
            data-testid="task-capabilities"
          />,
        )}
      </div>
      <div className="coord-row">
        {field(
          'priority',
          'Priority',
          <input
            className="coord-input"
            type="number"
            min={-100}
            max={100}
            value={values.priority}
            onChange={set('priority')}
            data-testid="task-priority"
          />,
        )}
        {field(
          'dependsOn',
          'Depends on',
          <input
            className="coord-input mono"
            value={values.dependsOn}
            onChange={set('dependsOn')}
            placeholder="task-…"
            data-testid="task-depends"
          />,
        )}
        {field(
          'project',
          'Project',
          <select className="coord-input" value={values.project} onChange={set('project')} data-testid="task-project">
            {projects.length !== 1 && <option value="">(the only open project)</option>}
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.id}
              </option>
            ))}
          </select>,
        )}
      </div>
      <label className="toggle">
        <input
          type="checkbox"
          checked={values.criticRequired}
          onChange={(e) => setValues((v) => ({ ...v, criticRequired: e.target.checked }))}
          data-testid="task-critic"
        />
        A critic reviews it once completed
      </label>
      {refusal && (
        <div className="coord-refusal" role="alert" data-testid="task-refusal">
          {refusal}
        </div>
      )}
      <div className="coord-actions">
        <button type="button" className="btn" onClick={onDone}>
          Close
        </button>
        <button type="submit" className="btn btn-start" disabled={busy} data-testid="task-create">
          Post task
        </button>
      </div>
    </form>
  );
}
