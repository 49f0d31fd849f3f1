// A user's own NODE_EXTRA_CA_CERTS (a company's root CA) keeps working for the services DevMesh starts,
// together with DevMesh's local CA: through the real core, a real Node child must reach a TLS server signed
// by a separate test CA and one signed by DevMesh's CA.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DevMeshCore } from '../../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../../main/core/home/devmesh-home.js';
import { NODE, tempDir, waitFor } from '../../api/test-project.js';
import { createTestCa, type TestCa } from '../../helpers/test-ca.js';

// Reaches both servers, prints what each answered (or the TLS error code), then idles.
const CLIENT = `
const https = require('https');
const get = (name, url) => new Promise((r) => https.get(url, (res) => { res.resume(); r(name + ' ' + res.statusCode); })
  .on('error', (e) => r(name + ' ' + (e.code || e.message))));
Promise.all([get('corp', process.env.CORP_URL), get('devmesh', process.env.LOCAL_URL)]).then((a) => {
  console.log('reached ' + a.join(', '));
  console.log('trust ' + process.env.NODE_EXTRA_CA_CERTS);
});
setInterval(() => {}, 1e9);
process.on('SIGTERM', () => process.exit(0));
`;

let tmp: { dir: string; dispose: () => void };
let servers: Server[] = [];
let core: DevMeshCore | null = null;
const daemonEnv = process.env.NODE_EXTRA_CA_CERTS;

beforeEach(() => {
  tmp = tempDir('devmesh-trust-');
});
afterEach(async () => {
  await core?.dispose();
  core = null;
  for (const s of servers) s.close();
  servers = [];
  if (daemonEnv === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
  else process.env.NODE_EXTRA_CA_CERTS = daemonEnv;
  tmp.dispose();
});

async function serve(
  credentials: { cert: string; key: string },
  body: string,
): Promise<{ url: string; server: Server }> {
  const server = createServer(credentials, (_req, res) => res.end(body));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/**
 * The real core on a project whose `client` reaches a server signed by `corp` (CORP_URL) and one signed by
 * DevMesh's own CA (LOCAL_URL). Returns the project folder and the corp server.
 */
async function openCore(
  corp: TestCa,
  serviceEnv: Record<string, string> = {},
): Promise<{ root: string; home: DevMeshHome; corpServer: Server }> {
  const root = join(tmp.dir, 'trust');
  mkdirSync(root);
  writeFileSync(join(root, 'client.js'), CLIENT);
  const home = new DevMeshHome(join(tmp.dir, 'home'));
  core = await DevMeshCore.open({ home, version: '0.0.0-test', logger: pino({ level: 'silent' }), projects: [] });
  const corpServer = await serve(corp.server, 'corp ok');
  const local = await serve(core.ca.defaultCredentials(), 'devmesh ok');
  const env = { CORP_URL: corpServer.url, LOCAL_URL: local.url, ...serviceEnv };
  const yaml = [
    'project: trust',
    'services:',
    '  client:',
    '    version: 1.0.0',
    `    command: "'${NODE}' client.js"`,
    '    autostart: false',
    '    env:',
    ...Object.entries(env).map(([k, v]) => `      ${k}: "${v}"`),
  ];
  writeFileSync(join(root, 'devmesh.yaml'), `${yaml.join('\n')}\n`);
  await core.projects.open(root);
  return { root, home, corpServer: corpServer.server };
}

/** Starts (or restarts) the client and waits for its report: what it reached, and the file it trusts. */
async function reached(): Promise<{ reached: string; trust: string }> {
  const supervisor = core!.projects.resolve('trust').supervisor;
  const lines = (prefix: string) => core!.logs.tail('trust', 'client').filter((l) => l.text.startsWith(prefix));
  const before = lines('trust ').length;
  await supervisor.stop('client');
  await supervisor.start('client', { wait: true });
  await waitFor('the client to report', () => lines('trust ').length > before);
  return { reached: lines('reached ').at(-1)!.text, trust: lines('trust ').at(-1)!.text.slice('trust '.length) };
}

describe("services trust the user's NODE_EXTRA_CA_CERTS and DevMesh's CA together", () => {
  it("when the daemon's environment names a bundle", async () => {
    const corp = await createTestCa('Test Corp Root CA');
    const corpPath = join(tmp.dir, 'corp-ca.pem');
    writeFileSync(corpPath, corp.caPem);
    process.env.NODE_EXTRA_CA_CERTS = corpPath;
    const { home, corpServer } = await openCore(corp);

    const first = await reached();
    expect(first.reached).toBe('reached corp 200, devmesh 200');
    // A bundle of both under $DEVMESH_HOME, readable by the user only.
    expect(dirname(first.trust)).toBe(join(home.dir, 'service-ca'));
    expect(statSync(first.trust).mode & 0o777).toBe(0o600);
    expect(readFileSync(first.trust, 'utf8')).toBe(
      `${corp.caPem.trimEnd()}\n${readFileSync(core!.ca.certPath, 'utf8').trimEnd()}\n`,
    );

    // The company's CA changes (a new root, the server's certificate signed by it): the next start gets it.
    const renewed = await createTestCa('Test Corp Root CA 2026');
    writeFileSync(corpPath, renewed.caPem);
    corpServer.setSecureContext(renewed.server);
    const second = await reached();
    expect(second.reached).toBe('reached corp 200, devmesh 200');
    expect(second.trust).toBe(first.trust);
    expect(readFileSync(second.trust, 'utf8')).toContain(renewed.caPem.trimEnd());
    expect(readFileSync(second.trust, 'utf8')).not.toContain(corp.caPem.trimEnd());
  });

  it("when the service's env in devmesh.yaml names one (relative to its folder)", async () => {
    delete process.env.NODE_EXTRA_CA_CERTS;
    const corp = await createTestCa('Test Corp Root CA');
    const { root } = await openCore(corp, { NODE_EXTRA_CA_CERTS: './certs/corp-ca.pem' });
    mkdirSync(join(root, 'certs'));
    writeFileSync(join(root, 'certs', 'corp-ca.pem'), corp.caPem);
    expect((await reached()).reached).toBe('reached corp 200, devmesh 200');
  });

  it("when none is named: DevMesh's CA itself", async () => {
    delete process.env.NODE_EXTRA_CA_CERTS;
    const corp = await createTestCa('Test Corp Root CA');
    await openCore(corp);
    const r = await reached();
    expect(r.trust).toBe(core!.ca.certPath);
    expect(r.reached).toMatch(/^reached corp (?!200)\S+, devmesh 200$/); // the corp CA is not trusted: nobody named it
  });
});
