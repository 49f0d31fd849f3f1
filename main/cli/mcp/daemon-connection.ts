// The MCP server's lazy link to the running DevMesh: connects on the first call (the way every CLI command
// does, through $DEVMESH_HOME/daemon.json and the token file) and connects again on the next call once the
// daemon went away, so an agent's MCP session outlives a `devmesh down` / `devmesh up`.
import type { ApiInput, ApiMethod, ApiOutput } from '../../../shared/api.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { ApiClient, CallOptions } from '../api-client.js';

export class DaemonConnection {
  private client: ApiClient | null = null;
  private connecting: Promise<ApiClient> | null = null;
  private closed = false;

  constructor(private readonly connect: () => Promise<ApiClient>) {}

  /** true while a connection is open (no attempt is made to open one) */
  get connected(): boolean {
    return this.client !== null && !this.client.closed;
  }

  /** Calls one API method, connecting first when needed; throws the DevMeshError DevMesh answered with. */
  async call<M extends ApiMethod>(method: M, input: ApiInput<M>, options?: CallOptions): Promise<ApiOutput<M>> {
    const client = await this.open();
    return client.call(method, input, options);
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    await client?.close();
  }

  private open(): Promise<ApiClient> {
    if (this.closed) return Promise.reject(new DevMeshError('SHUTTING_DOWN', 'the DevMesh MCP server is stopping'));
    if (this.client !== null && !this.client.closed) return Promise.resolve(this.client);
    this.client = null;
    // One attempt at a time: calls made while it runs share its outcome.
    this.connecting ??= this.connect().then(
      (client) => {
        this.connecting = null;
        if (this.closed) {
          void client.close();
          throw new DevMeshError('SHUTTING_DOWN', 'the DevMesh MCP server is stopping');
        }
        this.client = client;
        return client;
      },
      (err: unknown) => {
        this.connecting = null;
        throw err;
      },
    );
    return this.connecting;
  }
}
