// What one TCP service's stable address has carried since DevMesh started: connections open now and in all,
// the ones DevMesh closed for want of an instance (or a refused version), and bytes each way. Bytes of open
// connections are read live from their client sockets, so a database connection held for hours still counts.
import type { Socket } from 'node:net';

export interface TcpCountersSnapshot {
  connections: number;
  totalConnections: number;
  failedConnections: number;
  bytesIn: number;
  bytesOut: number;
}

export class TcpCounters {
  private total = 0;
  private failed = 0;
  /** bytes of connections already closed */
  private closedIn = 0;
  private closedOut = 0;
  private readonly open = new Set<Socket>();

  /** a client connected: counted until it closes */
  opened(client: Socket): void {
    this.total++;
    this.open.add(client);
  }

  closed(client: Socket): void {
    if (!this.open.delete(client)) return;
    this.closedIn += client.bytesRead;
    this.closedOut += client.bytesWritten;
  }

  /** DevMesh closed the connection: no instance reachable, or the version refused */
  fail(): void {
    this.failed++;
  }

  snapshot(): TcpCountersSnapshot {
    let bytesIn = this.closedIn;
    let bytesOut = this.closedOut;
    for (const client of this.open) {
      bytesIn += client.bytesRead;
      bytesOut += client.bytesWritten;
    }
    return {
      connections: this.open.size,
      totalConnections: this.total,
      failedConnections: this.failed,
      bytesIn,
      bytesOut,
    };
  }
}
