// The client side of the peer tunnel (tunnel-protocol.ts): a TLS connection to a teammate's peer ingress with
// ALPN devmesh-tunnel/1, trusting exactly the certificate its mesh link announced (as the HTTP path does:
// pinned, whatever name it carries), presenting this agent's mesh credentials (`<agentId> <token>`, as
// X-DevMesh-Mesh), then one request line and one answer line. Failures are DevMeshErrors that say which
// teammate, where, and what to do.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { PeerSnapshot } from '../../../../shared/database.js';
import { DevMeshError } from '../../../../shared/errors.js';
import type { RoutablePeer } from '../routable-peer.js';
import type { PeerTunnelDialer } from './peer-tunnel-dialer.js';
import { readLine } from './tunnel-line-reader.js';
import { knownCode, parseTunnelAnswer, tunnelLine } from './tunnel-messages.js';
import { TUNNEL_ALPN, type TunnelAnswer, type TunnelRequest } from './tunnel-protocol.js';

/** an answer line may list many snapshots: far more room than a request gets */
const MAX_ANSWER = 1024 * 1024;

export interface TunnelDialerDeps {
  /** this agent's id in the mesh: the first half of its credentials */
  agentId(): string;
  logger: Logger;
}

type Ok<K extends string> = Extract<TunnelAnswer, { ok: true; kind: K }>;
type Opened<K extends string> = { socket: tls.TLSSocket; answer: Ok<K> };

export class TunnelDialer implements PeerTunnelDialer {
  constructor(private readonly deps: TunnelDialerDeps) {}

  async openTcp(
    peer: RoutablePeer,
    target: { project: string; service: string; from: string | null },
    timeoutMs: number,
  ): Promise<{ socket: tls.TLSSocket; label: string }> {
    const req = { kind: 'tcp' as const, auth: this.auth(peer), ...target };
    const { socket, answer } = await this.request(peer, req, 'tcp', timeoutMs);
    return { socket, label: answer.label };
  }

  async listSnapshots(peer: RoutablePeer, project: string | null, timeoutMs: number): Promise<PeerSnapshot[]> {
    const req = { kind: 'snapshots' as const, auth: this.auth(peer), project };
    const { socket, answer } = await this.request(peer, req, 'snapshots', timeoutMs);
    socket.destroy();
    return answer.snapshots.map((s) => ({ ...s, peer: peer.name }));
  }

  async fetchSnapshot(
    peer: RoutablePeer,
    snapshot: { project: string; service: string; name: string },
    destPath: string,
    timeoutMs: number,
  ): Promise<{ size: number; sha256: string }> {
    await mkdir(dirname(destPath), { recursive: true });
    const req = { kind: 'snapshot' as const, auth: this.auth(peer), ...snapshot };
    const opened = await this.request(peer, req, 'snapshot', timeoutMs);
    const what = `snapshot ${snapshot.name} of ${snapshot.service}.${snapshot.project} from ${peer.name}`;
    return this.receive(opened, destPath, what, timeoutMs);
  }

  private auth(peer: RoutablePeer): string {
    return `${this.deps.agentId()} ${peer.token}`;
  }

