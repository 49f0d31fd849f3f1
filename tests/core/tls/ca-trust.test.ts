// The trust steps per OS, and the installer that runs steps. The installer is exercised with harmless
// shell commands (`exit 0`, `exit 3`, a missing program), never with the real trust steps.
import { describe, expect, it } from 'vitest';
import { CaTrustInstaller } from '../../../main/core/tls/ca-trust-installer.js';
import { CaTrustSteps } from '../../../main/core/tls/ca-trust-steps.js';

const CERT = '/home/ada/.devmesh/ca/ca.pem';

describe('CaTrustSteps', () => {
  it('Debian: update-ca-certificates and the NSS database', () => {
    const steps = new CaTrustSteps({ platform: 'linux', exists: (p) => p === '/etc/debian_version' }).steps(CERT);
    expect(steps.map((s) => s.command)).toEqual([
      `sudo cp ${CERT} /usr/local/share/ca-certificates/devmesh.crt && sudo update-ca-certificates`,
      `certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n "DevMesh Local CA" -i ${CERT}`,
    ]);
    expect(steps[1]!.what).toContain('libnss3-tools');
  });

  it('Fedora: the ca-trust anchors; an unknown Linux gets both system stores', () => {
    const fedora = new CaTrustSteps({
      platform: 'linux',
      exists: (p) => p === '/etc/pki/ca-trust/source/anchors',
    }).steps(CERT);
    expect(fedora[0]!.command).toBe(
      `sudo cp ${CERT} /etc/pki/ca-trust/source/anchors/devmesh.pem && sudo update-ca-trust`,
    );
    expect(fedora).toHaveLength(2);
    const unknown = new CaTrustSteps({ platform: 'linux', exists: () => false }).steps(CERT);
    expect(unknown.map((s) => s.what.split(':')[0])).toEqual([
      'Debian/Ubuntu',
      'Fedora/RHEL',
      'Chrome/Chromium and Firefox (NSS database; needs `certutil` from the libnss3-tools package)',
    ]);
  });

  it('macOS and Windows', () => {
    expect(new CaTrustSteps({ platform: 'darwin' }).steps(CERT)).toEqual([
      expect.objectContaining({
        command: `sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${CERT}`,
      }),
    ]);
    expect(new CaTrustSteps({ platform: 'win32' }).steps('C:\\Users\\Ada Lovelace\\.devmesh\\ca\\ca.pem')).toEqual([
      expect.objectContaining({
        command: 'certutil -addstore -f ROOT "C:\\Users\\Ada Lovelace\\.devmesh\\ca\\ca.pem"',
      }),
    ]);
  });

  it('quotes paths the shell would split', () => {
    const [step] = new CaTrustSteps({ platform: 'darwin' }).steps("/Users/o'brien/My Home/ca.pem");
    expect(step!.command.endsWith(`'/Users/o'\\''brien/My Home/ca.pem'`)).toBe(true);
  });
});

describe('CaTrustInstaller', () => {
  const installer = new CaTrustInstaller(undefined, 'ignore');

  it('runs steps in order, reporting each, and carries on after a failure', async () => {
    const seen: string[] = [];
    const outcomes = await installer.runAll(
      [
        { what: 'fails', command: 'exit 3' },
        { what: 'missing program', command: 'devmesh-no-such-program-xyz' },
        { what: 'works', command: 'exit 0' },
      ],
      (step) => seen.push(step.what),
    );
    expect(seen).toEqual(['fails', 'missing program', 'works']);
    expect(outcomes.map((o) => [o.ok, o.exitCode])).toEqual([
      [false, 3],
      [false, 127],
      [true, 0],
    ]);
    expect(outcomes[0]!.error).toBe('`exit 3` failed with exit code 3');
    expect(outcomes[1]!.error).toContain('a program it needs is not installed');
  });

  it('reports a spawner that throws as a failed step', async () => {
    const broken = new CaTrustInstaller(() => {
      throw new Error('spawn EACCES');
    });
    const outcome = await broken.run({ what: 'x', command: 'true' });
    expect(outcome).toMatchObject({ ok: false, exitCode: null, error: 'could not start `true`: spawn EACCES' });
  });
});
