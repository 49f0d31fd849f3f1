// @vitest-environment jsdom
// Worktree copies (ProjectInfo.worktree) as the UI shows them, from the contract alone: the Services view
// groups a copy's services under its main project with the branch and agent named, each with its
// `<service>.<label>.localhost:<proxy port>` URL and its actions sent to the copy; the picker names a copy by
// project and branch and the first main project is shown first; the agent's card and the task drawer of the
// task it holds link to the agent's copy while it is open, and not otherwise.
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ProjectInfo } from '../../../shared/service.js';
import { AgentList } from '../../../renderer/agents/agent-list.js';
import { ServicesTable } from '../../../renderer/services/services-table.js';
import { ProjectPicker } from '../../../renderer/shell/project-picker.js';
import { TaskDetail } from '../../../renderer/tasks/task-detail.js';
import { renderView, type ViewClient } from '../../helpers/render-view.js';
import { agentRecord, projectInfo, serviceInfo, taskDetail, taskInfo } from '../../helpers/view-fixtures.js';

const SHOP = projectInfo('shop', { services: ['api', 'web'] });
const COPY = projectInfo('shop@feat-login', {
  root: '/wt/fixer',
  services: ['api', 'web'],
  worktree: { of: 'shop', branch: 'feat/login', label: 'feat-login', agentId: 'agent-1' },
});
const OTHER = projectInfo('blog', { services: ['site'] });
const worktree = { path: '/wt/fixer', branch: 'feat/login', repo: '/repo/shop' };

function daemon(client: ViewClient, projects: ProjectInfo[]): void {
  client.answer('projects.list', projects);
  client.answer('proxy.info', {
    httpUrl: 'http://localhost:7777',
    httpsUrl: null,
    problems: [],
    caCertPath: null,
    unstoredRequests: 0,
  });
  client.answer('agents.list', [agentRecord('agent-1', { name: 'fixer', worktree })]);
  client.answer('services.list', ({ project }) =>
    project === 'shop@feat-login'
      ? [
          serviceInfo('api', { project, state: 'healthy', port: 41001 }),
          serviceInfo('web', { project, state: 'stopped' }),
        ]
      : [serviceInfo('api', { project }), serviceInfo('web', { project })],
  );
}

describe('worktree copies in the UI', () => {
  it('groups a copy’s services under its main project, with branch, agent, URLs and its own actions', async () => {
    const { client, user } = renderView(<ServicesTable />, ({ client }) => daemon(client, [COPY, SHOP, OTHER]));
    const group = await screen.findByRole('region', { name: 'shop on feat/login' });
    expect(group.textContent).toContain('⎇ feat/login');
    await waitFor(() => expect(group.textContent).toContain('where fixer works'));
    const table = within(group).getByRole('table', { name: 'Services of shop on feat/login' });
    await waitFor(() =>
      expect(
        within(table)
          .getAllByRole('link')
          .map((a) => a.getAttribute('href')),
      ).toEqual(['http://api.feat-login.localhost:7777/', 'http://web.feat-login.localhost:7777/']),
    );
    expect(within(table).getByText('41001')).toBeTruthy();
    // the main project's own table is there too, first
    expect(screen.getByRole('button', { name: 'api' })).toBeTruthy();

    client.answer('services.start', ({ project, name }) => serviceInfo(name, { project, state: 'starting' }));
    await user.click(within(table).getByRole('button', { name: 'Start web on feat/login' }));
    expect(client.inputsOf('services.start')).toEqual([{ project: 'shop@feat-login', name: 'web' }]);
    // the copy's service.state events move its rows, not the main project's
    const running = serviceInfo('web', { project: 'shop@feat-login', state: 'healthy', port: 41002, since: 5 });
    act(() =>
      client.emit({
        type: 'service.state',
        ts: 5,
        project: 'shop@feat-login',
        service: 'web',
        from: 'starting',
        to: 'healthy',
        reason: null,
        info: running,
      }),
    );
    await waitFor(() => expect(within(table).getByText('41002')).toBeTruthy());
    expect(screen.getByTestId('service-state-web').textContent).toBe('stopped');
  });

  it('shows no copy group for a project without copies', async () => {
    const { stores } = renderView(<ServicesTable />, ({ client }) => daemon(client, [SHOP, OTHER]));
    await screen.findByRole('button', { name: 'api' });
    act(() => stores.projects.getState().select('blog'));
    await waitFor(() => expect(stores.services.getState().projectId).toBe('blog'));
    expect(screen.queryByRole('region', { name: /on feat\/login/ })).toBeNull();
  });

  it('names a copy by project and branch in the picker and opens the main project first', async () => {
    const { stores } = renderView(<ProjectPicker />, ({ client }) => daemon(client, [COPY, SHOP]));
    const picker = (await screen.findByRole('combobox', { name: 'Project' })) as HTMLSelectElement;
    expect(
      within(picker)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['shop ⎇ feat/login', 'shop']);
    expect(stores.projects.getState().selectedId).toBe('shop');
  });

  it('links the agent’s card to its copy while the copy is open', async () => {
    const { client } = renderView(<AgentList />, ({ client }) => daemon(client, [SHOP, COPY]));
    const links = await screen.findByTestId('agent-copy-links-agent-1');
    expect(within(links).getByRole('link', { name: "open fixer's api (feat/login)" }).getAttribute('href')).toBe(
      'http://api.feat-login.localhost:7777/',
    );
    act(() => client.emit({ type: 'project.closed', ts: 9, projectId: 'shop@feat-login' }));
    await waitFor(() => expect(screen.queryByTestId('agent-copy-links-agent-1')).toBeNull());
  });

  it('links the task drawer to the assignee’s copy', async () => {
    const task = taskInfo('task-aaaa', { state: 'WORKING', assigneeId: 'agent-1', assigneeName: 'fixer' });
    const view = renderView(<TaskDetail id={task.id} />, ({ client }) => {
      daemon(client, [SHOP, COPY]);
      client.answer('tasks.list', [task]);
      client.answer('tasks.get', taskDetail(task));
    });
    act(() => view.coordination.tasks.open(task.id));
    const drawer = within(await screen.findByRole('complementary', { name: task.title }));
    const link = await drawer.findByRole('link', { name: "open fixer's web (feat/login)" });
    expect(link.getAttribute('href')).toBe('http://web.feat-login.localhost:7777/');
  });
});
