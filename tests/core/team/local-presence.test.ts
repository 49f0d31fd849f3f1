// What this machine says about itself: the model only when the arguments say it, the project key of the
// project an agent works in (named, or the deepest open root holding its folder), the task assigned to it.
import { describe, expect, it } from 'vitest';
import type { ProjectInfo } from '../../../shared/service.js';
import type { TaskInfo } from '../../../shared/task.js';
import { modelFromArgs } from '../../../main/core/team/agent-model.js';
import { localPresence } from '../../../main/core/team/local-presence.js';
import { agentRecord } from '../agents/agent-record-fixture.js';

const project = (id: string, root: string, key: string | null): ProjectInfo =>
  ({
    id,
    root,
    configPath: `${root}/devmesh.yaml`,
    services: [],
    configError: null,
    ...(key ? { identity: { key, rootCommit: 'c', remote: null, subPath: '', localOnly: false } } : {}),
  }) as ProjectInfo;

describe('modelFromArgs', () => {
  it('reads --model X, --model=X and -m X (the last wins), and nothing else', () => {
    expect(modelFromArgs(['--model', 'opus'])).toBe('opus');
    expect(modelFromArgs(['--model=gpt-5', '-m', 'o3'])).toBe('o3');
    expect(modelFromArgs(['--dangerously-skip-permissions'])).toBeNull();
    expect(modelFromArgs(['--model'])).toBeNull();
    expect(modelFromArgs(['--model', '--verbose'])).toBeNull();
    expect(modelFromArgs(['fix the model'])).toBeNull();
  });
});

describe('localPresence', () => {
  it("gives each agent its project's key, its branch and the task assigned to it", () => {
    const projects = [
      project('mono', '/src/mono', 'aaaaaaaaaaaaaaaa'),
      project('web', '/src/mono/web', 'bbbbbbbbbbbbbbbb'),
      project('fresh', '/src/fresh', null),
    ];
    const agents = [
      agentRecord({ id: 'agent-1', name: 'one', cwd: '/src/mono/web/src', updatedAt: 3 }),
      agentRecord({ id: 'agent-2', name: 'two', cwd: '/elsewhere', project: 'mono', updatedAt: 2 }),
      agentRecord({
        id: 'agent-3',
        name: 'three',
        cwd: '/tmp/wt/three',
        worktree: { path: '/tmp/wt/three', branch: 'feature-x', repo: '/src/fresh' },
        updatedAt: 1,
      }),
      agentRecord({ id: 'agent-4', name: 'four', cwd: '/nowhere', updatedAt: 0 }),
    ];
    const tasks = [{ id: 'task-0001', title: 'Ship it', assigneeId: 'agent-2' } as TaskInfo];
    const here = localPresence({
      human: () => 'Dana',
      agents: () => agents,
      projects: () => projects,
      activeTasks: () => tasks,
    });
    expect(here.human).toBe('Dana');
    expect(here.projects).toEqual([
      { id: 'mono', key: 'aaaaaaaaaaaaaaaa' },
      { id: 'web', key: 'bbbbbbbbbbbbbbbb' },
      { id: 'fresh', key: null },
    ]);
    expect(here.agents.map((a) => [a.name, a.projectKey, a.branch, a.task?.title ?? null])).toEqual([
      ['one', 'bbbbbbbbbbbbbbbb', null, null],
      ['two', 'aaaaaaaaaaaaaaaa', null, 'Ship it'],
      ['three', null, 'feature-x', null],
      ['four', null, null, null],
    ]);
  });
});
