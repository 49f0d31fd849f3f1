// `devmesh status` shows a login shell that could not be read as a problem of its own: what happened and how
// to fix it, without the failed-write counts that only mean something for a store.
import { describe, expect, it } from 'vitest';
import { StatusView } from '../../main/cli/status-view.js';
import type { HealthProblem } from '../../shared/health.js';

describe('StatusView with the shell environment problem', () => {
  it('says what happened and how to fix it, with no write counts', () => {
    const problem: HealthProblem = {
      component: 'shell environment',
      code: 'ENVIRONMENT',
      message: 'DevMesh could not read your login shell…',
      cause: 'timed out after 10 s',
      rule: 'services start with the launch environment',
      failures: 1,
      dropped: 0,
      since: 1_000,
      lastAt: 1_000,
    };
    const text = new StatusView(6_000).health([problem]);
    expect(text).toContain('! shell environment (ENVIRONMENT, for 5s): DevMesh could not read your login shell…');
    expect(text).not.toMatch(/failed write/);
  });
});
