// `devmesh ca path | info | trust`: the command class driven in-process (trust --yes with a harmless
// installer, never the real steps), and the bundled CLI run as a child process without a daemon.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaInfoSchema } from '../../../shared/proxy.js';
import { Cli } from '../../../main/cli/cli.js';
import { CliContext } from '../../../main/cli/cli-context.js';
import { CaCommands } from '../../../main/cli/commands/ca-commands.js';
import { DevMeshHome } from '../../../main/core/home/devmesh-home.js';
import { CaTrustInstaller } from '../../../main/core/tls/ca-trust-installer.js';
import type { CaTrustSteps } from '../../../main/core/tls/ca-trust-steps.js';

const ROOT = resolve(__dirname, '../../..');
const dirs: string[] = [];
function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'devmesh-ca-cli-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** runs `devmesh <argv>` in-process against a fresh home; harmless trust steps stand in for the real ones */
async function runCa(home: string, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const ctx = new CliContext({
    home: new DevMeshHome(home),
    version: '0.0.0-test',
    cwd: home,
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    relaunch: { command: process.execPath, args: [] },
    rendererDir: null,
  });
  const fakeSteps = {
    steps: (certPath: string) => [
      { what: 'check the file', command: `test -s '${certPath}'` },
      { what: 'fail', command: 'exit 4' },
    ],
  };
  const commands = new CaCommands({
    trustSteps: fakeSteps as unknown as CaTrustSteps,
    installer: () => new CaTrustInstaller(undefined, 'ignore'),
  });
  const code = await new Cli(ctx, commands.commands()).run(argv);
  return { code, stdout, stderr };
}

describe('devmesh ca (in-process)', () => {
  it('path creates the CA once and prints its certificate path', async () => {
    const home = tmp();
    const first = await runCa(home, ['ca', 'path']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const path = first.stdout.trim();
    expect(path).toBe(join(home, 'ca', 'ca.pem'));
    expect(readFileSync(path, 'utf8')).toContain('BEGIN CERTIFICATE');
    const pem = readFileSync(path, 'utf8');
    expect((await runCa(home, ['ca', 'path'])).stdout.trim()).toBe(path);
    expect(readFileSync(path, 'utf8')).toBe(pem);
  });

  it('info --json matches the CaInfo schema; trust prints the steps without running them', async () => {
    const home = tmp();
    const info = CaInfoSchema.parse(JSON.parse((await runCa(home, ['ca', 'info', '--json'])).stdout));
    expect(info.certPath).toBe(join(home, 'ca', 'ca.pem'));
    expect(info.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const trust = await runCa(home, ['ca', 'trust']);
    expect(trust.code).toBe(0);
    expect(trust.stdout).toContain(`# check the file\ntest -s '${info.certPath}'`);
    expect(trust.stdout).toContain('devmesh ca trust --yes');
  });

  it('trust --yes runs every step and fails (exit 1) naming the step that failed', async () => {
    const home = tmp();
    const r = await runCa(home, ['ca', 'trust', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('1 of 2 steps succeeded');
    expect(r.stderr).toContain('devmesh: `exit 4` failed with exit code 4');
    const json = await runCa(home, ['ca', 'trust', '--yes', '--json']);
    const parsed = JSON.parse(json.stdout) as { steps: { ok: boolean }[] };
    expect(parsed.steps.map((s) => s.ok)).toEqual([true, false]);
  });

  it('usage errors exit 2 with a pointer to the help', async () => {
    const home = tmp();
    const unknown = await runCa(home, ['ca', 'install']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown action 'install' for 'devmesh ca': use one of path, info, trust");
    expect((await runCa(home, ['ca'])).stderr).toContain('missing <path|info|trust>');
    expect((await runCa(home, ['ca', 'path', '--yes'])).code).toBe(2);
    const help = await runCa(home, ['ca', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: devmesh ca path');
    expect(existsSync(join(home, 'ca'))).toBe(false);
  });
});

describe('devmesh ca path (the bundled CLI, no daemon running)', () => {
  let bundle: string;

  beforeAll(async () => {
    // Our own bundle in a temp folder, so this test never races other tests over dist/.
    bundle = join(tmp(), 'devmesh.js');
    await build({
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      logLevel: 'silent',
      absWorkingDir: ROOT,
      entryPoints: ['main/cli/main.ts'],
      outfile: bundle,
      packages: 'external',
    });
  });

  it('prints the path of an existing CA certificate and exits 0', async () => {
    const home = tmp();
    const child = spawn(process.execPath, [bundle, 'ca', 'path'], {
      env: { ...process.env, DEVMESH_HOME: home, NODE_PATH: join(ROOT, 'node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    clearTimeout(timer);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.trim()).toBe(join(home, 'ca', 'ca.pem'));
    expect(readFileSync(stdout.trim(), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });
});
