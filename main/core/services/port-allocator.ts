// Ports for services: checks that a fixed port is free (naming who holds it when it is not), and hands
// out free ports for services that declare none, keeping a service's port stable across its restarts.
import { createServer } from 'node:net';
import { DevMeshError } from '../../../shared/errors.js';
import type { ProcessInspector } from './process-inspector.js';

export class PortAllocator {
  /** ports handed out and not yet released, so two services starting at once never get the same one */
  private readonly reserved = new Set<number>();

  constructor(private readonly inspector: ProcessInspector) {}

  async isFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      // No host: Node binds the dual-stack wildcard, which collides with a listener on any address.
      server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
    });
  }

  /** Throws PORT_BUSY with the holder when the fixed port of `where` (e.g. "services.api.port") is taken. */
  async requireFree(port: number, where: string): Promise<void> {
    if (await this.isFree(port)) return;
    const holder = this.inspector.portHolder(port);
    const who = holder ? `held by pid ${holder.pid} (${holder.command.slice(0, 120)})` : 'held by another process';
    throw new DevMeshError(
      'PORT_BUSY',
      `port ${port} is busy, ${who}: stop that process, or change ${where} in devmesh.yaml (or remove it to let DevMesh pick a free port)`,
      { port, holder },
    );
  }

  /** A free port: `previous` again when it is still free, else one the OS picks. */
  async assign(previous: number | null): Promise<number> {
    if (previous !== null && !this.reserved.has(previous) && (await this.isFree(previous))) {
      this.reserved.add(previous);
      return previous;
    }
    for (let attempt = 0; attempt < 20; attempt++) {
      const port = await this.ephemeral();
      if (!this.reserved.has(port)) {
        this.reserved.add(port);
        return port;
      }
    }
    throw new DevMeshError('PORT_BUSY', 'could not find a free TCP port on this machine after 20 tries');
  }

  release(port: number): void {
    this.reserved.delete(port);
  }

  private ephemeral(): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen({ port: 0 }, () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(port));
      });
    });
  }
}
