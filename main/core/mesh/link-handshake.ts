// Opens an authenticated peer link, from either end: the dialer sends hello (mesh id, its id, a nonce),
// the acceptor answers with its own nonce and a proof that it holds the mesh secret, the dialer checks it
// and sends its proof, the acceptor checks that and says ready (sealed, so the dialer knows the session
// key matches). Anything else — another mesh, a wrong secret, a malformed or slow handshake — closes the
// socket with a reason and the attempt is logged by the caller; the secret never crosses the wire.
// Links run over TLS (wss) with self-signed certificates; the proofs cover the TLS session's channel
// binding, which is what authenticates the channel (MeshTlsIdentity).
import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import { MeshTlsIdentity } from './mesh-tls-identity.js';
import { LinkCrypto, type HandshakeFacts, type LinkRole } from './link-crypto.js';
import {
  AuthSchema,
  ChallengeSchema,
  HelloSchema,
  LINK_CLOSE,
  LINK_PATH,
  LINK_PROTOCOL,
  LinkMessageSchema,
  MAX_LINK_FRAME,
  readRefusal,
  type Hello,
  type Refuse,
} from './link-messages.js';
import type { LinkRefusalCode } from '../../../shared/wire-errors.js';

export interface LinkEndpoint {
  meshId: string;
  secret: string;
  agentId: string;
  name: string;
  /** this agent's peer port (announced to acceptors), null when it accepts no links */
  port: number | null;
  heartbeatMs: number;
  /** this agent's certificate and key, presented when it dials (links are TLS both ways) */
  tls: MeshTlsIdentity;
}

export interface AuthenticatedSocket {
  ws: WebSocket;
  crypto: LinkCrypto;
  role: LinkRole;
  remoteId: string;
  remoteName: string;
  /** the peer's own peer port: with its IP, the address teammates can dial */
  remotePort: number | null;
  remoteIp: string;
  remoteHeartbeatMs: number;
  /** frames that arrived after the handshake, before the link took the socket over */
  early: string[];
}

export class LinkRefused extends Error {
  constructor(
    readonly code: LinkRefusalCode,
    message: string,
  ) {
    super(message);
  }
}

const HANDSHAKE_TIMEOUT_MS = 5000;

