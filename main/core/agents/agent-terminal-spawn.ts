// Opens the terminal an agent's CLI runs in: the record's arguments, DevMesh's MCP server and lock hooks for
// this launch (AgentSessionSetup), the initial prompt where the profile takes it on the command line, and the
// DEVMESH_AGENT_* environment. A CLI that cannot start is a SPAWN_FAILED that says how to install it.
import type { AgentProfile, AgentPromptMethod, AgentRecord } from '../../../shared/agent.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { AgentSessionSetup } from './agent-session-setup.js';
import type { TerminalLauncher } from './terminal-launcher.js';

export interface AgentTerminalSpawnDeps {
  launcher: TerminalLauncher;
  session?: AgentSessionSetup;
}

export interface AgentTerminalRequest {
  record: AgentRecord;
  profile: AgentProfile | null;
  /** the initial prompt, or null */
  prompt: string | null;
  method: AgentPromptMethod;
  size: { cols: number; rows: number };
  /** a new agent (no record points at its session files yet) rather than a relaunch */
  fresh: boolean;
}

/** Starts the agent's CLI in a new terminal; answers the terminal's id. */
export async function spawnAgentTerminal(deps: AgentTerminalSpawnDeps, request: AgentTerminalRequest): Promise<string> {
  const { record, profile, prompt, method, size } = request;
  const session = deps.session?.prepare(record, profile);
  const args = [...record.args, ...(session?.args ?? [])];
  if (prompt !== null && method.kind === 'positional') args.push(prompt);
  if (prompt !== null && method.kind === 'flag') args.push(method.flag, prompt);
  try {
    const { id } = await deps.launcher.create({
      name: record.name,
      command: record.command,
      args,
      cwd: record.cwd,
      env: {
        ...session?.env,
        DEVMESH_AGENT_ID: record.id,
        DEVMESH_AGENT_NAME: record.name,
        ...(record.role ? { DEVMESH_AGENT_ROLE: record.role } : {}),
      },
      cols: size.cols,
      rows: size.rows,
      project: record.project,
    });
    return id;
  } catch (err) {
    if (request.fresh) deps.session?.clean(record.id); // no record will point at these files
    const why = err instanceof Error ? err.message : String(err);
    throw new DevMeshError(
      'SPAWN_FAILED',
      `agent "${record.name}": could not start ${record.command} in ${record.cwd}: ${why}${profile ? `; is it installed? ${profile.installHint}` : ''}`,
    );
  }
}
