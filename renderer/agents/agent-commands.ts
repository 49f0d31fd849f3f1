// What the agents offer the palette: start one (the New agent dialog over the Terminals view), and for each
// agent what its card offers now: show its terminal, Stop while it runs, Relaunch and Remove once it has
// exited, Review when it works in a worktree.
import type { Command, CommandSource } from '../commands/commands-store.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import { openReview } from '../review/review-syncs.js';
import type { AppStores } from '../state/app-stores.js';
import type { AgentsSync } from './agents-sync.js';

/** the CLIs DevMesh knows, so "claude" or "codex" finds the command that starts one */
const CLI_WORDS = ['claude', 'codex', 'gemini', 'aider', 'opencode', 'goose', 'cursor', 'copilot', 'qwen', 'ollama'];

export const agentCommands =
  (agents: AgentsSync, client: DevMeshClient, stores: AppStores): CommandSource =>
  (): Command[] => {
    const showTerminal = (id: string) => {
      stores.terminals.getState().show(id);
      stores.view.getState().show('terminals');
    };
    const commands: Command[] = [
      {
        id: 'agent.new',
        title: 'Start an agent…',
        group: 'Agents',
        keywords: ['new agent', 'launch', 'spawn', 'run', 'ai', ...CLI_WORDS],
        shortcut: 'N A',
        run: () => {
          stores.view.getState().show('terminals');
          stores.agents.getState().setStartFormOpen(true);
        },
      },
    ];
    const openTerminals = stores.terminals.getState().ids;
    const { ids, byId } = stores.agents.getState();
    for (const id of ids) {
      const record = byId[id];
      if (!record) continue;
      const { name, terminalId } = record;
      if (terminalId !== null && openTerminals.includes(terminalId)) {
        commands.push({
          id: `agent.show:${id}`,
          title: `Show agent ${name}`,
          group: 'Agents',
          keywords: [record.status, 'terminal'],
          run: () => showTerminal(terminalId),
        });
      }
      if (record.status !== 'exited') {
        commands.push({
          id: `agent.stop:${id}`,
          title: `Stop agent ${name}`,
          group: 'Agents',
          keywords: ['kill', 'halt'],
          run: () => agents.stop(id),
        });
      } else {
        commands.push(
          {
            id: `agent.relaunch:${id}`,
            title: `Relaunch agent ${name}`,
            group: 'Agents',
            keywords: ['restart', 'again', 'run'],
            run: () => agents.relaunch(id),
          },
          {
            id: `agent.remove:${id}`,
            title: `Remove agent ${name}`,
            group: 'Agents',
            keywords: ['forget', 'delete', 'clear'],
            run: () => agents.remove(id),
          },
        );
      }
      if (record.worktree) {
        commands.push({
          id: `agent.review:${id}`,
          title: `Review agent ${name}’s changes`,
          group: 'Agents',
          keywords: ['diff', 'merge', 'land', record.worktree.branch],
          run: () => openReview(client, stores, id),
        });
      }
    }
    return commands;
  };
