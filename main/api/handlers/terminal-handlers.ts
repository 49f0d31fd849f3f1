// terminals.* and recordings.*: the PTY sessions (their bytes go through the stream endpoints) and the
// asciicast recordings they leave.
import type { RecordingStore } from '../../core/terminals/recording-store.js';
import type { TerminalManager } from '../../core/terminals/terminal-manager.js';
import type { HandlersOf } from './handlers.js';

export interface TerminalHandlersDeps {
  terminals: Pick<TerminalManager, 'list' | 'create' | 'input' | 'resize' | 'signal' | 'kill' | 'remove'>;
  recordings: Pick<RecordingStore, 'list' | 'read'>;
}

export function terminalHandlers({
  terminals,
  recordings,
}: TerminalHandlersDeps): HandlersOf<'terminals' | 'recordings'> {
  return {
    'terminals.list': () => terminals.list(),
    'terminals.create': (i) => terminals.create(i),
    'terminals.input': (i) => terminals.input(i.id, i.data),
    'terminals.resize': (i) => terminals.resize(i.id, i.cols, i.rows),
    'terminals.signal': (i) => terminals.signal(i.id, i.signal),
    'terminals.kill': (i) => terminals.kill(i.id),
    'terminals.remove': (i) => terminals.remove(i.id),
    'recordings.list': () => recordings.list(),
    'recordings.read': (i) => ({ cast: recordings.read(i.id) }),
  };
}
