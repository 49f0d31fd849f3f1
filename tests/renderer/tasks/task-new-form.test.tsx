// @vitest-environment jsdom
// The New task form as an operator fills it: required fields and bad values named beside their field before
// anything is sent, the input it sends (lists split, capabilities lower-cased), and a refusal from the
// daemon shown in its words with everything typed still there.
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { TaskNewForm } from '../../../renderer/tasks/task-new-form.js';
import { renderView } from '../../helpers/render-view.js';
import { projectInfo, taskInfo } from '../../helpers/view-fixtures.js';

function renderForm(projects = ['shop']) {
  const onDone = vi.fn();
  const view = renderView(<TaskNewForm onDone={onDone} />, ({ client }) =>
    client.answer(
      'projects.list',
      projects.map((id) => projectInfo(id)),
    ),
  );
  return { ...view, onDone };
}
const field = (label: RegExp) => screen.getByLabelText(label) as HTMLInputElement;
const post = () => screen.getByRole('button', { name: 'Post task' }) as HTMLButtonElement;

describe('TaskNewForm', () => {
  it('names the missing title and prompt beside their fields and sends nothing', async () => {
    const { client, user, onDone } = renderForm();
    await user.click(post());
    expect(screen.getByTestId('task-error-title').textContent).not.toBe('');
    expect(screen.getByTestId('task-error-prompt').textContent).not.toBe('');
    expect(client.inputsOf('tasks.create')).toEqual([]);
    expect(onDone).not.toHaveBeenCalled();

    await user.type(field(/^Title/), 'F');
    expect(screen.queryByTestId('task-error-title')).toBeNull(); // typing in a field clears its error
    expect(screen.getByTestId('task-error-prompt')).toBeTruthy();
  });

  it('names a bad task id in Depends on', async () => {
    const { client, user } = renderForm();
    await user.type(field(/^Title/), 'Fix login');
    await user.type(field(/^Prompt/), 'make it work');
    await user.type(field(/^Depends on/), 'task-bbbb, nope');
    await user.click(post());
    expect(screen.getByTestId('task-error-dependsOn').textContent).toBe('a task id: task-… (item 2)');
    expect(client.inputsOf('tasks.create')).toEqual([]);
  });

  it('sends what was typed, lists split, and closes', async () => {
    const { client, user, onDone } = renderForm(['shop', 'blog']);
    client.answer('tasks.create', taskInfo('task-cccc'));
    await user.type(field(/^Title/), '  Fix login  ');
    await user.type(field(/^Prompt/), 'make login work');
    await user.type(field(/^Files/), 'src/auth/**, README.md');
    await user.type(field(/^Capabilities/), 'TypeScript tests');
    await user.clear(field(/^Priority/));
    await user.type(field(/^Priority/), '5');
    await user.type(field(/^Depends on/), 'task-bbbb');
    await user.selectOptions(screen.getByRole('combobox', { name: /^Project/ }), 'blog');
    await user.click(screen.getByRole('checkbox', { name: 'A critic reviews it once completed' }));
    await user.click(post());
    await waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect(client.inputsOf('tasks.create')).toEqual([
      {
        title: 'Fix login',
        prompt: 'make login work',
        files: ['src/auth/**', 'README.md'],
        capabilities: ['typescript', 'tests'],
        priority: 5,
        dependsOn: ['task-bbbb'],
        criticRequired: true,
        project: 'blog',
      },
    ]);
  });

  it('shows the daemon’s refusal and keeps what was typed', async () => {
    const { client, user, onDone } = renderForm();
    client.refuse('tasks.create', 'PROJECT_NOT_FOUND', 'no open project is named shop: open it with devmesh up');
    await user.type(field(/^Title/), 'Fix login');
    await user.type(field(/^Prompt/), 'make login work');
    await user.click(post());
    expect((await screen.findByRole('alert')).textContent).toBe(
      'no open project is named shop: open it with devmesh up',
    );
    expect(field(/^Title/).value).toBe('Fix login');
    expect(field(/^Prompt/).value).toBe('make login work');
    expect(onDone).not.toHaveBeenCalled();
    expect(post().disabled).toBe(false);
  });

  it('cannot be posted twice while the daemon is answering', async () => {
    const { client, user } = renderForm();
    const answer = client.hold('tasks.create');
    await user.type(field(/^Title/), 'Fix login');
    await user.type(field(/^Prompt/), 'make login work');
    await user.click(post());
    expect(post().disabled).toBe(true);
    await user.click(post());
    expect(client.inputsOf('tasks.create')).toHaveLength(1);
    answer(taskInfo('task-cccc'));
    await waitFor(() => expect(post().disabled).toBe(false));
  });

  it('closes with its Close button', async () => {
    const { user, onDone } = renderForm();
    await user.click(screen.getByRole('button', { name: 'Close' }));
    expect(onDone).toHaveBeenCalledTimes(1);
  });
});
