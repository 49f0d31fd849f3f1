// DevMesh's own certificate authority, for `https://<service>.localhost:7443`: created once in
// <DEVMESH_HOME>/ca, it mints a certificate per `*.localhost` SNI name on demand and hands the proxy's
// HTTPS listener a TLS context for it. The CA is name-constrained to localhost, and it refuses any other
// name itself, so trusting it never lets it vouch for a real site.
import { X509Certificate } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { DevMeshError } from '../../../shared/errors.js';
import type { CaInfo } from '../../../shared/proxy.js';
import type { TlsContextProvider } from '../proxy/tls-context-provider.js';
import { CaFolder } from './ca-folder.js';
import { CaTrustSteps } from './ca-trust-steps.js';
import { CertificateFactory, type LeafNames, type SigningAuthority } from './certificate-factory.js';
import { SecureContextCache, type CachedContext } from './secure-context-cache.js';

export interface LocalCertificateAuthorityDeps {
  /** how many per-name TLS contexts stay in memory (least recently used are dropped) */
  cacheSize?: number;
  now?: () => Date;
  trustSteps?: CaTrustSteps;
}

export class LocalCertificateAuthority implements TlsContextProvider {
  static readonly DEFAULT_CACHE_SIZE = 1000;
  static readonly DEFAULT_NAME = 'localhost';
  /** a DNS label DevMesh mints for: service and project names (letters, digits, `-`, `_`) */
  private static readonly LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

  constructor(
    private readonly folder: CaFolder,
    private readonly authority: SigningAuthority,
    private readonly caCertPem: string,
    private readonly factory: CertificateFactory,
    private readonly defaultCtx: CachedContext & { certChainPem: string; keyPem: string },
    private readonly trustSteps: CaTrustSteps,
    private readonly cache: SecureContextCache,
  ) {}

  /** where the CA lives inside a DevMesh home folder: the daemon and `devmesh ca` must agree */
  static folderIn(homeDir: string): string {
    return join(homeDir, 'ca');
  }

  /** Opens the CA in `dir` (<DEVMESH_HOME>/ca, see `folderIn`), creating it on first use. */
  static async open(dir: string, deps: LocalCertificateAuthorityDeps = {}): Promise<LocalCertificateAuthority> {
    const now = deps.now ?? (() => new Date());
    const factory = new CertificateFactory(now);
    const folder = new CaFolder(dir);
    const pem = folder.exists()
      ? folder.load()
      : folder.create(await factory.createAuthority(LocalCertificateAuthority.commonName()));
    let authority: SigningAuthority;
    try {
      authority = await CertificateFactory.loadAuthority(pem);
    } catch (err) {
      throw new DevMeshError(
        'CONFIG_INVALID',
        `DevMesh's local certificate authority is unusable: ${folder.certPath} or ${folder.keyPath} cannot be used to sign ` +
          `(${(err as Error).message}). Delete the folder ${folder.dir} and DevMesh creates a new CA on its next start.`,
      );
    }
    const defaultCtx = await LocalCertificateAuthority.mint(factory, authority, pem.certPem, {
      dns: [LocalCertificateAuthority.DEFAULT_NAME],
      ips: ['127.0.0.1', '::1'],
    });
    const cache = new SecureContextCache(deps.cacheSize ?? LocalCertificateAuthority.DEFAULT_CACHE_SIZE, now);
    return new LocalCertificateAuthority(
      folder,
      authority,
      pem.certPem,
      factory,
      defaultCtx,
      deps.trustSteps ?? new CaTrustSteps(),
      cache,
    );
  }

  get certPath(): string {
    return this.folder.certPath;
  }

  get keyPath(): string {
    return this.folder.keyPath;
  }

  /** the CA certificate, PEM: what a client passes as `ca` to trust DevMesh's certificates */
  get certPem(): string {
    return this.caCertPem;
  }

  /** how many leaf certificates were minted on demand (the default one aside) */
  get mintCount(): number {
    return this.cache.mints;
  }

  secureContextFor(servername: string): Promise<SecureContext> {
    let name: string;
    try {
      name = LocalCertificateAuthority.normalizeName(servername);
    } catch (err) {
      return Promise.reject(err);
    }
    if (name === LocalCertificateAuthority.DEFAULT_NAME) return Promise.resolve(this.defaultCtx.context);
    return this.cache.get(name, (n) =>
      LocalCertificateAuthority.mint(this.factory, this.authority, this.caCertPem, { dns: [n], ips: [] }),
    );
  }

  defaultContext(): SecureContext {
    return this.defaultCtx.context;
  }

  /**
   * The `localhost` certificate (chain) and key as PEM. tls.createServer ignores a `secureContext` option
   * (Node 22), so a server made with it serves clients that send no SNI only through `key`/`cert`:
   * `tls.createServer({ ...ca.defaultCredentials(), SNICallback })`.
   */
  defaultCredentials(): { cert: string; key: string } {
    return { cert: this.defaultCtx.certChainPem, key: this.defaultCtx.keyPem };
  }

  info(): CaInfo {
    return {
      certPath: this.certPath,
      fingerprint: new X509Certificate(this.caCertPem).fingerprint256,
      trustSteps: this.trustSteps.steps(this.certPath),
    };
  }

  /**
   * `API.Shop.localhost` → `api.shop.localhost`; anything outside localhost is a DevMeshError (the TLS
   * handshake then fails), since DevMesh must never mint a certificate for a real domain.
   */
  static normalizeName(servername: string): string {
    const name = servername.toLowerCase().replace(/\.$/, '');
    const labels = name.split('.');
    const ok =
      name.length <= 253 &&
      labels.at(-1) === 'localhost' &&
      labels.slice(0, -1).every((label) => LocalCertificateAuthority.LABEL.test(label));
    if (!ok) {
      const shown = JSON.stringify(servername.length > 80 ? `${servername.slice(0, 80)}…` : servername);
      throw new DevMeshError(
        'BAD_REQUEST',
        `DevMesh's HTTPS proxy serves only localhost names, not ${shown}: ` +
          'use https://<service>.localhost (or <service>.<project>.localhost) on the proxy port.',
      );
    }
    return name;
  }

  private static async mint(
    factory: CertificateFactory,
    authority: SigningAuthority,
    caCertPem: string,
    names: LeafNames,
  ): Promise<CachedContext & { certChainPem: string; keyPem: string }> {
    const leaf = await factory.createLeaf(authority, names);
    // The chain includes the CA so clients that pin it by `ca` and those that trust it system-wide both verify.
    const certChainPem = `${leaf.certPem}\n${caCertPem}`;
    const context = createSecureContext({ cert: certChainPem, key: leaf.keyPem, minVersion: 'TLSv1.2' });
    return { context, notAfter: leaf.notAfter, certChainPem, keyPem: leaf.keyPem };
  }

  private static commonName(): string {
    let user: string;
    try {
      user = userInfo().username;
    } catch (err) {
      // No passwd entry (some containers): fall back to the environment, noting why.
      user = process.env.USER ?? process.env.USERNAME ?? `uid-${(err as NodeJS.ErrnoException).code ?? 'unknown'}`;
    }
    return `DevMesh Local CA (${user}@${hostname()})`;
  }
}
