// Mints the X.509 certificates of the local CA with @peculiar/x509 over Node's WebCrypto: the CA itself
// (self-signed, name-constrained to localhost) and the leaf certificates it signs for `*.localhost` names.
// ECDSA P-256 throughout: a key pair takes well under a millisecond, so minting on demand stays cheap.
import { webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
// Must come before @peculiar/x509: its tsyringe dependency checks for a Reflect metadata API on load.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

// globalThis.crypto is Node's webcrypto; taken from there, it type-checks with and without the DOM lib.
x509.cryptoProvider.set(globalThis.crypto);

const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
const ID_CE_NAME_CONSTRAINTS = '2.5.29.30';

/** the CA, as the files hold it */
export interface AuthorityPem {
  certPem: string;
  keyPem: string;
}

/** the CA, ready to sign */
export interface SigningAuthority {
  cert: x509.X509Certificate;
  key: CryptoKey;
}

/** a leaf certificate and its private key, both PEM, as tls.createSecureContext takes them */
export interface LeafPem {
  certPem: string;
  keyPem: string;
  notAfter: Date;
}

export interface LeafNames {
  dns: readonly string[];
  ips: readonly string[];
}

export class CertificateFactory {
  static readonly CA_VALIDITY_DAYS = 3650;
  /** browsers reject server certificates valid for more than 398 days */
  static readonly LEAF_VALIDITY_DAYS = 397;
  /** backdating absorbs a little clock skew between this machine and a VM or container */
  private static readonly BACKDATE_MS = 60 * 60 * 1000;

  private leafKeys: Promise<CryptoKeyPair> | null = null;
  private leafKeyPemCache: Promise<string> | null = null;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async createAuthority(commonName: string): Promise<AuthorityPem> {
    const keys = await CertificateFactory.generateKeys();
    const notBefore = new Date(this.now().getTime() - CertificateFactory.BACKDATE_MS);
    const name: x509.JsonName = [{ CN: [commonName] }, { O: ['DevMesh'] }];
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: CertificateFactory.serialNumber(),
      name,
      notBefore,
      notAfter: new Date(notBefore.getTime() + CertificateFactory.CA_VALIDITY_DAYS * DAY_MS),
      keys,
      signingAlgorithm: SIGNING,
      extensions: [
        // pathLength 0: this CA signs leaves only, never another CA
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        // If the key ever leaks, a certificate it signs for a real domain is still refused by verifiers.
        new x509.Extension(ID_CE_NAME_CONSTRAINTS, true, CertificateFactory.localhostNameConstraints()),
      ],
    });
    const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
    return { certPem: cert.toString('pem'), keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
  }

  /** Parses the CA files' contents into a signer; throws (the caller names the file) on malformed input. */
  static async loadAuthority(pem: AuthorityPem): Promise<SigningAuthority> {
    const cert = new x509.X509Certificate(pem.certPem);
    const der = x509.PemConverter.decodeFirst(pem.keyPem);
    const key = await webcrypto.subtle.importKey('pkcs8', der, EC_KEY, false, ['sign']);
    return { cert, key };
  }

  /** A leaf for these names, signed by the CA. All leaves share one in-memory key pair (never written). */
  async createLeaf(authority: SigningAuthority, names: LeafNames): Promise<LeafPem> {
    const keys = await this.leafKeyPair();
    const notBefore = new Date(this.now().getTime() - CertificateFactory.BACKDATE_MS);
    const notAfter = new Date(notBefore.getTime() + CertificateFactory.LEAF_VALIDITY_DAYS * DAY_MS);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: CertificateFactory.serialNumber(),
      subject: [{ CN: [names.dns[0] ?? 'localhost'] }, { O: ['DevMesh'] }],
      issuer: authority.cert.subjectName,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: authority.key,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
        new x509.SubjectAlternativeNameExtension([
          ...names.dns.map((value) => ({ type: 'dns' as const, value })),
          ...names.ips.map((value) => ({ type: 'ip' as const, value })),
        ]),
        await x509.AuthorityKeyIdentifierExtension.create(authority.cert.publicKey),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return { certPem: cert.toString('pem'), keyPem: await this.leafKeyPem(), notAfter };
  }

  private leafKeyPem(): Promise<string> {
    this.leafKeyPemCache ??= this.leafKeyPair().then(async (keys) => {
      const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
      return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
    });
    return this.leafKeyPemCache;
  }

  private leafKeyPair(): Promise<CryptoKeyPair> {
    this.leafKeys ??= CertificateFactory.generateKeys();
    return this.leafKeys;
  }

  private static async generateKeys(): Promise<CryptoKeyPair> {
    return webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
  }

  /** 128 random bits, first byte kept in 0x01..0x7f so the DER INTEGER is positive and of fixed length */
  private static serialNumber(): string {
    const bytes = webcrypto.getRandomValues(new Uint8Array(16));
    bytes[0] = (bytes[0]! & 0x7f) | 0x01;
    return Buffer.from(bytes).toString('hex');
  }

  /**
   * DER of NameConstraints (RFC 5280 §4.2.1.10) permitting only the DNS names `localhost` (which, by the
   * RFC, also covers every name under it) and `.localhost` (the leading-dot form some verifiers expect),
   * and the IP ranges 127.0.0.0/8 and ::1/128. @peculiar/x509 has no class for this extension.
   */
  static localhostNameConstraints(): Uint8Array<ArrayBuffer> {
    const tlv = (tag: number, content: Buffer): Buffer => {
      const n = content.length;
      const length =
        n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
      return Buffer.concat([Buffer.from([tag]), length, content]);
    };
    const subtree = (generalName: Buffer): Buffer => tlv(0x30, generalName);
    const dns = (name: string): Buffer => subtree(tlv(0x82, Buffer.from(name, 'ascii'))); // [2] IA5String
    const ip = (bytes: number[]): Buffer => subtree(tlv(0x87, Buffer.from(bytes))); // [7] address ‖ mask
    const loopbackV6 = [...Array<number>(15).fill(0), 1, ...Array<number>(16).fill(0xff)];
    const permitted = [dns('localhost'), dns('.localhost'), ip([127, 0, 0, 0, 255, 0, 0, 0]), ip(loopbackV6)];
    // NameConstraints ::= SEQUENCE { permittedSubtrees [0] IMPLICIT GeneralSubtrees }
    return new Uint8Array(tlv(0x30, tlv(0xa0, Buffer.concat(permitted))));
  }
}
