// messages.* and state.*: messages between agents and people, and the shared key-value state (setting a
// key is an audited decision, answered once its entry is on disk).
import type { Coordination } from '../../core/coordination/coordination.js';
import type { MessageBoard } from '../../core/coordination/message-board.js';
import type { SharedState } from '../../core/coordination/shared-state.js';
import type { TeamMessages } from '../../core/team/team-messages.js';
import { aliveFor, type HandlersOf } from './handlers.js';

export interface MessageHandlersDeps {
  messages: Pick<MessageBoard, 'read' | 'list'>;
  /** sends to anyone on the mesh (this machine's board, or queued for teammates' machines) */
  team: Pick<TeamMessages, 'send'>;
  state: Pick<SharedState, 'get' | 'list'>;
  decisions: Pick<Coordination, 'setState'>;
  activity: (agentIdOrName: string) => void;
}

export function messageHandlers({
  messages,
  team,
  state,
  decisions,
  activity,
}: MessageHandlersDeps): HandlersOf<'messages' | 'state'> {
  const alive = aliveFor(activity);
  return {
    'messages.send': (i) => alive(i.from, team.send(i)),
    'messages.read': (i) => alive(i.reader, messages.read(i)),
    'messages.list': (i) => messages.list(i),
    'state.get': (i) => state.get(i.key),
    'state.set': (i) => alive(i.by, decisions.setState(i)),
    'state.list': (i) => state.list(i.prefix),
  };
}
