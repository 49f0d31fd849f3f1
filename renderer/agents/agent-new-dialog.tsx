// The New agent form, as a modal over the Terminals view: which CLI (installed ones selectable, the others
// shown with how to install them), a name, role, initial prompt, a worktree branch, declared RAM / GPUs and
// where it works; whether it is relaunched after a crash (supervised, on by default), whether it runs
// unattended (without permission prompts: only on a worktree branch, with the CLI's flag and whether its
// documentation confirmed it), and a token or dollar budget, set with usage.setBudget once it runs. What the
// form checks lives in agent-start-form.ts; what the daemon refuses (over the resource budget, a branch that
// exists, a CLI gone missing) is shown in the form in the daemon's own words. On success the dialog closes and
// the agent's terminal tab is brought forward (AgentsSync.start); a budget the daemon then refuses is a toast.
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { AgentProfileChoice } from './agents-sync.js';
import { useApp } from '../shell/app-context.js';
import {
  checkAgentForm,
  initialAgentForm,
  type AgentFormErrors,
  type AgentFormField,
  type AgentFormValues,
  type AgentTextField,
  unattendedNote,
} from './agent-start-form.js';
import { useDrawer } from '../common/use-drawer.js';

type Choices =
  { state: 'loading' } | { state: 'failed'; message: string } | { state: 'ready'; list: AgentProfileChoice[] };

