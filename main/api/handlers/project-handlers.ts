// projects.*, services.*, logs.page and logs.search: the calls about a project's services, by project and
// service name.
import { LOG_LEVELS, parseLogQuery } from '../../../shared/log-query.js';
import type { LogStore } from '../../core/logs/log-store.js';
import type { ProjectCommands } from '../../core/projects/project-commands.js';
import type { HandlersOf } from './handlers.js';

export interface ProjectHandlersDeps {
  commands: ProjectCommands;
  logs: Pick<LogStore, 'page' | 'search'>;
}

export function projectHandlers({
  commands,
  logs,
}: ProjectHandlersDeps): Omit<HandlersOf<'projects' | 'services' | 'logs'>, 'projects.git'> {
  return {
    'projects.list': () => commands.list(),
    'projects.open': (i) => commands.open(i.root),
    'projects.openWorktree': (i) => commands.openWorktree(i.project, i.worktree),
    'projects.close': async (i) => ({ closed: await commands.close(i.project) }),
    'services.list': (i) => commands.services(i.project),
    'services.start': (i) => commands.start(i.project, i.name, { wait: i.wait }),
    'services.stop': (i) => commands.stop(i.project, i.name),
    'services.restart': (i) => commands.restart(i.project, i.name, { wait: i.wait }),
    'services.startAll': (i) => commands.startAll(i.project, { wait: i.wait }),
    'services.stopAll': (i) => commands.stopAll(i.project),
    'logs.page': (i) => {
      const project = commands.idOf(i.project, i.name);
      return logs.page({ project, service: i.name, before: i.before, limit: i.limit, search: i.search });
    },
    'logs.search': (i) => {
      const query = parseLogQuery(i.query);
      return logs.search({
        project: commands.idOf(i.project),
        query,
        services: i.services,
        since: i.since,
        until: i.until,
        minLevel: i.level === undefined ? undefined : LOG_LEVELS[i.level],
        limit: i.limit,
        cursor: i.cursor,
        count: i.count,
      });
    },
  };
}