/** Dials `host:port` and authenticates; rejects with LinkRefused naming why. */
export function dial(address: string, ep: LinkEndpoint): Promise<AuthenticatedSocket> {
  return new Promise((resolve, reject) => {
    // The certificate is not checked here: the HMAC proofs over the session's binding authenticate the peer.
    const ws = new WebSocket(`wss://${address}${LINK_PATH}`, {
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      maxPayload: MAX_LINK_FRAME,
      perMessageDeflate: false,
      rejectUnauthorized: false,
      cert: ep.tls.certPem,
      key: ep.tls.keyPem,
    });
    let binding = '';
    const nonce = LinkCrypto.nonce();
    let stage: 'hello' | 'auth' | 'done' = 'hello';
    let facts: HandshakeFacts | null = null;
    let crypto: LinkCrypto | null = null;
    let remote: { id: string; name: string; hb: number } | null = null;
    const timer = setTimeout(
      () =>
        fail(
          'timeout',
          `${address} did not complete the link handshake within ${HANDSHAKE_TIMEOUT_MS / 1000} s`,
          LINK_CLOSE.timeout,
        ),
      HANDSHAKE_TIMEOUT_MS,
    );
    const fail = (code: LinkRefusalCode, message: string, close: number = LINK_CLOSE.authFailed): void => {
      if (stage === 'done') return;
      stage = 'done';
      clearTimeout(timer);
      ws.removeAllListeners('message');
      if (ws.readyState === WebSocket.OPEN) ws.close(close, message.slice(0, 120));
      else ws.terminate();
      reject(new LinkRefused(code, message));
    };
    ws.on('error', (err: Error) => fail('unreachable', `cannot reach ${address}: ${err.message}`));
    ws.on('close', (code, reason) =>
      fail(
        code === LINK_CLOSE.otherMesh ? 'other-mesh' : 'closed',
        `${address} closed the link: ${reason.toString() || `code ${code}`}`,
      ),
    );
    ws.on('open', () => {
      binding = MeshTlsIdentity.binding((ws as unknown as { _socket: TLSSocket })._socket);
      const hello: Hello = {
        t: 'hello',
        proto: LINK_PROTOCOL,
        mesh: ep.meshId,
        id: ep.agentId,
        name: ep.name,
        nonce,
        port: ep.port,
        hb: ep.heartbeatMs,
      };
      ws.send(JSON.stringify(hello));
    });
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      if (stage === 'hello') {
        const msg = parse(text);
        const refused = readRefusal(msg);
        if (refused) return fail(refused.code, `${address} refused the link: ${refused.message}`);
        const ch = ChallengeSchema.safeParse(msg);
        if (!ch.success)
          return fail(
            'protocol',
            `${address} answered the link handshake with something else than a challenge`,
            LINK_CLOSE.protocol,
          );
        if (ch.data.id === ep.agentId) return fail('self', `${address} is this agent itself`, LINK_CLOSE.duplicate);
        facts = {
          meshId: ep.meshId,
          dialerId: ep.agentId,
          acceptorId: ch.data.id,
          dialerNonce: nonce,
          acceptorNonce: ch.data.nonce,
          binding,
        };
        if (!LinkCrypto.verifyProof(ep.secret, 'acceptor', facts, ch.data.proof)) {
          return fail(
            'auth-failed',
            `${address} (${ch.data.name}) could not prove it holds this mesh's secret: a wrong secret, not a member, or someone in the middle of the TLS connection`,
          );
        }
        remote = { id: ch.data.id, name: ch.data.name, hb: ch.data.hb };
        crypto = LinkCrypto.session(ep.secret, 'dialer', facts);
        stage = 'auth';
        ws.send(JSON.stringify({ t: 'auth', proof: LinkCrypto.proof(ep.secret, 'dialer', facts) }));
        return;
      }
      if (stage === 'auth') {
        const opened = crypto!.open(text);
        const ready = 'json' in opened ? LinkMessageSchema.safeParse(parse(opened.json)) : null;
        if (!ready?.success || ready.data.t !== 'ready')
          return fail('protocol', `${address} did not confirm the link`, LINK_CLOSE.protocol);
        stage = 'done';
        clearTimeout(timer);
        const early = queueEarly(ws);
        const sock = (ws as unknown as { _socket?: { remoteAddress?: string } })._socket;
        resolve({
          ws,
          crypto: crypto!,
          role: 'dialer',
          remoteId: remote!.id,
          remoteName: remote!.name,
          remotePort: Number(address.slice(address.lastIndexOf(':') + 1)),
          remoteIp: sock?.remoteAddress ?? address.slice(0, address.lastIndexOf(':')),
          remoteHeartbeatMs: remote!.hb,
          early,
        });
      }
    });
  });
}

