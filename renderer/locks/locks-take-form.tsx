// The human takes a lock: a path (a directory ends in /, a glob has * ? [ or {), a mode, the project and how
// long it lives (nothing renews a person's lock: it lasts what is chosen here, by default what `devmesh locks
// take` gives, LOCK_TTL_UNRENEWED_MS). A blocked request is refused at once, in the daemon's words, which
// name the holders in the way.
import { useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { LOCK_MODES, LOCK_TTL_UNRENEWED_MS, type LockMode } from '../../shared/lock.js';
import { useApp } from '../shell/app-context.js';
import { useCoordination } from '../command-center/command-center-syncs.js';

const TTL_CHOICES = [
  { minutes: 15, label: '15 min' },
  { minutes: 60, label: '1 hour' },
  { minutes: 240, label: '4 hours' },
  { minutes: 1440, label: '24 hours' },
];
/** the same lifetime as a lock taken with `devmesh locks take` */
const DEFAULT_TTL_MINUTES = LOCK_TTL_UNRENEWED_MS / 60_000;

export function LocksTakeForm() {
  const { stores } = useApp();
  const { locks } = useCoordination();
  const projects = useStore(stores.projects, (s) => s.projects);
  const selected = useStore(stores.projects, (s) => s.selectedId);
  const [path, setPath] = useState('');
  const [mode, setMode] = useState<LockMode>('WRITE');
  const [project, setProject] = useState<string>('');
  const [ttl, setTtl] = useState(DEFAULT_TTL_MINUTES);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setRefusal(null);
    const result = await locks.take({ path, mode, project: project || selected || undefined, ttlMs: ttl * 60_000 });
    setBusy(false);
    if (result.ok) setPath('');
    else setRefusal(result.message);
  };

  return (
    <form className="coord-form coord-inline-form" data-testid="lock-take-form" onSubmit={(e) => void submit(e)}>
      <input
        className="coord-input coord-grow mono"
        placeholder="path, dir/ or glob (src/auth/**)"
        value={path}
        onChange={(e) => setPath(e.target.value)}
        aria-label="Path to lock"
        data-testid="lock-take-path"
      />
      <select
        className="coord-input"
        value={mode}
        onChange={(e) => setMode(e.target.value as LockMode)}
        aria-label="Mode"
        data-testid="lock-take-mode"
      >
        {LOCK_MODES.map((m) => (
          <option key={m} value={m}>
            {m}
          </option>
        ))}
      </select>
      {projects.length > 1 && (
        <select
          className="coord-input"
          value={project || selected || ''}
          onChange={(e) => setProject(e.target.value)}
          aria-label="Project"
        >
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.id}
            </option>
          ))}
        </select>
      )}
      <select
        className="coord-input"
        value={ttl}
        onChange={(e) => setTtl(Number(e.target.value))}
        aria-label="Lives for"
        title="Nothing renews a lock you take here: it lasts this long unless you release it first"
      >
        {TTL_CHOICES.map((c) => (
          <option key={c.minutes} value={c.minutes}>
            {c.label}
          </option>
        ))}
      </select>
      <button type="submit" className="btn" disabled={busy || path.trim() === ''} data-testid="lock-take-submit">
        Take lock
      </button>
      {refusal && (
        <div className="coord-refusal" role="alert" data-testid="lock-take-refusal">
          {refusal}
        </div>
      )}
    </form>
  );
}
