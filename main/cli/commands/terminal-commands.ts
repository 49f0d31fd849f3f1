// `devmesh term new|ls|attach|send|kill` and `devmesh rec ls|play|export`: the terminal sessions the running
// DevMesh owns (they outlive any window), and their asciicast recordings.
import { realpathSync, writeFileSync } from 'node:fs';
import { sep } from 'node:path';
import type { RecordingInfo, TerminalInfo } from '../../../shared/terminal.js';
import { TERMINAL_SIGNALS } from '../../../shared/terminal.js';
import type { ApiClient } from '../api-client.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import * as asciicastPlayer from '../asciicast-player.js';
import * as terminalAttach from '../terminal-attach.js';
import { TextTable } from '../text-table.js';
import { UsageError } from '../usage-error.js';

const TERM_ACTIONS = ['new', 'ls', 'attach', 'send', 'kill'] as const;
const REC_ACTIONS = ['ls', 'play', 'export'] as const;

export class TerminalCommands {
  commands(): CliCommand[] {
    return [
      {
        name: 'term',
        summary: 'terminal sessions in DevMesh: new, ls, attach, send, kill',
        usage: `Usage: devmesh term new [--name N] [--project P] [--cwd DIR] [--no-record] [--attach] [-- command args...]
       devmesh term ls [--json]
       devmesh term attach <id>
       devmesh term send <id> <text> [--no-enter]
       devmesh term kill <id> [--signal SIGINT|SIGTERM|SIGHUP|SIGKILL|...]

Sessions belong to the running DevMesh, not to a window: they keep running when you detach or close the
app, and a view that attaches later sees the current screen first. \`new\` runs your shell unless a
command follows \`--\`. It starts in a project's folder with its services' URLs in the environment, as
the app's "new shell" does: the project --project names, else the open project the current folder is
in, else the first open project; with no project open, in your home folder. --cwd DIR starts elsewhere. \`attach\` puts your terminal in raw mode and connects it to the session; Ctrl-] detaches
(the session keeps running). \`send\` types the text and presses Enter (--no-enter: just the text).`,
        options: {
          name: { type: 'string' },
          project: { type: 'string' },
          cwd: { type: 'string' },
          'no-record': { type: 'boolean' },
          attach: { type: 'boolean' },
          json: { type: 'boolean' },
          'no-enter': { type: 'boolean' },
          signal: { type: 'string' },
        },
        positionals: { min: 1, max: 1000, name: '<new|ls|attach|send|kill> [args]' },
        run: (ctx, args) => this.term(ctx, args),
      },
      {
        name: 'rec',
        summary: 'terminal recordings (asciicast v2): ls, play, export',
        usage: `Usage: devmesh rec ls [--json]
       devmesh rec play <id> [--speed N | --instant]
       devmesh rec export <id> [--out FILE]

Every session is recorded unless started with --no-record. Recordings are asciicast v2 files
(header line, then [time, "o", data] events) under $DEVMESH_HOME/recordings: \`asciinema play\` plays
them, and so does \`devmesh rec play\`. \`export\` writes one to FILE (default: standard output).`,
        options: {
          json: { type: 'boolean' },
          speed: { type: 'string' },
          instant: { type: 'boolean' },
          out: { type: 'string', short: 'o' },
        },
        positionals: { min: 1, max: 2, name: '<ls|play|export> [id]' },
        run: (ctx, args) => this.rec(ctx, args),
      },
    ];
  }

