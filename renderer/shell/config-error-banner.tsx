// The project's devmesh.yaml no longer parses: DevMesh keeps running the last valid config, and says so.
import { useStore } from 'zustand';
import { useApp } from './app-context.js';

export function ConfigErrorBanner() {
  const { stores } = useApp();
  const project = useStore(stores.projects, (s) => s.projects.find((p) => p.id === s.selectedId) ?? null);
  if (!project?.configError) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="config-error-banner">
      <strong>{project.configPath} has an error.</strong> The last valid configuration is still running; fix the file
      and DevMesh reloads it.
      <pre className="banner-detail">{project.configError}</pre>
    </div>
  );
}
