// The stable local port of each TCP service (`protocol: tcp`): the config's `tcp_port:`, else a port DevMesh
// allocates once per project and service and remembers in SQLite (migration 014), so a client's saved address
// (`psql -p 15432`, a DATABASE_URL in a .env) keeps working across daemon restarts. Reads are synchronous:
// a dependent's environment is computed when it starts, which may be before the forwarder listens.
import type { ServiceConfig } from '../../config/project-config.js';
import type { StoreGuard } from '../../health/store-guard.js';
import type { Database } from '../../store/database.js';

export interface PortRange {
  first: number;
  last: number;
}

/**
 * Allocated ports come from here: below Linux's ephemeral range (32768+), so an outgoing connection's local
 * port never takes one, and around the engines' own ports plus 10000 (15432, 16379) for recognizability.
 */
export const DEFAULT_TCP_RANGE: PortRange = { first: 15000, last: 16999 };
/** a database's first choice: its engine's usual port + 10000 */
const ENGINE_PORTS: Record<string, number> = { postgres: 15432, redis: 16379 };

export interface TcpAddressBookDeps {
  database: Database;
  /** a failed write is reported here; the port still holds for this run */
  guard: StoreGuard;
  range?: PortRange;
  /** ports that must not be allocated (fixed tcp_port and port of the open projects) */
  reserved?: () => Iterable<number>;
}

type Wanted = Pick<ServiceConfig, 'name' | 'tcpPort'> & { database?: ServiceConfig['database'] };

export class TcpAddressBook {
  private readonly range: PortRange;
  /** `project/service` → port, as stored (loaded once) plus what this run allocated */
  private remembered: Map<string, number> | null = null;

  constructor(private readonly deps: TcpAddressBookDeps) {
    this.range = deps.range ?? DEFAULT_TCP_RANGE;
  }

  /** The stable port of a TCP service: its `tcp_port:`, else the remembered one, else allocated now. */
  portOf(project: string, service: Wanted): number {
    if (service.tcpPort !== null) return service.tcpPort;
    return this.allocated(project, service.name) ?? this.allocate(project, service, new Set());
  }

  /** The port remembered for a service without `tcp_port:`, null when none was allocated yet. */
  allocated(project: string, service: string): number | null {
    return this.table().get(TcpAddressBook.key(project, service)) ?? null;
  }

  /**
   * The remembered port was busy (another program took it while DevMesh was down): allocate another, skipping
   * `busy`, and remember that one instead.
   */
  move(project: string, service: Wanted, busy: ReadonlySet<number>): number {
    const key = TcpAddressBook.key(project, service.name);
    this.table().delete(key);
    this.deps.guard.background(() =>
      this.deps.database.db
        .prepare('DELETE FROM tcp_addresses WHERE project = ? AND service = ?')
        .run(project, service.name),
    );
    return this.allocate(project, service, busy);
  }

  private allocate(project: string, service: Wanted, busy: ReadonlySet<number>): number {
    const table = this.table();
    const taken = new Set([...table.values(), ...busy, ...(this.deps.reserved?.() ?? [])]);
    const { first, last } = this.range;
    const size = last - first + 1;
    const engine = service.database?.engine;
    const preferred = engine !== undefined ? ENGINE_PORTS[engine] : undefined;
    // Spread by a hash of the name, so two projects' services rarely start their search at the same port.
    const start =
      preferred !== undefined && preferred >= first && preferred <= last
        ? preferred - first
        : TcpAddressBook.hash(`${project}/${service.name}`) % size;
    let port: number | null = null;
    for (let i = 0; i < size && port === null; i++) {
      const candidate = first + ((start + i) % size);
      if (!taken.has(candidate)) port = candidate;
    }
    if (port === null) {
      throw new Error(`no free port left in ${first}-${last} for the stable address of ${service.name} (${project})`);
    }
    table.set(TcpAddressBook.key(project, service.name), port);
    const chosen = port;
    this.deps.guard.background(() =>
      this.deps.database.db
        .prepare('INSERT OR REPLACE INTO tcp_addresses (project, service, port, created_at) VALUES (?, ?, ?, ?)')
        .run(project, service.name, chosen, Date.now()),
    );
    return port;
  }

  private table(): Map<string, number> {
    if (this.remembered !== null) return this.remembered;
    const map = new Map<string, number>();
    try {
      const rows = this.deps.database.db.prepare('SELECT project, service, port FROM tcp_addresses').all() as {
        project: string;
        service: string;
        port: number;
      }[];
      for (const row of rows) map.set(TcpAddressBook.key(row.project, row.service), row.port);
    } catch (err) {
      // An unreadable table: this run allocates afresh (and reports it) rather than refusing TCP services.
      this.deps.guard.report(err);
    }
    this.remembered = map;
    return map;
  }

  private static key(project: string, service: string): string {
    return `${project}/${service}`;
  }

  /** FNV-1a (32 bit): a small, well-spread string hash */
  private static hash(text: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h;
  }
}