  private async term(ctx: CliContext, args: CommandArgs): Promise<number> {
    const [action, ...rest] = args.positionals as [string, ...string[]];
    if (!(TERM_ACTIONS as readonly string[]).includes(action))
      throw new UsageError(`unknown action '${action}': use ${TERM_ACTIONS.join(', ')}`, 'term');
    const need = (n: number, what: string): void => {
      if (rest.length < n) throw new UsageError(`'term ${action}' needs ${what}`, 'term');
    };
    switch (action) {
      case 'new': {
        const [command, ...commandArgs] = rest;
        const info = await ctx.withClient(async (c) =>
          c.call('terminals.create', {
            ...(args.string('name') ? { name: args.string('name')! } : {}),
            ...(await TerminalCommands.defaultProject(ctx, c, args)),
            ...(args.string('cwd') ? { cwd: ctx.absolute(args.string('cwd')!) } : {}),
            ...(command ? { command, args: commandArgs } : {}),
            record: !args.flag('no-record'),
            ...terminalAttach.size(),
          }),
        );
        if (args.flag('attach')) return terminalAttach.run(ctx, info.id);
        if (args.flag('json')) ctx.printJson(info);
        else
          ctx.print(
            `${info.id}  ${info.name} (pid ${info.pid ?? '-'}, ${info.cwd}); attach with: devmesh term attach ${info.id}`,
          );
        return EXIT.ok;
      }
      case 'ls': {
        const list = await ctx.withClient((c) => c.call('terminals.list', {}));
        if (args.flag('json')) ctx.printJson(list);
        else if (list.length === 0) ctx.print('No terminal sessions. Start one with `devmesh term new`.');
        else ctx.print(TerminalCommands.table(list));
        return EXIT.ok;
      }
      case 'attach':
        need(1, 'a session id (see `devmesh term ls`)');
        return terminalAttach.run(ctx, rest[0]!);
      case 'send': {
        need(2, 'a session id and the text to type');
        const [id, ...words] = rest;
        const data = `${words.join(' ')}${args.flag('no-enter') ? '' : '\r'}`;
        await ctx.withClient((c) => c.call('terminals.input', { id: id!, data }));
        return EXIT.ok;
      }
      case 'kill': {
        need(1, 'a session id');
        const signal = args.string('signal');
        if (signal !== undefined) {
          const sig = signal.toUpperCase().startsWith('SIG') ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`;
          if (!(TERMINAL_SIGNALS as readonly string[]).includes(sig))
            throw new UsageError(`--signal ${signal}: use one of ${TERMINAL_SIGNALS.join(', ')}`, 'term');
          await ctx.withClient((c) =>
            c.call('terminals.signal', { id: rest[0]!, signal: sig as (typeof TERMINAL_SIGNALS)[number] }),
          );
        } else await ctx.withClient((c) => c.call('terminals.kill', { id: rest[0]! }));
        return EXIT.ok;
      }
    }
    return EXIT.usage;
  }

  private async rec(ctx: CliContext, args: CommandArgs): Promise<number> {
    const [action, id] = args.positionals as [string, string | undefined];
    if (!(REC_ACTIONS as readonly string[]).includes(action))
      throw new UsageError(`unknown action '${action}': use ${REC_ACTIONS.join(', ')}`, 'rec');
    if (action === 'ls') {
      const list = await ctx.withClient((c) => c.call('recordings.list', {}));
      if (args.flag('json')) ctx.printJson(list);
      else if (list.length === 0)
        ctx.print('No recordings yet: every terminal session is recorded unless started with --no-record.');
      else ctx.print(TerminalCommands.recTable(list));
      return EXIT.ok;
    }
    if (id === undefined) throw new UsageError(`'rec ${action}' needs a recording id (see \`devmesh rec ls\`)`, 'rec');
    const { cast } = await ctx.withClient((c) => c.call('recordings.read', { id }));
    if (action === 'export') {
      const out = args.string('out');
      if (out === undefined) process.stdout.write(cast);
      else {
        writeFileSync(ctx.absolute(out), cast);
        ctx.warn(`wrote ${ctx.absolute(out)} (${cast.length} characters); play it with \`asciinema play ${out}\``);
      }
      return EXIT.ok;
    }
    const speedText = args.string('speed');
    const speed = args.flag('instant') ? Infinity : speedText === undefined ? 1 : Number(speedText);
    if (!(speed > 0))
      throw new UsageError(`--speed must be a positive number (2 = twice as fast), not '${speedText}'`, 'rec');
    await asciicastPlayer.play(cast, speed, (text) => process.stdout.write(text));
    return EXIT.ok;
  }

  /**
   * The project a new session belongs to: --project, else (without --cwd) the open project holding the
   * current folder, else the first open one (the app's default selection); none when no project is open.
   */
  private static async defaultProject(
    ctx: CliContext,
    client: ApiClient,
    args: CommandArgs,
  ): Promise<{ project?: string }> {
    const named = args.string('project');
    if (named) return { project: named };
    if (args.string('cwd')) return {};
    const projects = await client.call('projects.list', {});
    const here = TerminalCommands.realPath(ctx.cwd);
    const holding = projects
      .filter((p) =>
        [p.root, TerminalCommands.realPath(p.root)].some((root) => here === root || here.startsWith(`${root}${sep}`)),
      )
      .sort((a, b) => b.root.length - a.root.length)[0];
    const project = holding ?? projects[0];
    return project ? { project: project.id } : {};
  }

  private static realPath(path: string): string {
    try {
      return realpathSync.native(path);
    } catch {
      return path; // compared as given
    }
  }

  static table(list: TerminalInfo[]): string {
    const table = new TextTable(['ID', 'NAME', 'STATE', 'PID', 'VIEWERS', 'COMMAND', 'CWD']);
    for (const t of list) {
      const state = t.state === 'running' ? (t.paused ? 'running (paused)' : 'running') : (t.exitReason ?? 'exited');
      table.add([t.id, t.name, state, t.pid, t.viewers, [t.command, ...t.args].join(' '), t.cwd]);
    }
    return table.render();
  }

  static recTable(list: RecordingInfo[]): string {
    const table = new TextTable(['ID', 'NAME', 'STARTED', 'LENGTH', 'SIZE', 'COMMAND']);
    for (const r of list) {
      const length = r.durationMs === null ? 'recording' : `${(r.durationMs / 1000).toFixed(1)} s`;
      table.add([
        r.id,
        r.name,
        new Date(r.startedAt).toISOString().replace('T', ' ').slice(0, 19),
        length,
        `${Math.ceil(r.bytes / 1024)} KB`,
        r.command,
      ]);
    }
    return table.render();
  }
}
