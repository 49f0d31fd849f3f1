// @vitest-environment jsdom
// The human writes to everyone or to one running agent: nothing to send while the text is blank, what it
// sends (trimmed, as `user`), Ctrl+Enter as the button, the text cleared once sent, kept when refused.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MessageSendForm } from '../../../renderer/messages/message-send-form.js';
import { renderView } from '../../helpers/render-view.js';
import { agentRecord, message } from '../../helpers/view-fixtures.js';

function renderForm() {
  return renderView(<MessageSendForm />, ({ client }) =>
    client.answer('agents.list', [
      agentRecord('agent-alice', { name: 'alice' }),
      agentRecord('agent-old', { name: 'old', status: 'exited' }),
    ]),
  );
}
const body = () => screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
const send = () => screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement;

describe('MessageSendForm', () => {
  it('writes to everyone or a running agent, never an exited one', async () => {
    renderForm();
    const to = screen.getByRole('combobox', { name: 'To' });
    await waitFor(() =>
      expect(
        within(to)
          .getAllByRole('option')
          .map((o) => o.textContent),
      ).toEqual(['everyone', 'alice']),
    );
  });

  it('sends the trimmed text as the user to the chosen agent, and clears it', async () => {
    const { client, user } = renderForm();
    client.answer('messages.send', message(1, { to: 'agent-alice', toName: 'alice', body: 'please rebase' }));
    expect(send().disabled).toBe(true);
    await user.type(body(), '   ');
    expect(send().disabled).toBe(true);
    await screen.findByRole('option', { name: 'alice' });
    await user.selectOptions(screen.getByRole('combobox', { name: 'To' }), 'alice');
    await user.type(body(), 'please rebase  ');
    await user.click(send());
    await waitFor(() => expect(body().value).toBe(''));
    expect(client.inputsOf('messages.send')).toEqual([{ from: 'user', to: 'agent-alice', body: 'please rebase' }]);
  });

  it('sends with Ctrl+Enter', async () => {
    const { client, user } = renderForm();
    client.answer('messages.send', message(1, { body: 'stand-up in 5' }));
    await user.type(body(), 'stand-up in 5');
    await user.keyboard('{Control>}{Enter}{/Control}');
    await waitFor(() =>
      expect(client.inputsOf('messages.send')).toEqual([{ from: 'user', to: '*', body: 'stand-up in 5' }]),
    );
  });

  it('shows a refusal in the daemon’s words and keeps the text', async () => {
    const { client, user } = renderForm();
    client.refuse('messages.send', 'AGENT_NOT_FOUND', 'no agent is named alice: it exited; pick another');
    await user.type(body(), 'hello');
    await user.click(send());
    expect((await screen.findByRole('alert')).textContent).toBe('no agent is named alice: it exited; pick another');
    expect(body().value).toBe('hello');
  });
});
