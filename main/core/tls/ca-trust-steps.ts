// The commands that make this OS (and its browsers) trust DevMesh's CA: printed by `devmesh ca trust`,
// run by `devmesh ca trust --yes`. Which Linux family this is decides between Debian's and Fedora's
// system store; when neither is recognised both are listed.
import { existsSync } from 'node:fs';
import type { CaInfo } from '../../../shared/proxy.js';

export type TrustStep = CaInfo['trustSteps'][number];

export interface CaTrustStepsDeps {
  platform?: NodeJS.Platform;
  /** file probe, to recognise the Linux family (injected by tests) */
  exists?: (path: string) => boolean;
}

export class CaTrustSteps {
  static readonly NSS_NICKNAME = 'DevMesh Local CA';
  private readonly platform: NodeJS.Platform;
  private readonly exists: (path: string) => boolean;

  constructor(deps: CaTrustStepsDeps = {}) {
    this.platform = deps.platform ?? process.platform;
    this.exists = deps.exists ?? existsSync;
  }

  steps(certPath: string): TrustStep[] {
    switch (this.platform) {
      case 'darwin':
        return [
          {
            what: 'macOS: add the CA to the System keychain as a trusted root (Safari, Chrome, curl; asks for your password)',
            command: `sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${CaTrustSteps.quote(certPath)}`,
          },
        ];
      case 'win32':
        return [
          {
            what: 'Windows: add the CA to the machine Trusted Root store (Edge, Chrome; run from an administrator prompt)',
            command: `certutil -addstore -f ROOT ${CaTrustSteps.quoteWindows(certPath)}`,
          },
        ];
      default:
        return [...this.linuxSystemSteps(certPath), this.nssStep(certPath)];
    }
  }

  private linuxSystemSteps(certPath: string): TrustStep[] {
    const cert = CaTrustSteps.quote(certPath);
    const debian: TrustStep = {
      what: 'Debian/Ubuntu: add the CA to the system store (curl, wget, most CLI tools)',
      command: `sudo cp ${cert} /usr/local/share/ca-certificates/devmesh.crt && sudo update-ca-certificates`,
    };
    const fedora: TrustStep = {
      what: 'Fedora/RHEL: add the CA to the system store (curl, wget, most CLI tools)',
      command: `sudo cp ${cert} /etc/pki/ca-trust/source/anchors/devmesh.pem && sudo update-ca-trust`,
    };
    const isDebian = this.exists('/etc/debian_version') || this.exists('/usr/sbin/update-ca-certificates');
    const isFedora = this.exists('/etc/pki/ca-trust/source/anchors');
    if (isDebian && !isFedora) return [debian];
    if (isFedora && !isDebian) return [fedora];
    return [debian, fedora];
  }

  private nssStep(certPath: string): TrustStep {
    return {
      what: 'Chrome/Chromium and Firefox (NSS database; needs `certutil` from the libnss3-tools package)',
      command: `certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n "${CaTrustSteps.NSS_NICKNAME}" -i ${CaTrustSteps.quote(certPath)}`,
    };
  }

  /** POSIX shell quoting, only when needed so the common case stays readable */
  private static quote(path: string): string {
    return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
  }

  private static quoteWindows(path: string): string {
    return /^[\w:.\\/-]+$/.test(path) ? path : `"${path}"`;
  }
}
