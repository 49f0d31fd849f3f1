// What one TCP service's stable address has carried since DevMesh started: connections open now and in all,
// the ones DevMesh closed for want of an instance (or a refused version), and bytes each way. Bytes of open
// connections are read live from their client sockets, so a database connection held for hours still counts.
// While the local engine listens on the address itself, its connections are counted from the kernel
// (DirectTraffic) and added in.
import type { Socket } from 'node:net';
import type { DirectTraffic } from './direct-traffic.js';

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
  private direct: DirectTraffic | null = null;

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

  /** the local engine listens on the address itself from now on: its connections come from `direct` */
  watchDirect(direct: DirectTraffic): void {
    this.endDirect();
    this.direct = direct;
    direct.start();
  }

  /** the address is DevMesh's again: what the engine carried is kept */
  endDirect(): void {
    const direct = this.direct;
    if (direct === null) return;
    this.direct = null;
    direct.stop();
    const carried = direct.snapshot();
    this.total += carried.totalConnections;
    this.closedIn += carried.bytesIn;
    this.closedOut += carried.bytesOut;
  }

  snapshot(): TcpCountersSnapshot {
    const direct = this.direct?.snapshot() ?? { connections: 0, totalConnections: 0, bytesIn: 0, bytesOut: 0 };
    let bytesIn = this.closedIn + direct.bytesIn;
    let bytesOut = this.closedOut + direct.bytesOut;
    for (const client of this.open) {
      bytesIn += client.bytesRead;
      bytesOut += client.bytesWritten;
    }
    return {
      connections: this.open.size + direct.connections,
      totalConnections: this.total + direct.totalConnections,
      failedConnections: this.failed,
      bytesIn,
      bytesOut,
    };
  }
}
