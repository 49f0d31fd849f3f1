// Which open project the table shows: a picker when there are several, the project's name otherwise. A
// worktree copy is named for its main project and branch (its services are grouped under the main one too).
import { useStore } from 'zustand';
import { useApp } from './app-context.js';

export function ProjectPicker() {
  const { stores } = useApp();
  const projects = useStore(stores.projects, (s) => s.projects);
  const selectedId = useStore(stores.projects, (s) => s.selectedId);
  if (projects.length === 0) return null;
  const current = projects.find((p) => p.id === selectedId);
  if (projects.length === 1) {
    return (
      <span className="project-name" title={current?.root}>
        {current?.id}
      </span>
    );
  }
  return (
    <select
      className="project-picker"
      data-testid="project-picker"
      aria-label="Project"
      value={selectedId ?? ''}
      onChange={(e) => stores.projects.getState().select(e.target.value)}
    >
      {projects.map((p) => (
        <option key={p.id} value={p.id} title={p.root}>
          {p.worktree ? `${p.worktree.of} ⎇ ${p.worktree.branch}` : p.id}
          {p.configError ? ' (config error)' : ''}
        </option>
      ))}
    </select>
  );
}
