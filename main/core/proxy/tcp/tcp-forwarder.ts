// One TCP service's stable address: a net.Server on the proxy's host that forwards each connection to the
// instance the plan names (this machine's, or a teammate's through the peer tunnel), trying the next one when
// connecting fails, then pipes bytes both ways until either side is done. Half-close is kept (a client that
// ends its side still gets the answer), idle connections live as long as their ends do (databases keep
// connections for hours), and nothing a socket does (errors, resets, garbage) reaches the event loop.
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { ForwardDecision } from '../route-decision.js';
import type { TcpCounters } from './tcp-counters.js';

/** where a new connection goes: the candidates in order, or why it goes nowhere (said in the log) */
export type TcpPlan = { kind: 'forward'; candidates: ForwardDecision[] } | { kind: 'none'; why: string };

export interface TcpForwarderDeps {
  project: string;
  service: string;
  host: string;
  port: number;
  counters: TcpCounters;
  plan: () => Promise<TcpPlan>;
  /** a connected stream to the candidate, or a rejection saying why not, within timeoutMs */
  dial: (candidate: ForwardDecision, timeoutMs: number) => Promise<Duplex>;
  /** the candidate could not be reached: the chooser passes it over briefly */
  reportFailure: (key: string) => void;
  logger: Logger;
  /** how long one candidate may take to connect; default 5 s */
  connectTimeoutMs?: number;
}

const CONNECT_TIMEOUT_MS = 5_000;

export class TcpForwarder {
  private server: Server | null = null;
  private readonly clients = new Set<Socket>();
  private closing = false;

  constructor(private readonly deps: TcpForwarderDeps) {}

  get port(): number {
    return this.deps.port;
  }

  /** Listens on host:port; resolves null, or why it could not (a busy port…), never rejects. */
  listen(): Promise<string | null> {
    const { host, port, logger } = this.deps;
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
    server.on('connection', (client) => this.contain(() => this.accept(client)));
    return new Promise((resolve) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        server.close();
        resolve(TcpForwarder.listenProblem(err, host, port, this.deps.service));
      });
      server.listen({ host, port }, () => {
        server.removeAllListeners('error');
        server.on('error', (err) => logger.warn({ err: err.message }, 'tcp listener error'));
        this.server = server;
        resolve(null);
      });
    });
  }

  /**
   * Stops listening so the local engine can take the port itself (TcpRoutes.lend); the connections it
   * carries to teammates go on. listen() takes the port back.
   */
  async unlisten(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return;
    // close() ends the listening socket now; its callback would wait for every carried connection to end.
    server.close();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  get listening(): boolean {
    return this.server !== null;
  }

  /** Stops listening and drops every connection it carries (the project closed or the address moved). */
  async close(): Promise<void> {
    this.closing = true;
    const server = this.server;
    this.server = null;
    for (const client of this.clients) client.destroy();
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  static listenProblem(err: NodeJS.ErrnoException, host: string, port: number, service: string): string {
    if (err.code === 'EADDRINUSE')
      return (
        `${host}:${port} is already in use by another program, so ${service}'s stable address does not listen: ` +
        `stop that program (\`ss -ltnp 'sport = :${port}'\` names it), or set another tcp_port: for ${service} ` +
        'in devmesh.yaml'
      );
    if (err.code === 'EACCES')
      return `${host}:${port} may not be used by this user (${service}'s stable address): set a tcp_port above 1023`;
    return `${host}:${port} could not be opened for ${service}'s stable address: ${err.message}`;
  }

  private accept(client: Socket): void {
    if (this.closing) {
      client.destroy();
      return;
    }
    const { counters, logger } = this.deps;
    this.clients.add(client);
    counters.opened(client);
    client.on('error', (err) => logger.debug({ err: err.message }, 'tcp client error'));
    client.once('close', () =>
      this.contain(() => {
        this.clients.delete(client);
        counters.closed(client);
      }),
    );
    client.setNoDelay(true);
    // Notices a client machine that vanished without a FIN; never closes a merely idle connection.
    client.setKeepAlive(true, 60_000);
    this.connect(client).catch((err: unknown) => {
      logger.error({ err: (err as Error).message }, 'tcp forwarding failed');
      client.destroy();
    });
  }

  private async connect(client: Socket): Promise<void> {
    const { counters, logger, project, service } = this.deps;
    const plan = await this.deps.plan();
    if (client.destroyed) return;
    if (plan.kind === 'none') {
      counters.fail();
      logger.info({ project, service, why: plan.why }, 'tcp connection closed: no instance');
      client.destroy();
      return;
    }
    const tried: string[] = [];
    for (const candidate of plan.candidates) {
      let upstream: Duplex;
      try {
        upstream = await this.deps.dial(candidate, this.deps.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
      } catch (err) {
        this.deps.reportFailure(candidate.key);
        tried.push(`${candidate.upstream}: ${(err as Error).message}`);
        continue;
      }
      if (client.destroyed || this.closing) {
        upstream.destroy();
        return;
      }
      if (tried.length > 0) logger.info({ project, service, tried, to: candidate.upstream }, 'tcp failover');
      this.pipe(client, upstream);
      return;
    }
    counters.fail();
    logger.warn({ project, service, tried }, 'tcp connection closed: no instance could be reached');
    client.destroy();
  }

  /** Bytes both ways; an end on one side ends the other's writing side only (half-close), an error both. */
  private pipe(client: Socket, upstream: Duplex): void {
    const { logger } = this.deps;
    upstream.on('error', (err) => logger.debug({ err: err.message }, 'tcp upstream error'));
    // Gone with its writes unfinished (a reset, a crash): the client must not wait for bytes that never come.
    upstream.once('close', () => this.contain(() => !client.writableEnded && client.destroy()));
    client.once('close', () => this.contain(() => upstream.destroy()));
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }

  private contain(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.logger.error({ err: (err as Error).message }, 'tcp forwarder fault contained');
    }
  }
}
