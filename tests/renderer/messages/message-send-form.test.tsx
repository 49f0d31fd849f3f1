// @vitest-environment jsdom
// The human writes to anyone on the mesh: the To field suggests everyone, running agents (never an exited
// one), their roles, teammates' humans and agents heard from; any address can be typed. Nothing to send
// while the text is blank; what it sends (trimmed, as `user`), Ctrl+Enter as the button, the text cleared
// once sent, kept when refused. A row shows the teammate's machine a message came from, and `queued`.
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { PeerInfo } from '../../../shared/mesh.js';
import { MessageRow } from '../../../renderer/messages/message-row.js';
import { MessageSendForm } from '../../../renderer/messages/message-send-form.js';
import { renderView } from '../../helpers/render-view.js';
import { agentRecord, message } from '../../helpers/view-fixtures.js';

const bobPeer = { agentId: 'm-bob', name: 'bob' } as PeerInfo;

function renderForm() {
  return renderView(<MessageSendForm />, ({ client, stores }) => {
    client.answer('agents.list', [
      agentRecord('agent-alice', { name: 'alice', role: 'frontend' }),
      agentRecord('agent-old', { name: 'old', status: 'exited', role: 'ops' }),
    ]);
    stores.mesh.getState().setPeers([bobPeer]);
    client.answer('messages.list', [message(7, { from: 'agent-bo@bob', fromName: 'bo', fromMachine: 'bob' })]);
  });
}
const to = () => screen.getByRole('combobox', { name: 'To' }) as HTMLInputElement;
const suggested = () =>
  [...screen.getByTestId('message-to-suggestions').querySelectorAll('option')].map((o) => o.value);
const body = () => screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
const send = () => screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement;

describe('MessageSendForm', () => {
  it('suggests everyone, running agents, their roles, teammates and their agents; never an exited agent', async () => {
    renderForm();
    expect(to().value).toBe('*');
    await waitFor(() => expect(suggested()).toEqual(['*', 'alice', '@frontend', 'user@bob', 'bo@bob']));
  });

  it("sends to a teammate's agent as typed", async () => {
    const { client, user } = renderForm();
    client.answer('messages.send', message(8, { to: 'bo@bob', toName: 'bo@bob', body: 'hi', queued: 1 }));
    await user.clear(to());
    await user.type(to(), 'bo@bob');
    await user.type(body(), 'hi');
    await user.click(send());
    await waitFor(() => expect(body().value).toBe(''));
    expect(client.inputsOf('messages.send')).toEqual([{ from: 'user', to: 'bo@bob', body: 'hi' }]);
  });

  it("shows the teammate's machine a message came from, and a queued one as queued", () => {
    renderView(
      <ul>
        <MessageRow message={message(7, { from: 'agent-bo@bob', fromName: 'bo', fromMachine: 'bob' })} />
        <MessageRow message={message(8, { to: 'bo@bob', toName: 'bo@bob', queued: 1 })} />
      </ul>,
    );
    expect(screen.getByTestId('message-7-from').textContent).toBe('bo@bob');
    expect(screen.queryByTestId('message-7-queued')).toBeNull();
    expect(screen.getByTestId('message-8-queued').textContent).toBe('queued');
  });

  it('sends the trimmed text as the user to the chosen agent, and clears it', async () => {
    const { client, user } = renderForm();
    client.answer('messages.send', message(1, { to: 'agent-alice', toName: 'alice', body: 'please rebase' }));
    expect(send().disabled).toBe(true);
    await user.type(body(), '   ');
    expect(send().disabled).toBe(true);
    await user.clear(to());
    await user.type(to(), 'alice');
    await user.type(body(), 'please rebase  ');
    await user.click(send());
    await waitFor(() => expect(body().value).toBe(''));
    expect(client.inputsOf('messages.send')).toEqual([{ from: 'user', to: 'alice', body: 'please rebase' }]);
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
