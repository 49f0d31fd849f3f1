// The peer port: an HTTPS server (this agent's self-signed certificate) that accepts WebSocket upgrades at
// the link path and hands each one, with its TLS session's channel binding, to the mesh node. A busy port
// is a problem to report, not a crash.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { LINK_PATH, MAX_LINK_FRAME } from './link-messages.js';
import { MeshTlsIdentity } from './mesh-tls-identity.js';

export type AcceptedLink = (ws: WebSocket, remoteIp: string, binding: string) => void;

export class MeshListener {
  private constructor(
    private readonly server: https.Server,
    private readonly wss: WebSocketServer,
    readonly port: number,
  ) {}

  /** Listens on host:port; resolves with the listener, or with the problem in words (what to change). */
  static async open(
    host: string,
    port: number,
    identity: MeshTlsIdentity,
    logger: Logger,
    onLink: AcceptedLink,
  ): Promise<MeshListener | { problem: string }> {
    const server = https.createServer({ ...identity.defaultCredentials(), handshakeTimeout: 10_000 }, (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' });
      res.end('DevMesh peer port: links only (WebSocket at /devmesh/link)\n');
    });
    server.on('tlsClientError', (err, socket) =>
      logger.debug(
        { domain: 'mesh', peer: socket.remoteAddress, err: err.message },
        'TLS handshake on the peer port failed',
      ),
    );
    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_LINK_FRAME, perMessageDeflate: false });
    server.on('upgrade', (req, socket, head) => {
      if ((req.url ?? '').split('?')[0] !== LINK_PATH)
        return void socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      const binding = MeshTlsIdentity.binding(req.socket as TLSSocket);
      wss.handleUpgrade(req, socket, head, (ws) => onLink(ws, req.socket.remoteAddress ?? 'unknown', binding));
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = 10_000;
    const bound = await new Promise<number | string>((resolve) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        resolve(
          err.code === 'EADDRINUSE'
            ? `the mesh peer port ${port} is already in use by another program (${host}:${port}); teammates cannot link to this agent. Set mesh.port in config.yaml (or DEVMESH_MESH_PORT) to a free port.`
            : `the mesh peer listener could not bind ${host}:${port}: ${err.message}. Set mesh.host / mesh.port in config.yaml.`,
        ),
      );
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
    if (typeof bound === 'string') return { problem: bound };
    server.on('error', (err) => logger.error({ domain: 'mesh', err: err.message }, 'peer listener error'));
    return new MeshListener(server, wss, bound);
  }

  async close(): Promise<void> {
    this.wss.close();
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
  }
}
