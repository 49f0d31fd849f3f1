// The open projects and which one the UI shows. Kept in step with project.* events between refetches.
import { createStore } from 'zustand/vanilla';
import type { DevMeshEvent } from '../../shared/events.js';
import type { ProjectInfo } from '../../shared/service.js';

export interface ProjectsState {
  projects: ProjectInfo[];
  selectedId: string | null;
  loaded: boolean;
  setProjects(projects: ProjectInfo[]): void;
  select(id: string): void;
  applyEvent(event: DevMeshEvent): void;
}

/** Keeps the current choice while it is still open, else the first main project (a worktree copy's services
 * are shown under it), else the first. */
const pick = (projects: ProjectInfo[], current: string | null): string | null =>
  current !== null && projects.some((p) => p.id === current)
    ? current
    : (projects.find((p) => !p.worktree)?.id ?? projects[0]?.id ?? null);

const upsert = (projects: ProjectInfo[], project: ProjectInfo): ProjectInfo[] =>
  projects.some((p) => p.id === project.id)
    ? projects.map((p) => (p.id === project.id ? project : p))
    : [...projects, project];

export const createProjectsStore = () =>
  createStore<ProjectsState>()((set) => ({
    projects: [],
    selectedId: null,
    loaded: false,
    setProjects: (projects) => set((s) => ({ projects, loaded: true, selectedId: pick(projects, s.selectedId) })),
    select: (id) => set((s) => (s.projects.some((p) => p.id === id) ? { selectedId: id } : s)),
    applyEvent: (event) =>
      set((s) => {
        switch (event.type) {
          case 'project.opened':
          case 'project.reloaded':
          case 'project.identified': {
            const projects = upsert(s.projects, event.project);
            return { projects, selectedId: pick(projects, s.selectedId) };
          }
          case 'project.closed': {
            const projects = s.projects.filter((p) => p.id !== event.projectId);
            return { projects, selectedId: pick(projects, s.selectedId) };
          }
          case 'project.config-error':
            return {
              projects: s.projects.map((p) => (p.id === event.projectId ? { ...p, configError: event.message } : p)),
            };
          default:
            return s;
        }
      }),
  }));

export type ProjectsStore = ReturnType<typeof createProjectsStore>;
