// The peer ingress's tunnel side (tunnel-protocol.ts): a TLS connection that negotiated ALPN devmesh-tunnel/1
// comes here from ProxyServer. It reads one request line (bounded in size and time), admits the caller with the
// mesh credentials HTTP uses (MeshNode.admit), then pipes it to a local TCP service, lists the published
// snapshots, or streams one snapshot file. A bad or hostile client is answered `{ok:false}` or dropped; no
// failure of one tunnel reaches the listener or the daemon.
import { open, type FileHandle } from 'node:fs/promises';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { AsyncDisposable } from '../../base/disposable.js';
import type { LocalTcpLookup } from './local-tcp-services.js';
import type { PublishedSnapshots } from './peer-tunnel-dialer.js';
import { LineRefused, readLine } from './tunnel-line-reader.js';
import { parseTunnelRequest, tunnelLine } from './tunnel-messages.js';
import { TUNNEL_MAX_HEAD, type TunnelAnswer, type TunnelRequest } from './tunnel-protocol.js';
import { spliceSockets } from './socket-splice.js';

export interface TunnelIngressLimits {
  /** the request line must be whole by then (a slowloris is dropped); also how long a refused client may linger */
  headTimeoutMs: number;
  /** the local service must accept the connection by then */
  connectTimeoutMs: number;
}

export interface TunnelIngressDeps {
  /** MeshNode.admit: `<agentId> <token>` of a live link, else why not */
  admit(auth: string): { peer: string } | { refused: string };
  tcp: LocalTcpLookup;
  /** this machine's name in the mesh, for messages */
  selfName(): string;
  logger: Logger;
  limits?: Partial<TunnelIngressLimits>;
}

const DEFAULT_LIMITS: TunnelIngressLimits = { headTimeoutMs: 10_000, connectTimeoutMs: 5_000 };
/** a tunnel to a database may sit idle for hours: TCP keepalive finds a teammate's machine that vanished */
const KEEPALIVE_MS = 30_000;

export class TunnelIngress implements AsyncDisposable {
  private readonly limits: TunnelIngressLimits;
  private readonly sockets = new Set<net.Socket>();
  /** open TCP tunnels by the agent id they were admitted for: a link that goes down takes its tunnels along */
  private readonly byMachine = new Map<string, Set<TLSSocket>>();
  private snapshots: PublishedSnapshots | null = null;
  private closed = false;

  constructor(private readonly deps: TunnelIngressDeps) {
    this.limits = { ...DEFAULT_LIMITS, ...deps.limits };
  }

  /** What `snapshots`/`snapshot` requests serve; until set, the list is empty and every snapshot unknown. */
  serveSnapshots(published: PublishedSnapshots | null): void {
    this.snapshots = published;
  }

  /** A TLS connection that negotiated devmesh-tunnel/1 on the peer ingress. */
  accept(socket: TLSSocket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.track(socket);
    socket.setNoDelay(true);
    this.serve(socket).catch((err: unknown) => {
      this.deps.logger.error(
        { domain: 'proxy', listener: 'tunnel', err: err instanceof Error ? err.stack : String(err) },
        'tunnel: a connection failed',
      );
      socket.destroy();
    });
  }

  /**
   * The link with `machineId` is gone (it left, fell silent, or was replaced by none): its credentials no longer
   * admit anything, so its open tunnels end too, as HTTP requests in flight to it do.
   */
  dropMachine(machineId: string, reason: string): void {
    const open = this.byMachine.get(machineId);
    if (open === undefined) return;
    this.byMachine.delete(machineId);
    this.deps.logger.info(
      { domain: 'proxy', listener: 'tunnel', machineId, tunnels: open.size, reason },
      'tunnels dropped',
    );
    for (const s of open) s.destroy();
  }