export function AgentNewDialog({ onClose }: { onClose(): void }) {
  const { stores, agents } = useApp();
  const projects = useStore(stores.projects, (s) => s.projects);
  const connected = useStore(stores.connection, (s) => s.status.state === 'open');
  const [choices, setChoices] = useState<Choices>({ state: 'loading' });
  const [values, setValues] = useState<AgentFormValues | null>(null);
  const [errors, setErrors] = useState<AgentFormErrors>({});
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const titleId = useId();
  const first = useRef<HTMLSelectElement>(null);

  useEffect(() => {
    let live = true;
    void agents.profiles().then((result) => {
      if (!live) return;
      if (!result.ok) return setChoices({ state: 'failed', message: result.message });
      setChoices({ state: 'ready', list: result.value });
      setValues(initialAgentForm(result.value, stores.projects.getState().selectedId));
    });
    return () => {
      live = false;
    };
  }, [agents, stores.projects]);
  const ready = values !== null;
  useEffect(() => {
    if (ready) first.current?.focus();
  }, [ready]);
  // Escape closes it and gives the focus back to New agent; the focus is in the form meanwhile.
  const dialog = useRef<HTMLDivElement>(null);
  useDrawer(onClose, { ref: dialog });

  const set = (field: AgentTextField) => (e: { target: { value: string } }) => {
    const value = e.target.value;
    setValues((v) => {
      if (!v) return v;
      const next = { ...v, [field]: value };
      // No worktree branch, no unattended: the switch goes off with the branch, not silently at Start.
      return field === 'worktree' && value.trim() === '' ? { ...next, unattended: false } : next;
    });
    setErrors(({ [field]: _fixed, ...rest }) => rest);
  };
  const toggle = (field: 'unattended' | 'supervise') => (e: { target: { checked: boolean } }) => {
    const checked = e.target.checked;
    setValues((v) => (v ? { ...v, [field]: checked } : v));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (choices.state !== 'ready' || values === null || busy) return;
    const check = checkAgentForm(values, choices.list);
    if (!check.ok) return setErrors(check.errors);
    setBusy(true);
    setRefusal(null);
    const result = await agents.start(check.input);
    if (result.ok && check.budget) {
      const budget = await agents.setBudget(result.value.id, check.budget);
      if (!budget.ok) {
        const { code, message } = budget;
        stores.toasts.getState().notify(code, `${result.value.name} started without its budget: ${message}`);
      }
    }
    setBusy(false);
    if (result.ok) onClose();
    else setRefusal(result.message);
  };

  const list = choices.state === 'ready' ? choices.list : [];
  const missing = list.filter((c) => !c.detection.installed);
  const picked = list.find((c) => c.profile.id === values?.profile)?.profile;
  const unattended = unattendedNote(picked, values?.worktree ?? '');
  const field = (name: AgentFormField, label: string, control: ReactNode, hint?: string) => (
    <label className="agent-field">
      <span className="agent-field-label">{label}</span>
      {control}
      {errors[name] ? (
        <span className="agent-field-error" data-testid={`agent-error-${name}`}>
          {errors[name]}
        </span>
      ) : hint ? (
        <span className="agent-field-hint">{hint}</span>
      ) : null}
    </label>
  );

  return (
    <div className="agent-dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={dialog}
        tabIndex={-1}
        className="agent-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid="agent-new-dialog"
      >
        {/* the box is the dialog, the form inside it (a form may not take the dialog role) */}
        <form className="dialog-form" onSubmit={(e) => void submit(e)}>
          <h2 id={titleId}>New agent</h2>
          {choices.state === 'loading' && <div className="empty">Looking for agent CLIs…</div>}
          {choices.state === 'failed' && (
            <div className="banner banner-warn" role="alert">
              could not list the agent CLIs: {choices.message}
            </div>
          )}
          {values !== null && (
            <>
              {field(
                'profile',
                'Agent CLI',
                <select ref={first} value={values.profile} onChange={set('profile')} data-testid="agent-profile">
                  {values.profile === '' && <option value="">(none installed)</option>}
                  {list.map(({ profile, detection }) => (
                    <option key={profile.id} value={profile.id} disabled={!detection.installed}>
                      {profile.displayName}
                      {detection.installed ? (detection.version ? ` (${detection.version})` : '') : ' (not installed)'}
                    </option>
                  ))}
                </select>,
              )}
              {missing.length > 0 && (
                <details className="agent-missing" data-testid="agent-missing">
                  <summary>Not installed: {missing.map((c) => c.profile.displayName).join(', ')}</summary>
                  <ul>
                    {missing.map(({ profile, detection }) => (
                      <li key={profile.id}>
                        {profile.displayName}: <code>{detection.installHint}</code>
                      </li>
                    ))}
                  </ul>
                </details>
              )}
              <div className="agent-row">
                {field(
                  'name',
                  'Name',
                  <input
                    value={values.name}
                    onChange={set('name')}
                    placeholder="(from the CLI)"
                    data-testid="agent-name"
                  />,
                )}
                {field(
                  'role',
                  'Role',
                  <input
                    value={values.role}
                    onChange={set('role')}
                    placeholder="optional"
                    maxLength={128}
                    data-testid="agent-role"
                  />,
                )}
              </div>
              {field(
                'prompt',
                'Initial prompt',
                <textarea
                  value={values.prompt}
                  onChange={set('prompt')}
                  rows={3}
                  placeholder="optional: the task"
                  data-testid="agent-prompt"
                />,
              )}
              <div className="agent-row">
                {field(
                  'worktree',
                  'Worktree branch',
                  <input
                    value={values.worktree}
                    onChange={set('worktree')}
                    placeholder="optional: a new branch"
                    data-testid="agent-worktree"
                  />,
                )}
                {field(
                  'base',
                  'From',
                  <input
                    value={values.base}
                    onChange={set('base')}
                    placeholder="HEAD"
                    disabled={values.worktree.trim() === ''}
                    data-testid="agent-base"
                  />,
                )}
              </div>
              <div className="agent-row">
                {field(
                  'ramGb',
                  'RAM (GB)',
                  <input
                    value={values.ramGb}
                    onChange={set('ramGb')}
                    inputMode="decimal"
                    placeholder="0"
                    data-testid="agent-ram"
                  />,
                )}
                {field(
                  'gpus',
                  'GPUs',
                  <input
                    value={values.gpus}
                    onChange={set('gpus')}
                    inputMode="numeric"
                    placeholder="0"
                    data-testid="agent-gpus"
                  />,
                )}
              </div>
              <div className="agent-row">
                {field(
                  'budget',
                  'Budget',
                  <input
                    value={values.budget}
                    onChange={set('budget')}
                    inputMode="decimal"
                    placeholder="none"
                    data-testid="agent-budget"
                  />,
                  'warns at 80%, stops it past the limit',
                )}
                <label className="agent-field">
                  <span className="agent-field-label">Budget in</span>
                  <select
                    value={values.budgetUnit}
                    onChange={(e) => {
                      const unit = e.target.value === 'tokens' ? 'tokens' : 'usd';
                      setValues((v) => (v ? { ...v, budgetUnit: unit } : v));
                    }}
                    data-testid="agent-budget-unit"
                  >
                    <option value="usd">US dollars</option>
                    <option value="tokens">tokens</option>
                  </select>
                </label>
              </div>
              <label className="toggle">
                <input
                  type="checkbox"
                  checked={values.supervise}
                  onChange={toggle('supervise')}
                  aria-describedby={`${titleId}-supervise`}
                  data-testid="agent-supervise"
                />
                Supervised: relaunch it when its CLI crashes
              </label>
              <span id={`${titleId}-supervise`} className="agent-field-hint">
                with backoff, continuing its task; a clean exit is not a crash, and a crash loop stops
              </span>
              <label className="toggle">
                <input
                  type="checkbox"
                  checked={values.unattended && unattended.can}
                  disabled={!unattended.can}
                  onChange={toggle('unattended')}
                  aria-describedby={`${titleId}-unattended`}
                  data-testid="agent-unattended"
                />
                Unattended: no permission prompts
              </label>
              <span id={`${titleId}-unattended`} className="agent-field-hint" data-testid="agent-unattended-note">
                {unattended.note}
              </span>
              <UnattendedFlags list={list} />
              {field(
                'project',
                'Works in',
                <select value={values.project} onChange={set('project')} data-testid="agent-project">
                  {projects.map((p) => (
                    <option key={p.id} value={p.id}>
                      project {p.id}
                    </option>
                  ))}
                  <option value="">another directory…</option>
                </select>,
              )}
              {values.project === '' &&
                field(
                  'cwd',
                  'Directory',
                  <input
                    value={values.cwd}
                    onChange={set('cwd')}
                    placeholder="/absolute/path"
                    data-testid="agent-cwd"
                  />,
                )}
            </>
          )}
          {refusal !== null && (
            <div className="banner banner-warn agent-refusal" role="alert" data-testid="agent-start-error">
              {refusal}
            </div>
          )}
          <div className="agent-dialog-actions">
            <button type="button" className="btn" onClick={onClose}>
              Cancel
            </button>
            <button
              type="submit"
              className="btn btn-start"
              disabled={values === null || values.profile === '' || busy || !connected}
              data-testid="agent-start"
            >
              {busy ? 'Starting…' : 'Start'}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}

/** Every CLI's unattended flag, and whether DevMesh confirmed it in the CLI's documentation. */
function UnattendedFlags({ list }: { list: AgentProfileChoice[] }) {
  if (list.length === 0) return null;
  return (
    <details className="agent-missing" data-testid="agent-unattended-flags">
      <summary>Unattended flags of each CLI</summary>
      <ul>
        {list.map(({ profile }) => (
          <li key={profile.id} data-testid={`agent-unattended-flag-${profile.id}`}>
            {profile.displayName}:{' '}
            {profile.unattended ? (
              <>
                <code>{profile.unattended.args.join(' ')}</code>{' '}
                {profile.unattended.checked ? 'confirmed in ' : 'not confirmed; see '}
                <a href={profile.unattended.docs} target="_blank" rel="noopener noreferrer">
                  its documentation
                </a>
                {profile.builtin ? '' : ' (your config)'}
              </>
            ) : (
              'none'
            )}
          </li>
        ))}
      </ul>
    </details>
  );
}
