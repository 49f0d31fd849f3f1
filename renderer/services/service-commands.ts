// What the Services view offers the palette: start, stop or restart each service of the open project (only
// what its state allows, as the row's buttons do), show a service's log, and snapshot each database.
import type { DevMeshClient } from '../api/devmesh-client.js';
import type { Command, CommandSource } from '../commands/commands-store.js';
import { formatBytes } from '../common/format-traffic.js';
import type { AppStores } from '../state/app-stores.js';
import { canRun, type ServiceAction } from './service-actions.js';

const METHOD = { start: 'services.start', stop: 'services.stop', restart: 'services.restart' } as const;
const VERB: Record<ServiceAction, string> = { start: 'Start', stop: 'Stop', restart: 'Restart' };
const KEYWORDS: Record<ServiceAction, readonly string[]> = {
  start: ['run', 'up'],
  stop: ['kill', 'halt', 'down'],
  restart: ['reload', 'bounce'],
};

type Stores = Pick<AppStores, 'services' | 'view' | 'databases' | 'toasts'>;

export const serviceCommands =
  (client: DevMeshClient, stores: Stores): CommandSource =>
  (): Command[] => {
    const { projectId, names, byName } = stores.services.getState();
    if (projectId === null) return [];
    const commands: Command[] = [];
    for (const name of names) {
      const info = byName[name];
      if (!info) continue;
      commands.push({
        id: `service.log:${name}`,
        title: `Show the log of ${name}`,
        group: 'Services',
        keywords: ['logs', 'output', info.state],
        run: () => {
          stores.services.getState().selectService(name);
          stores.view.getState().show('services');
        },
      });
      for (const action of ['start', 'stop', 'restart'] as const) {
        if (!canRun(action, info.state)) continue;
        commands.push({
          id: `service.${action}:${name}`,
          title: `${VERB[action]} ${name}`,
          group: 'Services',
          keywords: KEYWORDS[action],
          run: () => client.call(METHOD[action], { project: projectId, name }),
        });
      }
    }
    return [...commands, ...databaseCommands(client, stores)];
  };

function databaseCommands(client: DevMeshClient, stores: Stores): Command[] {
  const { projectId, services, byService } = stores.databases.getState();
  if (projectId === null) return [];
  return services
    .filter((service) => byService[service] !== undefined)
    .map((service) => ({
      id: `database.snapshot:${service}`,
      title: `Snapshot the database ${service}`,
      group: 'Databases',
      keywords: ['backup', 'save', byService[service]!.engine],
      run: async () => {
        const snapshot = await client.call('databases.snapshot', { project: projectId, service });
        stores.databases.getState().upsertSnapshot(snapshot);
        stores.toasts
          .getState()
          .notify('SNAPSHOT', `Took snapshot ${snapshot.name} of ${service} (${formatBytes(snapshot.sizeBytes)}).`);
      },
    }));
}
