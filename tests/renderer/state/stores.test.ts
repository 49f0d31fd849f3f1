// The reducers behind the UI's state: events change exactly what they name and nothing else.
import { describe, expect, it } from 'vitest';
import type { DevMeshEvent, ServiceStateEvent } from '../../../shared/events.js';
import type { ProjectInfo, ServiceInfo, ServiceState } from '../../../shared/service.js';
import { createProjectsStore } from '../../../renderer/state/projects-store.js';
import { createServicesStore } from '../../../renderer/state/services-store.js';
import { canRun } from '../../../renderer/services/service-actions.js';
import { createToastsStore } from '../../../renderer/state/toasts-store.js';
import { DevMeshError } from '../../../shared/errors.js';

const service = (name: string, over: Partial<ServiceInfo> = {}): ServiceInfo => ({
  project: 'shop',
  name,
  version: '1.0.0',
  state: 'stopped',
  port: null,
  pid: null,
  restarts: 0,
  startedAt: null,
  since: 1000,
  reason: null,
  autostart: true,
  dependsOn: [],
  ...over,
});

const stateEvent = (project: string, name: string, to: ServiceState, since = 2000): ServiceStateEvent => ({
  type: 'service.state',
  ts: since,
  project,
  service: name,
  from: 'starting',
  to,
  reason: `now ${to}`,
  info: service(name, { project, state: to, since, pid: to === 'healthy' ? 4242 : null, reason: `now ${to}` }),
});

const project = (id: string, over: Partial<ProjectInfo> = {}): ProjectInfo => ({
  id,
  root: `/src/${id}`,
  configPath: `/src/${id}/devmesh.yaml`,
  services: [],
  configError: null,
  ...over,
});

describe('services store', () => {
  const loaded = () => {
    const store = createServicesStore();
    store.getState().showProject('shop');
    store.getState().replace('shop', [service('auth'), service('api'), service('web')]);
    return store;
  };

  it('a service.state event replaces that one service and leaves the others untouched', () => {
    const store = loaded();
    const before = store.getState().byName;
    store.getState().applyEvent(stateEvent('shop', 'api', 'healthy'));
    const after = store.getState().byName;
    expect(after.api).toMatchObject({ state: 'healthy', pid: 4242, reason: 'now healthy' });
    expect(after.auth).toBe(before.auth);
    expect(after.web).toBe(before.web);
    expect(store.getState().names).toEqual(['auth', 'api', 'web']);
  });

  it('ignores events of another project', () => {
    const store = loaded();
    const before = store.getState();
    store.getState().applyEvent(stateEvent('blog', 'api', 'crashed'));
    expect(store.getState()).toBe(before);
    expect(store.getState().byName.api?.state).toBe('stopped');
  });

  it('ignores events that are not about services', () => {
    const store = loaded();
    const before = store.getState();
    store.getState().applyEvent({ type: 'project.closed', ts: 1, projectId: 'shop' });
    expect(store.getState()).toBe(before);
  });

  it('adds a service first seen in an event at the end of the table', () => {
    const store = loaded();
    store.getState().applyEvent(stateEvent('shop', 'worker', 'starting'));
    expect(store.getState().names).toEqual(['auth', 'api', 'web', 'worker']);
  });

  it('keeps an event newer than a list answer that was in flight', () => {
    const store = createServicesStore();
    store.getState().showProject('shop');
    store.getState().applyEvent(stateEvent('shop', 'api', 'healthy', 5000));
    store.getState().replace('shop', [service('api', { state: 'starting', since: 4000 }), service('web')]);
    expect(store.getState().byName.api?.state).toBe('healthy');
    expect(store.getState().names).toEqual(['api', 'web']);
  });

  it('drops a list answer for a project no longer shown', () => {
    const store = createServicesStore();
    store.getState().showProject('blog');
    store.getState().replace('shop', [service('api')]);
    expect(store.getState().names).toEqual([]);
  });

  it('selects the first service by default and keeps a selection that still exists', () => {
    const store = loaded();
    expect(store.getState().selectedName).toBe('auth');
    store.getState().selectService('web');
    store.getState().replace('shop', [service('web'), service('api')]);
    expect(store.getState().selectedName).toBe('web');
    store.getState().selectService('nope');
    expect(store.getState().selectedName).toBe('web');
  });
});

describe('projects store', () => {
  it('follows opened, reloaded, config-error and closed events', () => {
    const store = createProjectsStore();
    store.getState().setProjects([project('shop')]);
    expect(store.getState().selectedId).toBe('shop');

    store.getState().applyEvent({ type: 'project.opened', ts: 1, project: project('blog') });
    expect(store.getState().projects.map((p) => p.id)).toEqual(['shop', 'blog']);
    expect(store.getState().selectedId).toBe('shop');

    const configError: DevMeshEvent = {
      type: 'project.config-error',
      ts: 2,
      projectId: 'shop',
      message: 'services.api.port: expected a number',
    };
    store.getState().applyEvent(configError);
    expect(store.getState().projects[0]?.configError).toBe('services.api.port: expected a number');
    expect(store.getState().projects[1]?.configError).toBeNull();

    store
      .getState()
      .applyEvent({ type: 'project.reloaded', ts: 3, project: project('shop'), added: [], removed: [], changed: [] });
    expect(store.getState().projects[0]?.configError).toBeNull();

    store.getState().applyEvent({ type: 'project.closed', ts: 4, projectId: 'shop' });
    expect(store.getState().projects.map((p) => p.id)).toEqual(['blog']);
    expect(store.getState().selectedId).toBe('blog');
  });
});

describe('action availability', () => {
  it('offers Start only when the service is not running and Stop only when it is', () => {
    expect(canRun('start', 'stopped')).toBe(true);
    expect(canRun('start', 'healthy')).toBe(false);
    expect(canRun('stop', 'healthy')).toBe(true);
    expect(canRun('stop', 'stopped')).toBe(false);
    expect(canRun('stop', 'stopping')).toBe(false);
    expect(canRun('restart', 'unhealthy')).toBe(true);
    expect(canRun('restart', 'stopped')).toBe(false);
  });
});

describe('toasts store', () => {
  it('keeps the code and message of a DevMeshError and collapses repeats', () => {
    const store = createToastsStore();
    const err = new DevMeshError('PORT_BUSY', 'port 3000 is in use by pid 77');
    store.getState().push(err, 'start api');
    store.getState().push(err, 'start api');
    expect(store.getState().toasts).toEqual([
      { id: 1, code: 'PORT_BUSY', message: 'start api: port 3000 is in use by pid 77' },
    ]);
    store.getState().dismiss(1);
    expect(store.getState().toasts).toEqual([]);
  });
});