/** Authenticates a link someone dialed; rejects (after closing it) with LinkRefused naming why. */
export function accept(
  ws: WebSocket,
  remoteIp: string,
  ep: LinkEndpoint,
  binding: string,
): Promise<AuthenticatedSocket> {
  return new Promise((resolve, reject) => {
    const nonce = LinkCrypto.nonce();
    let stage: 'hello' | 'auth' | 'done' = 'hello';
    let hello: Hello | null = null;
    let facts: HandshakeFacts | null = null;
    const timer = setTimeout(
      () =>
        fail(
          'timeout',
          `${remoteIp} did not complete the link handshake within ${HANDSHAKE_TIMEOUT_MS / 1000} s`,
          LINK_CLOSE.timeout,
        ),
      HANDSHAKE_TIMEOUT_MS,
    );
    const fail = (
      code: LinkRefusalCode,
      message: string,
      close: number = LINK_CLOSE.authFailed,
      tell = message,
    ): void => {
      if (stage === 'done') return;
      stage = 'done';
      clearTimeout(timer);
      ws.removeAllListeners('message');
      if (ws.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify({ t: 'refuse', code, message: tell } satisfies Refuse));
        ws.close(close, code);
      } else ws.terminate();
      reject(new LinkRefused(code, message));
    };
    ws.on('error', (err: Error) => fail('error', `link from ${remoteIp} failed: ${err.message}`));
    ws.on('close', (code) => {
      // The dialer checks this agent's proof first: a dialer with another secret hangs up here.
      if (stage === 'auth' && code === LINK_CLOSE.authFailed) {
        return fail(
          'auth-failed',
          `${hello!.name} (${remoteIp}) could not verify this agent's proof: its mesh secret differs (a wrong or old invite)`,
        );
      }
      fail('closed', `${remoteIp} closed the link during the handshake`);
    });
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      if (stage === 'hello') {
        const parsed = HelloSchema.safeParse(parse(text));
        if (!parsed.success) return fail('protocol', `${remoteIp} sent a malformed hello`, LINK_CLOSE.protocol);
        hello = parsed.data;
        if (hello.proto !== LINK_PROTOCOL) {
          return fail(
            'protocol',
            `${hello.name} (${remoteIp}) speaks link protocol ${hello.proto}, this agent ${LINK_PROTOCOL}: update DevMesh on the older machine`,
            LINK_CLOSE.protocol,
          );
        }
        if (hello.mesh !== ep.meshId) {
          return fail(
            'other-mesh',
            `${hello.name} (${remoteIp}) is in another mesh (${hello.mesh})`,
            LINK_CLOSE.otherMesh,
            'this agent is in another mesh',
          );
        }
        if (hello.id === ep.agentId) return fail('self', 'a link to itself', LINK_CLOSE.duplicate);
        facts = {
          meshId: ep.meshId,
          dialerId: hello.id,
          acceptorId: ep.agentId,
          dialerNonce: hello.nonce,
          acceptorNonce: nonce,
          binding,
        };
        stage = 'auth';
        ws.send(
          JSON.stringify({
            t: 'challenge',
            proto: LINK_PROTOCOL,
            id: ep.agentId,
            name: ep.name,
            nonce,
            proof: LinkCrypto.proof(ep.secret, 'acceptor', facts),
            hb: ep.heartbeatMs,
          }),
        );
        return;
      }
      if (stage === 'auth') {
        const auth = AuthSchema.safeParse(parse(text));
        if (!auth.success || !LinkCrypto.verifyProof(ep.secret, 'dialer', facts!, auth.data.proof)) {
          return fail(
            'auth-failed',
            `${hello!.name} (${remoteIp}) could not prove it holds this mesh's secret: a wrong secret, or not a member`,
            LINK_CLOSE.authFailed,
            'authentication failed',
          );
        }
        stage = 'done';
        clearTimeout(timer);
        const early = queueEarly(ws);
        const crypto = LinkCrypto.session(ep.secret, 'acceptor', facts!);
        ws.send(crypto.seal(JSON.stringify({ t: 'ready' })));
        resolve({
          ws,
          crypto,
          role: 'acceptor',
          remoteId: hello!.id,
          remoteName: hello!.name,
          remotePort: hello!.port,
          remoteIp,
          remoteHeartbeatMs: hello!.hb,
          early,
        });
      }
    });
  });
}

/** Swaps the handshake's listeners for a queue: frames arriving in the same read as the last handshake
 * frame are kept for the link (which installs its own listeners and drains the queue). */
function queueEarly(ws: WebSocket): string[] {
  const early: string[] = [];
  ws.removeAllListeners('message');
  ws.removeAllListeners('close');
  ws.removeAllListeners('error');
  ws.on('message', (data: WebSocket.RawData) => early.push(data.toString()));
  ws.on('error', () => {});
  return early;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