  dispose(): void {
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private async serve(socket: TLSSocket): Promise<void> {
    let head: string;
    try {
      head = await readLine(socket, TUNNEL_MAX_HEAD, this.limits.headTimeoutMs);
    } catch (err) {
      if (err instanceof LineRefused && err.reason === 'too-long')
        return this.refuse(socket, 'MESSAGE_TOO_LARGE', `the tunnel request is longer than ${TUNNEL_MAX_HEAD} bytes`);
      this.deps.logger.debug(
        { domain: 'proxy', listener: 'tunnel', err: (err as Error).message },
        'tunnel: no request',
      );
      socket.destroy();
      return;
    }
    const req = parseTunnelRequest(head);
    if (typeof req === 'string') return this.refuse(socket, 'BAD_REQUEST', `DevMesh peer tunnel: ${req}`);
    const admitted = this.deps.admit(req.auth);
    if ('refused' in admitted)
      return this.refuse(
        socket,
        'UNAUTHORIZED',
        `DevMesh peer ingress of ${this.deps.selfName()}: ${admitted.refused}`,
      );
    if (req.kind === 'tcp') {
      this.admittedFor(socket, req.auth);
      return this.pipeTcp(socket, req, admitted.peer);
    }
    if (req.kind === 'snapshots') return this.listSnapshots(socket, req.project);
    return this.sendSnapshot(socket, req);
  }

  private pipeTcp(socket: TLSSocket, req: Extract<TunnelRequest, { kind: 'tcp' }>, peer: string): void {
    const target = this.deps.tcp.find(req.project, req.service);
    if ('code' in target) return this.refuse(socket, target.code, target.message);
    const where = `127.0.0.1:${target.port}`;
    const upstream = net.connect({ host: '127.0.0.1', port: target.port, allowHalfOpen: true, noDelay: true });
    this.track(upstream);
    const timer = setTimeout(
      () => upstream.destroy(new Error(`no connection within ${this.limits.connectTimeoutMs} ms`)),
      this.limits.connectTimeoutMs,
    );
    upstream.once('close', () => clearTimeout(timer));
    const onFail = (err: Error): void => {
      clearTimeout(timer);
      upstream.destroy();
      this.refuse(socket, 'SERVICE_FAILED', `${target.label} did not accept a connection at ${where}: ${err.message}`);
    };
    upstream.once('error', onFail);
    const dropped = (): void => void upstream.destroy(); // the caller left before the service answered
    socket.once('close', dropped);
    upstream.once('connect', () => {
      clearTimeout(timer);
      upstream.off('error', onFail);
      socket.off('close', dropped);
      if (socket.destroyed) {
        upstream.destroy();
        return;
      }
      socket.write(tunnelLine({ ok: true, kind: 'tcp', label: target.label }));
      socket.setKeepAlive(true, KEEPALIVE_MS);
      upstream.setKeepAlive(true, KEEPALIVE_MS);
      const log = { domain: 'proxy', listener: 'tunnel', peer, from: req.from, to: target.label };
      this.deps.logger.info(log, 'tunnel opened');
      // Bytes the caller sent behind its request line are still in `socket`: the splice passes them on.
      spliceSockets(socket, upstream, (err) =>
        this.deps.logger.info({ ...log, err: err?.message }, err === null ? 'tunnel closed' : 'tunnel failed'),
      );
    });
  }

  private listSnapshots(socket: TLSSocket, project: string | null): void {
    const published = this.snapshots?.published(project) ?? [];
    this.answer(socket, { ok: true, kind: 'snapshots', snapshots: published });
  }

  private async sendSnapshot(socket: TLSSocket, req: Extract<TunnelRequest, { kind: 'snapshot' }>): Promise<void> {
    const self = this.deps.selfName();
    const what = `snapshot ${req.name} of ${req.service}.${req.project}`;
    const file = this.snapshots?.file(req.project, req.service, req.name) ?? null;
    if (file === null) return this.refuse(socket, 'SERVICE_NOT_FOUND', `${self} has published no ${what}`);
    let handle: FileHandle;
    try {
      handle = await open(file.path, 'r');
    } catch (err) {
      return this.refuse(
        socket,
        'SERVICE_NOT_FOUND',
        `the file of ${what} is gone on ${self}: ${(err as Error).message}`,
      );
    }
    let streaming = false;
    try {
      const size = (await handle.stat()).size;
      if (size !== file.size)
        return this.refuse(
          socket,
          'SNAPSHOT_CORRUPT',
          `the file of ${what} on ${self} is ${size} bytes, not the ${file.size} recorded: it is damaged`,
        );
      if (socket.destroyed) return;
      socket.write(tunnelLine({ ok: true, kind: 'snapshot', size, sha256: file.sha256 }));
      if (size === 0) {
        socket.end();
        return;
      }
      const stream = handle.createReadStream({ start: 0, end: size - 1, autoClose: true });
      streaming = true; // the stream closes the file now
      stream.on('error', (err) => {
        this.deps.logger.warn(
          { domain: 'proxy', listener: 'tunnel', err: err.message },
          `tunnel: reading ${what} failed`,
        );
        socket.destroy();
      });
      socket.once('close', () => stream.destroy());
      stream.pipe(socket); // ends the socket after the last byte; pipe waits for drain (backpressure)
      socket.resume(); // the caller sends nothing more; reading lets its end close the socket
    } finally {
      if (!streaming)
        await handle
          .close()
          .catch((err: Error) =>
            this.deps.logger.warn(
              { domain: 'proxy', listener: 'tunnel', err: err.message },
              'tunnel: closing a file failed',
            ),
          );
    }
  }

  private answer(socket: TLSSocket, answer: TunnelAnswer): void {
    if (socket.destroyed) return;
    socket.end(tunnelLine(answer));
    // A client that never closes its side would hold the socket: it gets as long as a head.
    socket.setTimeout(this.limits.headTimeoutMs, () => socket.destroy());
    socket.resume();
  }

  private refuse(socket: TLSSocket, code: string, message: string): void {
    this.deps.logger.debug({ domain: 'proxy', listener: 'tunnel', code, message }, 'tunnel refused');
    this.answer(socket, { ok: false, code, message });
  }

  private admittedFor(socket: TLSSocket, auth: string): void {
    const machineId = auth.split(' ', 1)[0]!;
    let open = this.byMachine.get(machineId);
    if (open === undefined) this.byMachine.set(machineId, (open = new Set()));
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      if (open.size === 0 && this.byMachine.get(machineId) === open) this.byMachine.delete(machineId);
    });
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('error', (err) =>
      this.deps.logger.debug({ domain: 'proxy', listener: 'tunnel', err: err.message }, 'tunnel socket error'),
    );
    socket.once('close', () => this.sockets.delete(socket));
  }
}
