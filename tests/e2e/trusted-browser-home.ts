// A HOME for the e2e suites' Chromium that trusts the daemon's CA the way `devmesh ca trust` says: the NSS
// step it prints for Chromium and Firefox (`certutil -d sql:$HOME/.pki/nssdb -A …`), run as printed with
// HOME pointing here, so https://<service>.localhost opens without --ignore-certificate-errors. The NSS
// folder is made first, as Chromium makes it on its first run (certutil fails without it).
// Not a test file: the suites import it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CaInfo } from '../../shared/proxy.js';

const root = resolve(__dirname, '../..');
export const CERTUTIL = '/usr/bin/certutil';
/** Outside CI a machine without certutil (Debian's libnss3-tools) skips the HTTPS checks; CI installs it. */
export const skipWithoutCertutil = !existsSync(CERTUTIL) && !process.env.CI;

export class TrustedBrowserHome {
  private constructor(
    readonly dir: string,
    /** the step that was run, as `devmesh ca trust` printed it */
    readonly step: string,
  ) {}

  /** Trusts the CA of the DevMesh whose home is `devmeshHome` (the daemon made it when it started). */
  static create(devmeshHome: string): TrustedBrowserHome {
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-e2e-browser-home-'));
    try {
      const printed = execFileSync(process.execPath, ['bin/devmesh.js', 'ca', 'trust', '--json'], {
        cwd: root,
        env: { ...process.env, DEVMESH_HOME: devmeshHome },
        encoding: 'utf8',
      });
      const info = JSON.parse(printed) as CaInfo;
      const step = info.trustSteps.find((s) => s.command.startsWith('certutil ') && s.command.includes('.pki/nssdb'));
      if (!step) throw new Error(`devmesh ca trust printed no NSS (certutil) step:\n${printed}`);
      mkdirSync(join(dir, '.pki', 'nssdb'), { recursive: true, mode: 0o700 });
      execFileSync('/bin/sh', ['-c', step.command], { env: { ...process.env, HOME: dir }, stdio: 'pipe' });
      return new TrustedBrowserHome(dir, step.command);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
