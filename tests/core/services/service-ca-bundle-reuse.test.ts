// ServiceCaBundle reuses the bundle it wrote while its files stay as they were (a project of 23 services no longer
// reads a 200 KB system bundle twice per start). What a user does between two starts must still reach the next
// service: the bundle under $DEVMESH_HOME deleted, the company's bundle replaced (even by one of the same size),
// DevMesh's CA renewed. Real files, the class alone.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServiceCaBundle } from '../../../main/core/services/service-ca-bundle.js';
import { tempDir } from '../../api/test-project.js';

const pem = (name: string) => `-----BEGIN CERTIFICATE-----\n${name.padEnd(64, 'A')}\n-----END CERTIFICATE-----\n`;

let tmp: { dir: string; dispose: () => void };
let userPath: string;
let caPath: string;
let bundle: ServiceCaBundle;

beforeEach(() => {
  tmp = tempDir('devmesh-ca-reuse-');
  userPath = join(tmp.dir, 'corp.pem');
  caPath = join(tmp.dir, 'devmesh-ca.pem');
  writeFileSync(userPath, pem('CORPONE'));
  writeFileSync(caPath, pem('DEVMESH'));
  bundle = new ServiceCaBundle({ caPath, dir: join(tmp.dir, 'home', 'service-ca') });
});
afterEach(() => tmp.dispose());

describe('a bundle reused between starts still follows its files', () => {
  it('gives the same bundle while nothing changed, and writes it again once deleted', () => {
    const first = bundle.trustFor(userPath, tmp.dir);
    expect(first.problem).toBeNull();
    expect(readFileSync(first.path, 'utf8')).toBe(`${pem('CORPONE')}${pem('DEVMESH')}`);
    expect(bundle.trustFor(userPath, tmp.dir)).toEqual(first);

    rmSync(first.path);
    const again = bundle.trustFor(userPath, tmp.dir);
    expect(again.path).toBe(first.path);
    expect(readFileSync(again.path, 'utf8')).toBe(`${pem('CORPONE')}${pem('DEVMESH')}`);
  });

  it("takes the company's new bundle, even one of the same size put in place by a rename", () => {
    bundle.trustFor(userPath, tmp.dir);
    const renewed = join(tmp.dir, 'corp.pem.new');
    writeFileSync(renewed, pem('CORPTWO'));
    expect(pem('CORPTWO').length).toBe(pem('CORPONE').length);
    renameSync(renewed, userPath);
    const trust = bundle.trustFor(userPath, tmp.dir);
    expect(readFileSync(trust.path, 'utf8')).toBe(`${pem('CORPTWO')}${pem('DEVMESH')}`);
  });

  it("takes DevMesh's renewed CA, and says so when the company's bundle is gone", () => {
    bundle.trustFor(userPath, tmp.dir);
    writeFileSync(caPath, pem('DEVMESH-RENEWED'));
    expect(readFileSync(bundle.trustFor(userPath, tmp.dir).path, 'utf8')).toContain('DEVMESH-RENEWED');

    rmSync(userPath);
    const gone = bundle.trustFor(userPath, tmp.dir);
    expect(gone.path).toBe(caPath);
    expect(gone.problem).toMatch(/NODE_EXTRA_CA_CERTS names .*corp\.pem, which cannot be read \(ENOENT\)/);
  });
});
