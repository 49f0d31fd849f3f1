// `devmesh msg send|ls` and `devmesh state get|set|ls`: the message board agents (and you, as `user`) write
// to each other on, and the small shared key-value state they keep for each other.
import { DevMeshError } from '../../../shared/errors.js';
import { MessagePartySchema, StateKeySchema, type Message, type StateEntry } from '../../../shared/message.js';
import { TaskIdSchema } from '../../../shared/task.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { TextTable } from '../text-table.js';
import * as timeText from '../time-text.js';
import { UsageError } from '../usage-error.js';

const MSG_ACTIONS = ['send', 'ls'] as const;
const STATE_ACTIONS = ['get', 'set', 'ls'] as const;
const CELL_WIDTH = 70;

export class MessageCommands {
  commands(): CliCommand[] {
    return [
      {
        name: 'msg',
        summary: 'messages between agents and you: send, ls',
        usage: `Usage: devmesh msg send <to> <text...> [--as FROM] [--task TASK] [--json]
       devmesh msg ls [--with PARTY] [--limit N] [--json]

Agents talk to each other (and to you, \`user\`) through the message board; agents read theirs with
the read_messages tool. <to> is an agent name or id, \`user\`, '*' for everyone on the mesh, @ROLE for
every agent with that role on every machine, NAME@MACHINE for an agent (or user@MACHINE for the human)
on a teammate's machine, or a teammate's name (the human at the machine of that name). A message to a
machine that is not linked now is queued and delivered once when it is back. You send as \`user\`
unless --as names another sender. --task ties the message to a task. \`ls\` lists messages newest first
(default 100, at most 500); --with keeps those from or to one party.

Examples:
  devmesh msg send fixer "the login tests are flaky on CI, skip them for now"
  devmesh msg send reviewer@bob "PR 42 is ready"
  devmesh msg send @frontend "the design tokens changed"
  devmesh msg send '*' "main is frozen until 17:00" --task task-8k2m4q
  devmesh msg ls --with fixer --limit 20`,
        options: {
          as: { type: 'string' },
          task: { type: 'string' },
          with: { type: 'string' },
          limit: { type: 'string' },
          json: { type: 'boolean' },
        },
        positionals: { min: 1, max: 1000, name: '<send|ls> [to text...]' },
        run: (ctx, args) => this.msg(ctx, args),
      },
      {
        name: 'state',
        summary: 'the shared key-value state agents keep for each other: get, set, ls',
        usage: `Usage: devmesh state get <key> [--json]
       devmesh state set <key> <json> [--as WHO] [--if-version N] [--json]
       devmesh state ls [prefix] [--json]

A small store of JSON values agents share (a decided API shape, a port, who reviews what). \`get\`
prints a key's value as JSON (exit 1 when the key does not exist). \`set\` takes a JSON value: quote
strings twice ('"text"'); null deletes the key. --if-version N sets only if the key is still at version
N (0: only if it does not exist yet), so two writers cannot overwrite each other unseen.

Examples:
  devmesh state set api/auth/version '"v2"'
  devmesh state set ports '{"web": 3000, "api": 4000}' --if-version 0
  devmesh state get ports
  devmesh state ls api/`,
        options: {
          as: { type: 'string' },
          'if-version': { type: 'string' },
          json: { type: 'boolean' },
        },
        positionals: { min: 1, max: 3, name: '<get|set|ls> [key] [json]' },
        run: (ctx, args) => this.state(ctx, args),
      },
    ];
  }

  private async msg(ctx: CliContext, args: CommandArgs): Promise<number> {
    const [action, to, ...words] = args.positionals as [string, ...string[]];
    if (!(MSG_ACTIONS as readonly string[]).includes(action))
      throw new UsageError(`unknown action '${action}': use ${MSG_ACTIONS.join(', ')}`, 'msg');
    if (action === 'ls') {
      if (to !== undefined) throw new UsageError(`'msg ls' takes no arguments (got '${to}'); use --with PARTY`, 'msg');
      const party = args.string('with');
      if (party !== undefined) MessageCommands.party(party, '--with');
      const limit = args.int('limit', { min: 1, max: 500 });
      const list = await ctx.withClient((c) =>
        c.call('messages.list', {
          ...(limit !== undefined ? { limit } : {}),
          ...(party !== undefined ? { party } : {}),
        }),
      );
      if (args.flag('json')) ctx.printJson(list);
      else if (list.length === 0)
        ctx.print(
          party
            ? `No messages from or to ${party}.`
            : 'No messages yet. Send one with `devmesh msg send <agent> "<text>"`.',
        );
      else ctx.print(MessageCommands.messages(list));
      return EXIT.ok;
    }
    const body = words.join(' ');
    if (to === undefined || body.trim() === '')
      throw new UsageError(`'msg send' needs a recipient and a text: devmesh msg send fixer "please rebase"`, 'msg');
    const from = args.string('as') ?? 'user';
    const task = args.string('task');
    MessageCommands.party(to, '<to>');
    MessageCommands.party(from, '--as');
    if (task !== undefined && !TaskIdSchema.safeParse(task).success)
      throw new UsageError(`--task '${task}' is not a task id (task-…; see \`devmesh task ls\`)`, 'msg');
    const message = await ctx.withClient((c) =>
      c.call('messages.send', { from, to, body, ...(task !== undefined ? { task } : {}) }),
    );
    if (args.flag('json')) ctx.printJson(message);
    else {
      const about = message.task ? ` about ${message.task}` : '';
      const queued = message.queued
        ? ` Queued until ${message.queued} machine${message.queued === 1 ? '' : 's'} acknowledge${message.queued === 1 ? 's' : ''} it ` +
          '(a machine not linked now gets it when it is back).'
        : '';
      ctx.print(`Sent #${message.seq} to ${message.to === '*' ? 'everyone' : message.toName}${about}.${queued}`);
    }
    return EXIT.ok;
  }

