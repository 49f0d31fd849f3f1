// A branch made a DNS label for `<service>.<label>.localhost`, and a worktree's config as its copy runs it.
import { describe, expect, it } from 'vitest';
import type { ProjectConfig, ServiceConfig } from '../../../main/core/config/project-config.js';
import { copyConfig, dnsLabel } from '../../../main/core/projects/worktree-copy.js';

describe('dnsLabel', () => {
  it('lower-cases, turns every run of other characters into one hyphen, trims the ends', () => {
    expect(dnsLabel('feature/Login_2')).toBe('feature-login-2');
    expect(dnsLabel('--Fix..the  BUG--')).toBe('fix-the-bug');
    expect(dnsLabel('release/1.2.3')).toBe('release-1-2-3');
    expect(dnsLabel('été/ça')).toBe('t-a');
  });

  it('keeps at most 63 characters, never ending on a hyphen', () => {
    const label = dnsLabel(`${'a'.repeat(62)}/b${'c'.repeat(40)}`);
    expect(label).toBe('a'.repeat(62));
    expect(dnsLabel('x'.repeat(100))).toHaveLength(63);
  });

  it('refuses a branch with no letter or digit, saying why', () => {
    expect(() => dnsLabel('___/--')).toThrow(/no letter or digit.*<service>\.<branch>\.localhost/);
  });
});

describe('copyConfig', () => {
  const service = (name: string, port: number | null): ServiceConfig =>
    ({ name, port, autostart: true, command: 'x', cwd: '/w', env: {}, dependsOn: [] }) as unknown as ServiceConfig;
  const config = {
    id: 'shop',
    root: '/w',
    configPath: '/w/devmesh.yaml',
    services: { api: service('api', 4100), web: service('web', null) },
    order: ['api', 'web'],
    warnings: [],
    onVersionMismatch: 'warn',
  } as ProjectConfig;

  it('names the copy <of>@<label>, allocates every port, starts nothing on open, and says so', () => {
    const copy = copyConfig(config, { of: 'shop', branch: 'feat/x', label: 'feat-x', agentId: null });
    expect(copy.id).toBe('shop@feat-x');
    expect(Object.values(copy.services).map((s) => [s.name, s.port, s.autostart])).toEqual([
      ['api', null, false],
      ['web', null, false],
    ]);
    expect(copy.warnings).toEqual([expect.stringMatching(/api \(port 4100\).*\$PORT/)]);
    expect(config.services.api!.port).toBe(4100); // the main checkout's config is untouched
  });
});
