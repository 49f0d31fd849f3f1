// `devmesh routes | requests`: what the local reverse proxy serves (host → target), and the requests it
// answered, optionally followed live.
import type { RequestRecord, RouteInfo, TcpRoute } from '../../../shared/proxy.js';
import type { ApiClient } from '../api-client.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { RequestFormatter } from '../request-formatter.js';
import { SignalTrap } from '../signal-trap.js';
import { TextTable } from '../text-table.js';

const DEFAULT_REQUESTS = 50;
const MAX_REQUESTS = 100_000;
/** proxy.requests' own cap per call */
const PAGE_LIMIT = 5000;

interface RequestQuery {
  project: string | undefined;
  service: string | undefined;
  errorsOnly: boolean;
  search: string | undefined;
}

export class ProxyCommands {
  commands(): CliCommand[] {
    return [
      {
        name: 'routes',
        summary: 'show what the local proxy serves: host → target',
        usage: `Usage: devmesh routes [--project P] [--tcp] [--json]

Shows every name the DevMesh proxy answers (\`<service>.localhost\`, and \`<service>.<project>.localhost\`)
as HOST TARGET STATE URL. TARGET is where the proxy sends the request now (\`-\` while the service is not
serving), URL the address to use. Without --project, shows every open project.

TCP services (\`protocol: tcp\`) follow in a TCP section: ADDRESS (the stable 127.0.0.1:<port> to connect to)
SERVED BY, STATE, connections open and in all, failed ones, bytes in and out, and why an address does not
listen. --tcp shows only that section; with --json, --tcp prints the TCP routes (proxy.tcp) instead of the
HTTP routes, whose JSON stays as it was.

Options:
  --project P   a project id or folder
  --tcp         only the TCP services' stable addresses
  --json        print the routes as JSON`,
        options: { project: { type: 'string' }, tcp: { type: 'boolean' }, json: { type: 'boolean' } },
        positionals: { min: 0, max: 0, name: '' },
        run: (ctx, args) => this.routes(ctx, args),
      },
      {
        name: 'requests',
        summary: 'print the requests the local proxy answered (-f to follow them)',
        usage: `Usage: devmesh requests [--service S] [--project P] [--errors] [-n N] [-f] [--search TEXT] [--json]

Prints the last N requests the DevMesh proxy answered, in the order they started, one per line:
  HH:MM:SS.mmm STATUS METHOD host/path bytes duration upstream|error
bytes is what went back to the client; upstream is the service's address, or the error when DevMesh
answered itself (unknown service, service down, target refused).

Options:
  -s, --service S   only requests routed to service S
  --project P       a project id or folder
  --errors          only failed requests (status 400 and above, or a DevMesh error)
  -n, --lines N     how many past requests (default ${DEFAULT_REQUESTS}; 0: only new ones with -f)
  -f, --follow      keep printing new requests, as they are answered, until Ctrl-C
  --search TEXT     only requests whose host or path contains TEXT
  --json            one JSON object per line`,
        options: {
          service: { type: 'string', short: 's' },
          project: { type: 'string' },
          errors: { type: 'boolean' },
          lines: { type: 'string', short: 'n' },
          follow: { type: 'boolean', short: 'f' },
          search: { type: 'string' },
          json: { type: 'boolean' },
        },
        positionals: { min: 0, max: 0, name: '' },
        run: (ctx, args) => this.requests(ctx, args),
      },
    ];
  }

  private routes(ctx: CliContext, args: CommandArgs): Promise<number> {
    if (args.flag('tcp')) {
      return ctx.perProject(args, {
        fetch: (client, project) => client.call('proxy.tcp', { project }),
        render: (routes) => ProxyCommands.tcpTable(routes),
        empty: '(no TCP services)',
      });
    }
    return ctx.perProject(args, {
      fetch: (client, project) => client.call('proxy.routes', { project }),
      render: (routes) => ProxyCommands.routeTable(routes),
      empty: '(no routes)',
      after: async (client) => {
        const info = await client.call('proxy.info', {});
        const listening = [info.httpUrl, info.httpsUrl].filter((u): u is string => u !== null);
        ctx.print(`\nproxy: ${listening.length ? listening.join(', ') : 'not listening'}`);
        for (const problem of info.problems) ctx.warn(`devmesh: proxy: ${problem}`);
        const tcp = await client.call('proxy.tcp', { project: ctx.projectRef(args) });
        if (tcp.length > 0) ctx.print(`\nTCP\n${ProxyCommands.tcpTable(tcp)}`);
      },
    });
  }

  /** One row per TCP service's stable address: who serves it, and what it carried. */
  static tcpTable(routes: readonly TcpRoute[]): string {
    const table = new TextTable(['ADDRESS', 'SERVED BY', 'STATE', 'CONNS', 'FAILED', 'IN', 'OUT', 'SERVICE']);
    for (const r of routes) {
      const served = r.servedBy ?? (r.problem !== null ? null : '(nobody)');
      table.add([
        r.address ?? `(not listening: ${r.problem ?? 'unknown'})`,
        served,
        r.state,
        `${r.connections}/${r.totalConnections}`,
        String(r.failedConnections),
        String(r.bytesIn),
        String(r.bytesOut),
        `${r.service}.${r.project}`,
      ]);
    }
    return table.render();
  }

