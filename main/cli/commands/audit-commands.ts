// `devmesh audit ls|verify`: the hash-linked record of every decision DevMesh took (locks granted, tasks
// awarded, agents started...), listed newest first, and checked end to end so an edited, deleted or
// reordered entry is named.
import { AUDIT_MAX_PAGE, AuditActorSchema, AuditKindSchema, type AuditEntry } from '../../../shared/audit.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { TextTable } from '../text-table.js';
import * as timeText from '../time-text.js';
import { UsageError } from '../usage-error.js';

const ACTIONS = ['ls', 'verify'] as const;
const DATA_WIDTH = 60;
/** walking a long chain and its mirror takes a while on a slow disk */
const VERIFY_TIMEOUT_MS = 300_000;

export class AuditCommands {
  commands(): CliCommand[] {
    return [
      {
        name: 'audit',
        summary: 'the audit chain of every decision: ls, verify',
        usage: `Usage: devmesh audit ls [--actor A] [--kind K] [--since 1h|ISO] [--until 30m|ISO] [--limit N] [--before SEQ] [--json]
       devmesh audit verify [--json]

Every decision DevMesh takes (a lock granted or refused, a task awarded, an agent started) is appended
to a hash-linked chain in its store, mirrored to a JSONL file. \`ls\` lists entries newest first, one a
line: seq, time, actor, kind, subject and the start of its data. --actor takes an agent's name or id;
--kind a kind (lock.granted) or its first word (lock: every lock.* entry). --since/--until take a span back from
now (30m, 2h, 24h) or an ISO time (2026-11-30T09:00); --limit caps the lines (default 100, at most
${AUDIT_MAX_PAGE}); --before SEQ pages to older entries. \`verify\` walks the whole chain, its head and its
mirror: it exits 0 when all agree, else names the first broken entry and exits 1.

Examples:
  devmesh audit ls --since 1h
  devmesh audit ls --kind lock.granted --actor user --limit 20
  devmesh audit ls --kind task --actor claude-2
  devmesh audit verify`,
        options: {
          actor: { type: 'string' },
          kind: { type: 'string' },
          since: { type: 'string' },
          until: { type: 'string' },
          limit: { type: 'string' },
          before: { type: 'string' },
          json: { type: 'boolean' },
        },
        positionals: { min: 1, max: 1, name: '<ls|verify>' },
        run: (ctx, args) => this.audit(ctx, args),
      },
    ];
  }

  private async audit(ctx: CliContext, args: CommandArgs): Promise<number> {
    const action = args.positionals[0]!;
    if (!(ACTIONS as readonly string[]).includes(action))
      throw new UsageError(`unknown action '${action}': use ${ACTIONS.join(', ')}`, 'audit');
    return action === 'ls' ? this.list(ctx, args) : this.verify(ctx, args);
  }

  private async list(ctx: CliContext, args: CommandArgs): Promise<number> {
    const now = Date.now();
    const actor = args.string('actor');
    if (actor !== undefined && !AuditActorSchema.safeParse(actor).success)
      throw new UsageError(`--actor must be 1 to 128 characters`, 'audit');
    const kind = args.string('kind');
    if (kind !== undefined && !AuditKindSchema.safeParse(kind).success)
      throw new UsageError(`--kind must be dotted lower-case words such as lock.granted, not '${kind}'`, 'audit');
    const since = timeText.instant('audit', 'since', args.string('since'), now);
    const until = timeText.instant('audit', 'until', args.string('until'), now);
    const limit = args.int('limit', { min: 1, max: AUDIT_MAX_PAGE }) ?? 100;
    const before = args.int('before', { min: 1, max: Number.MAX_SAFE_INTEGER });
    const filter = {
      limit,
      ...(actor !== undefined ? { actor } : {}),
      ...(kind !== undefined ? { kind } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(until !== undefined ? { until } : {}),
      ...(before !== undefined ? { before } : {}),
    };
    const page = await ctx.withClient((c) => c.call('audit.list', filter));
    if (args.flag('json')) {
      ctx.printJson(page.entries);
      return EXIT.ok;
    }
    if (page.entries.length === 0) {
      const filtered =
        actor !== undefined || kind !== undefined || since !== undefined || until !== undefined || before !== undefined;
      ctx.print(filtered ? 'No audit entries match.' : 'The audit chain is empty: nothing has been decided yet.');
      return EXIT.ok;
    }
    ctx.print(AuditCommands.table(page.entries));
    if (page.nextBefore !== null) ctx.print(`(older entries: devmesh audit ls --before ${page.nextBefore})`);
    return EXIT.ok;
  }

  private async verify(ctx: CliContext, args: CommandArgs): Promise<number> {
    const result = await ctx.withClient((c) => c.call('audit.verify', {}, { timeoutMs: VERIFY_TIMEOUT_MS }));
    if (args.flag('json')) {
      ctx.printJson(result);
      return result.ok ? EXIT.ok : EXIT.error;
    }
    ctx.print(`checked ${result.entries} entr${result.entries === 1 ? 'y' : 'ies'} in ${Math.round(result.ms)} ms`);
    if (result.ok) {
      ctx.print(`audit chain ok (${result.entries} entries, head ${result.headSeq}, mirror ${result.mirror})`);
      return EXIT.ok;
    }
    if (result.firstBroken !== null) {
      const { seq, why } = result.firstBroken;
      // The verifier's words usually name the entry already ("entry 4 was edited: ...").
      ctx.print(`entry ${seq}: ${why.replace(new RegExp(`^entry ${seq}\\b:?\\s*`), '')}`);
      ctx.print(
        `audit chain BROKEN: entries from ${result.firstBroken.seq} on cannot be trusted (head ${result.headSeq}, mirror ${result.mirror}; the mirror ${result.mirrorPath} keeps a copy to compare)`,
      );
    } else {
      ctx.print(
        `audit chain BROKEN: the chain links up (head ${result.headSeq}) but its mirror ${result.mirrorPath} does not match it`,
      );
    }
    return EXIT.error;
  }

  static table(entries: AuditEntry[]): string {
    const table = new TextTable(['SEQ', 'TIME', 'ACTOR', 'KIND', 'SUBJECT', 'DATA']);
    for (const e of entries)
      table.add([e.seq, timeText.clock(e.ts), e.actor, e.kind, e.subject, AuditCommands.short(e.data)]);
    return table.render();
  }

  private static short(data: unknown): string {
    if (data === null || data === undefined) return '-';
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    return text.length > DATA_WIDTH ? `${text.slice(0, DATA_WIDTH - 1)}…` : text;
  }
}
