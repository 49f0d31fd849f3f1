// files.*: what changed in the watched folders (projects' checkouts, agents' worktrees), for MCP watch_files
// and the faces, and which folders are watched.
import type { FilesModule } from '../../core/files/files-module.js';
import type { HandlersOf } from './handlers.js';

export interface FileHandlersDeps {
  files: Pick<FilesModule, 'changes' | 'list'>;
}

export function fileHandlers({ files }: FileHandlersDeps): HandlersOf<'files'> {
  return {
    'files.changes': (i) => files.changes(i),
    'files.watched': () => files.list(),
  };
}
