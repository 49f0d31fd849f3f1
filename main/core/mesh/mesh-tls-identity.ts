// This agent's TLS identity in the mesh: a self-signed ECDSA P-256 certificate made at each start (the key
// never leaves memory). Links and the peer ingress run over TLS with it. No certificate authority is
// involved: a link binds its TLS session into the HMAC proofs over the mesh secret (LinkCrypto, channel
// binding by RFC 5705 keying material), so only members complete a link and nobody in the middle can;
// the ingress certificate travels over that authenticated link, and a peer's proxy trusts exactly it.
import { X509Certificate, webcrypto } from 'node:crypto';
import tls, { type SecureContext, type TLSSocket } from 'node:tls';
// Must come before @peculiar/x509: its tsyringe dependency checks for a Reflect metadata API on load.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { TlsContextProvider } from '../proxy/tls-context-provider.js';

x509.cryptoProvider.set(globalThis.crypto);

const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
/** RFC 5705 exporter label for the link's channel binding */
const EXPORTER_LABEL = 'EXPORTER-devmesh-link';

export class MeshTlsIdentity implements TlsContextProvider {
  readonly certPath = '';
  private readonly context: SecureContext;

  private constructor(
    readonly certPem: string,
    readonly keyPem: string,
    /** SHA-256 fingerprint as Node prints it (`AB:CD:…`) */
    readonly fingerprint: string,
  ) {
    this.context = tls.createSecureContext({ cert: certPem, key: keyPem });
  }

  static async create(agentId: string, now: Date = new Date()): Promise<MeshTlsIdentity> {
    const keys = await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
    const notBefore = new Date(now.getTime() - DAY_MS);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
        .toString('hex')
        .replace(/^[89a-f]/, '1'),
      name: [{ CN: [`devmesh-agent-${agentId}`] }, { O: ['DevMesh mesh link'] }],
      notBefore,
      notAfter: new Date(notBefore.getTime() + 400 * DAY_MS),
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth], false),
      ],
    });
    const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
    const certPem = cert.toString('pem');
    return new MeshTlsIdentity(
      certPem,
      x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
      new X509Certificate(certPem).fingerprint256,
    );
  }

  /** The channel binding of a TLS connection: the same bytes at both ends of one session, different for every other. */
  static binding(socket: TLSSocket): string {
    return socket.exportKeyingMaterial(32, EXPORTER_LABEL, Buffer.alloc(0)).toString('base64url');
  }

  /** TLS options that trust exactly one peer's certificate (pinned): for the proxy's connections to its ingress. */
  static pinned(certPem: string): tls.ConnectionOptions {
    return { ca: [certPem], checkServerIdentity: () => undefined, ALPNProtocols: ['http/1.1'] };
  }

  secureContextFor(_servername?: string): Promise<SecureContext> {
    return Promise.resolve(this.context);
  }

  defaultContext(): SecureContext {
    return this.context;
  }

  defaultCredentials(): { cert: string; key: string } {
    return { cert: this.certPem, key: this.keyPem };
  }
}