  /** Connects, sends the request and reads the answer, all within `timeoutMs`; what follows is still unread. */
  private request<K extends TunnelRequest['kind']>(
    peer: RoutablePeer,
    req: TunnelRequest & { kind: K },
    kind: K,
    timeoutMs: number,
  ): Promise<Opened<K>> {
    const where = peer.host.includes(':') ? `[${peer.host}]:${peer.ingressPort}` : `${peer.host}:${peer.ingressPort}`;
    const ingress = `${peer.name}'s peer ingress at ${where}`;
    return new Promise((resolve, reject) => {
      let settled = false;
      // allowHalfOpen (honoured by tls.connect, missing from its typings): a client that ends its side still
      // gets the rest of the service's answer.
      const options: tls.ConnectionOptions & { allowHalfOpen: boolean } = {
        host: peer.host,
        port: peer.ingressPort,
        // Pinned: the certificate the authenticated link announced is the only one trusted, whatever its name.
        ca: [peer.ingressCert],
        checkServerIdentity: () => undefined,
        ALPNProtocols: [TUNNEL_ALPN],
        allowHalfOpen: true,
      };
      const socket = tls.connect(options);
      socket.setNoDelay(true);
      // Errors after the answer go to whoever holds the socket; this one keeps a stray one from the event loop.
      socket.on('error', (err: Error) =>
        this.deps.logger.debug({ domain: 'proxy', peer: peer.name, err: err.message }, 'tunnel'),
      );
      const fail = (err: DevMeshError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      const timer = setTimeout(() => fail(unreachable(`no answer from ${ingress} within ${timeoutMs} ms`)), timeoutMs);
      socket.once('error', (err: NodeJS.ErrnoException) => fail(unreachable(connectFailure(ingress, err))));
      socket.once('secureConnect', () => {
        if (socket.alpnProtocol !== TUNNEL_ALPN)
          return fail(
            unreachable(`${ingress} does not offer the peer tunnel (${TUNNEL_ALPN}): update DevMesh on ${peer.name}`),
          );
        socket.write(tunnelLine(req));
        readLine(socket, MAX_ANSWER, timeoutMs).then(
          (line) => {
            const answer = parseTunnelAnswer(line);
            if (answer === null) return fail(unreachable(`${ingress} answered something that is not a tunnel answer`));
            if (!answer.ok) return fail(new DevMeshError(knownCode(answer.code), answer.message));
            if (answer.kind !== kind)
              return fail(new DevMeshError('INTERNAL', `${ingress} answered a ${kind} request with ${answer.kind}`));
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({ socket, answer: answer as Ok<K> });
          },
          (err: Error) => fail(unreachable(`${ingress} closed the tunnel before answering: ${err.message}`)),
        );
      });
    });
  }

  /** Streams the snapshot into a temporary file beside `destPath`, checks size and hash, then renames it. */
  private async receive(
    { socket, answer }: Opened<'snapshot'>,
    destPath: string,
    what: string,
    idleMs: number,
  ): Promise<{ size: number; sha256: string }> {
    const temp = `${destPath}.part-${randomBytes(4).toString('hex')}`;
    let file;
    try {
      file = await open(temp, 'wx');
    } catch (err) {
      socket.destroy();
      throw new DevMeshError(
        'STORE_UNAVAILABLE',
        `cannot write ${temp} to fetch the ${what}: ${(err as Error).message}`,
      );
    }
    const out = file.createWriteStream();
    const hash = createHash('sha256');
    const expected = answer.sha256.toLowerCase();
    let got = 0;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: DevMeshError): void => {
        if (settled) return;
        settled = true;
        socket.destroy();
        out.destroy();
        const remove = (): void =>
          void rm(temp, { force: true }).then(
            () => reject(err),
            (rmErr: Error) =>
              reject(new DevMeshError(err.code, `${err.message} (and ${temp} could not be removed: ${rmErr.message})`)),
          );
        if (out.closed) remove();
        else out.once('close', remove);
      };
      const take = (chunk: Buffer): void => {
        if (got + chunk.length > answer.size)
          return fail(
            new DevMeshError('SNAPSHOT_CORRUPT', `the ${what} is longer than the ${answer.size} bytes announced`),
          );
        got += chunk.length;
        hash.update(chunk);
        if (!out.write(chunk)) {
          socket.pause();
          out.once('drain', () => socket.resume());
        }
      };
      socket.setTimeout(idleMs, () =>
        fail(unreachable(`the ${what} stalled: no byte for ${idleMs} ms after ${got} of ${answer.size} bytes`)),
      );
      socket.on('error', (err: Error) => fail(unreachable(`the ${what} broke off after ${got} bytes: ${err.message}`)));
      socket.on('close', () => {
        if (got < answer.size) fail(unreachable(`the ${what} ended after ${got} of ${answer.size} bytes`));
      });
      socket.on('end', () => {
        if (got < answer.size) return fail(unreachable(`the ${what} ended after ${got} of ${answer.size} bytes`));
        socket.setTimeout(0);
        out.end();
      });
      out.on('error', (err) => fail(new DevMeshError('STORE_UNAVAILABLE', `writing ${temp} failed: ${err.message}`)));
      out.on('finish', () => {
        const sha256 = hash.digest('hex');
        if (sha256 !== expected)
          return fail(
            new DevMeshError(
              'SNAPSHOT_CORRUPT',
              `the ${what} does not match its sha256 (got ${sha256.slice(0, 12)}…, announced ${expected.slice(0, 12)}…): it was damaged on the way or on disk there; nothing was kept`,
            ),
          );
        out.once(
          'close',
          () =>
            void rename(temp, destPath).then(
              () => {
                settled = true;
                resolve({ size: got, sha256 });
              },
              (err: Error) =>
                fail(new DevMeshError('STORE_UNAVAILABLE', `cannot move ${temp} to ${destPath}: ${err.message}`)),
            ),
        );
      });
      socket.on('data', take);
    });
  }
}

function unreachable(message: string): DevMeshError {
  return new DevMeshError('MACHINE_UNREACHABLE', message);
}

/** TLS verification codes a pinned certificate that does not match produces */
const PIN_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function connectFailure(ingress: string, err: NodeJS.ErrnoException): string {
  if (err.code !== undefined && PIN_ERRORS.has(err.code))
    return `${ingress} presented a certificate other than the one its mesh link announced (${err.code}): it restarted (wait for the link to announce the new one) or another program answers there`;
  if (err.code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL')
    return `${ingress} does not offer the peer tunnel (${TUNNEL_ALPN}): update DevMesh on that machine`;
  if (err.code === 'ECONNREFUSED') return `${ingress} refused the connection: DevMesh may have stopped there`;
  return `cannot reach ${ingress}: ${err.message}`;
}