  /** One row per name the proxy answers, with the URL of that name. */
  static routeTable(routes: readonly RouteInfo[]): string {
    const table = new TextTable(['HOST', 'TARGET', 'STATE', 'URL']);
    for (const route of routes) {
      // A teammate's instance is named as the response would name it (alice/api@2.3.1).
      const remote = route.target !== null && !route.target.startsWith('127.0.0.1:');
      const target = remote
        ? (route.servedBy ?? route.target)
        : (route.target ?? (route.startOnRequest ? '(starts on request)' : null));
      for (const host of route.hosts) {
        table.add([host, target, route.state, ProxyCommands.urlFor(host, route.urls)]);
      }
    }
    return table.render();
  }

  private async requests(ctx: CliContext, args: CommandArgs): Promise<number> {
    const query: RequestQuery = {
      project: ctx.projectRef(args),
      service: args.string('service') || undefined,
      errorsOnly: args.flag('errors'),
      search: args.string('search') || undefined,
    };
    const count = args.int('lines', { min: 0, max: MAX_REQUESTS }) ?? DEFAULT_REQUESTS;
    const follow = args.flag('follow');
    const json = args.flag('json');
    const formatter = new RequestFormatter({ color: !json && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR });
    const print = (r: RequestRecord): void => ctx.print(json ? JSON.stringify(r) : formatter.format(r));

    const client = await ctx.connect();
    let trap: SignalTrap | null = null;
    try {
      if (!follow) {
        for (const r of ProxyCommands.byStart(await ProxyCommands.tail(client, query, count))) print(r);
        return EXIT.ok;
      }
      // Live requests are held until the history is printed, then deduplicated by seq.
      let lastSeq = -1;
      let held: RequestRecord[] | null = [];
      const onRecord = (r: RequestRecord): void => {
        if (!ProxyCommands.matches(r, query)) return;
        if (held !== null) held.push(r);
        else if (r.seq > lastSeq) {
          lastSeq = r.seq;
          print(r);
        }
      };
      const ended = new Promise<number>((resolve) => {
        client.onDidClose((err) => {
          ctx.warn(`devmesh: ${err.message}`);
          resolve(EXIT.error);
        });
        trap = new SignalTrap(() => resolve(EXIT.ok));
      });
      await client.subscribe('requests', { project: query.project, service: query.service }, onRecord);
      const history = count > 0 ? await ProxyCommands.tail(client, query, count) : [];
      for (const r of ProxyCommands.byStart(history)) print(r);
      for (const r of history) lastSeq = Math.max(lastSeq, r.seq);
      // from here on, as they are answered: a request is numbered when it ends
      for (const r of held.sort((a, b) => a.seq - b.seq)) {
        if (r.seq > lastSeq) {
          lastSeq = r.seq;
          print(r);
        }
      }
      held = null;
      return await ended;
    } finally {
      (trap as SignalTrap | null)?.dispose();
      await client.close();
    }
  }

  /** The newest `count` requests, oldest first, paging backwards when more than one page is asked for. */
  private static async tail(client: ApiClient, query: RequestQuery, count: number): Promise<RequestRecord[]> {
    const pages: RequestRecord[][] = [];
    let got = 0;
    let before: number | undefined;
    while (got < count) {
      const page = await client.call('proxy.requests', { ...query, before, limit: Math.min(PAGE_LIMIT, count - got) });
      const records = [...page.requests].sort((a, b) => a.seq - b.seq);
      if (records.length === 0) break;
      pages.unshift(records);
      got += records.length;
      before = records[0]!.seq;
      if (!page.hasMore || before <= 1) break;
    }
    return pages.flat();
  }

  /**
   * Past requests in the order they started (the time printed), ties by number. The log numbers a request
   * when it ends, so a slow page listed by number would show its time running backwards.
   */
  private static byStart(records: RequestRecord[]): RequestRecord[] {
    return [...records].sort((a, b) => a.ts - b.ts || a.seq - b.seq);
  }

  /** The page's filter, applied to live records (the topic filters by project and service only). */
  private static matches(r: RequestRecord, query: RequestQuery): boolean {
    if (query.errorsOnly && r.status < 400 && r.error === null) return false;
    if (query.search === undefined) return true;
    const needle = query.search.toLowerCase();
    return r.host.toLowerCase().includes(needle) || r.path.toLowerCase().includes(needle);
  }

  /** The route's URL for that name: its own when listed, else the first URL with the name put in. */
  private static urlFor(host: string, urls: readonly string[]): string | undefined {
    const parsed = urls.flatMap((u) => {
      try {
        return [new URL(u)];
      } catch {
        // Not a URL (a future route kind): it names no host, and is skipped.
        return [];
      }
    });
    const own =
      parsed.find((u) => u.hostname === host && u.protocol === 'http:') ?? parsed.find((u) => u.hostname === host);
    if (own) return own.toString();
    const first = parsed.find((u) => u.protocol === 'http:') ?? parsed[0];
    if (!first) return urls[0];
    first.hostname = host;
    return first.toString();
  }
}