  private async state(ctx: CliContext, args: CommandArgs): Promise<number> {
    const [action, key, raw, ...extra] = args.positionals as [string, ...string[]];
    if (!(STATE_ACTIONS as readonly string[]).includes(action))
      throw new UsageError(`unknown action '${action}': use ${STATE_ACTIONS.join(', ')}`, 'state');
    if (action === 'ls') {
      if (raw !== undefined) throw new UsageError(`'state ls' takes at most a prefix (got '${raw}')`, 'state');
      const list = await ctx.withClient((c) => c.call('state.list', { ...(key !== undefined ? { prefix: key } : {}) }));
      if (args.flag('json')) ctx.printJson(list);
      else if (list.length === 0)
        ctx.print(
          key
            ? `No keys start with '${key}'.`
            : "The shared state is empty. Set a key with `devmesh state set <key> '<json>'`.",
        );
      else ctx.print(MessageCommands.entries(list, Date.now()));
      return EXIT.ok;
    }
    if (key === undefined) throw new UsageError(`'state ${action}' needs a key`, 'state');
    if (!StateKeySchema.safeParse(key).success)
      throw new UsageError(
        `'${key}' is not a key: letters, digits, . _ : / @ - (at most 256), starting with a letter or digit`,
        'state',
      );
    if (action === 'get') {
      if (raw !== undefined) throw new UsageError(`'state get' takes one key (got '${raw}')`, 'state');
      const entry = await ctx.withClient((c) => c.call('state.get', { key }));
      if (entry === null)
        throw new DevMeshError(
          'BAD_REQUEST',
          `no key '${key}' in the shared state; list the keys with \`devmesh state ls\``,
        );
      if (args.flag('json')) ctx.printJson(entry);
      else ctx.print(JSON.stringify(entry.value, null, 2));
      return EXIT.ok;
    }
    if (raw === undefined || extra.length > 0)
      throw new UsageError(`'state set' needs a key and one JSON value (quote it: '{"a": 1}', '"text"')`, 'state');
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new UsageError(
        `the value for '${key}' is not JSON (${(err as Error).message}); a string needs its own quotes: '"${raw}"'`,
        'state',
      );
    }
    const by = args.string('as') ?? 'user';
    MessageCommands.party(by, '--as', 'state');
    const expectedVersion = args.int('if-version', { min: 0, max: Number.MAX_SAFE_INTEGER });
    const entry = await ctx.withClient((c) =>
      c.call('state.set', { key, value, by, ...(expectedVersion !== undefined ? { expectedVersion } : {}) }),
    );
    if (args.flag('json')) ctx.printJson(entry);
    else ctx.print(entry === null ? `Deleted '${key}'.` : `Set '${key}' (version ${entry.version}).`);
    return EXIT.ok;
  }

  static messages(list: Message[]): string {
    const table = new TextTable(['SEQ', 'TIME', 'FROM', 'TO', 'TASK', 'TEXT']);
    for (const m of list)
      table.add([
        m.seq,
        timeText.clock(m.ts),
        m.fromMachine ? `${m.fromName}@${m.fromMachine}` : m.fromName,
        `${m.to === '*' ? '*' : m.toName}${m.queued ? ' (queued)' : ''}`,
        m.task,
        MessageCommands.short(m.body),
      ]);
    return table.render();
  }

  static entries(list: StateEntry[], now: number): string {
    const table = new TextTable(['KEY', 'VERSION', 'BY', 'UPDATED', 'VALUE']);
    for (const e of list)
      table.add([
        e.key,
        e.version,
        e.updatedBy,
        `${timeText.span(now - e.updatedAt)} ago`,
        MessageCommands.short(JSON.stringify(e.value)),
      ]);
    return table.render();
  }

  private static party(value: string, what: string, command = 'msg'): void {
    if (!MessagePartySchema.safeParse(value).success)
      throw new UsageError(`${what} '${value}' is not an agent name or id, name@machine, user, @role, or *`, command);
  }

  private static short(text: string): string {
    const line = text.replace(/\s+/g, ' ').trim();
    return line.length > CELL_WIDTH ? `${line.slice(0, CELL_WIDTH - 1)}…` : line;
  }
}
