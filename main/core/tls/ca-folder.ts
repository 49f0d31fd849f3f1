// The CA's folder (<DEVMESH_HOME>/ca): `ca.pem` (the certificate users trust) and `ca-key.pem` (its private
// key, 0600). Created once, atomically: the files are written into a sibling temp folder that is then
// renamed into place, so a CLI and a daemon starting together never end up with a key and a certificate
// from two different runs. Later opens check that the pair is whole, matching and still valid.
import { X509Certificate, createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DevMeshError } from '../../../shared/errors.js';
import type { AuthorityPem } from './certificate-factory.js';

export const CA_CERT_FILE = 'ca.pem';
export const CA_KEY_FILE = 'ca-key.pem';

export class CaFolder {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  get certPath(): string {
    return join(this.dir, CA_CERT_FILE);
  }
  get keyPath(): string {
    return join(this.dir, CA_KEY_FILE);
  }

  /** Whether a CA was created here; a folder holding only one of the two files counts (and `load` says what is wrong). */
  exists(): boolean {
    return existsSync(this.certPath) || existsSync(this.keyPath);
  }

  /**
   * Writes a new CA unless another process got there first; returns what is on disk afterwards, which is
   * `created` unless it lost that race.
   */
  create(created: AuthorityPem): AuthorityPem {
    const parent = dirname(this.dir);
    mkdirSync(parent, { recursive: true, mode: 0o700 });
    const tmp = join(parent, `.${basename(this.dir)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    mkdirSync(tmp, { mode: 0o700 });
    try {
      writeFileSync(join(tmp, CA_KEY_FILE), created.keyPem, { mode: 0o600 });
      writeFileSync(join(tmp, CA_CERT_FILE), created.certPem, { mode: 0o644 });
      if (existsSync(this.dir) && readdirSync(this.dir).length === 0)
        rmSync(this.dir, { recursive: true, force: true });
      try {
        renameSync(tmp, this.dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // ENOTEMPTY/EEXIST (POSIX) or EPERM (Windows): another process created the CA meanwhile; use theirs.
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw err;
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return this.load();
  }

  /** Reads and checks the pair; any problem is a DevMeshError naming the file and the way out. */
  load(): AuthorityPem {
    const certPem = this.read(this.certPath);
    const keyPem = this.read(this.keyPath);
    // A key readable by others is tightened rather than refused: the user's umask or a copy may have widened it.
    if (process.platform !== 'win32') chmodSync(this.keyPath, 0o600);
    const cert = this.parseCert(certPem);
    const key = this.parseKey(keyPem);
    if (!cert.checkPrivateKey(key)) {
      throw this.broken(this.keyPath, `does not belong to the certificate ${this.certPath}`);
    }
    if (!cert.ca) throw this.broken(this.certPath, 'is not a CA certificate');
    if (new Date(cert.validTo).getTime() <= Date.now()) {
      throw this.broken(this.certPath, `expired on ${new Date(cert.validTo).toISOString()}`);
    }
    return { certPem, keyPem };
  }

  private read(path: string): string {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw this.broken(path, 'is missing (the CA folder is incomplete)');
      throw this.broken(path, `cannot be read (${code ?? (err as Error).message})`);
    }
  }

  private parseCert(pem: string): X509Certificate {
    try {
      return new X509Certificate(pem);
    } catch (err) {
      throw this.broken(this.certPath, `is not a valid PEM certificate (${(err as Error).message})`);
    }
  }

  private parseKey(pem: string): KeyObject {
    try {
      const key = createPrivateKey(pem);
      if (key.asymmetricKeyType !== 'ec')
        throw new Error(`a ${key.asymmetricKeyType ?? 'unknown'} key, expected an EC P-256 key`);
      return key;
    } catch (err) {
      throw this.broken(this.keyPath, `is not a valid PEM private key (${(err as Error).message})`);
    }
  }

  private broken(path: string, problem: string): DevMeshError {
    return new DevMeshError(
      'CONFIG_INVALID',
      `DevMesh's local certificate authority is unusable: ${path} ${problem}. ` +
        `Delete the folder ${this.dir} and DevMesh creates a new CA on its next start ` +
        '(then trust it again with `devmesh ca trust`).',
    );
  }
}
