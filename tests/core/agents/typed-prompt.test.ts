// TypedPrompt on its own (a unit test of one class): the prompt goes in when the ready pattern shows in the
// output's tail, not before and only once, with settling and the deadline set far away so that only the
// pattern can send it; a pattern that does not compile is reported and the prompt falls back to settling.
import { afterEach, describe, expect, it } from 'vitest';
import { TypedPrompt } from '../../../main/core/agents/typed-prompt.js';

const prompts: TypedPrompt[] = [];
afterEach(() => prompts.splice(0).forEach((p) => p.dispose()));

function typedPrompt(readyPattern: string, settleMs: number) {
  let tail = '';
  const writes: string[] = [];
  const failures: unknown[] = [];
  const prompt = new TypedPrompt(
    'fix the\ntests',
    { kind: 'typed', readyPattern, settleMs },
    {
      write: (data) => writes.push(data),
      tail: () => tail,
      canType: () => true,
      typed: () => undefined,
      failed: (err) => failures.push(err),
      maxWaitMs: 600_000,
    },
  );
  prompts.push(prompt);
  const output = (text: string) => {
    tail += text;
    prompt.output();
  };
  return { output, writes, failures };
}

describe('TypedPrompt', () => {
  it('types the prompt once its ready pattern shows, on its own line, and only once', () => {
    const { output, writes, failures } = typedPrompt('^[a-z]*> ?$', 600_000);
    output('Aider v0.86.1\n');
    output('loading > repo map\n');
    expect(writes).toEqual([]);
    output('> ');
    expect(writes).toEqual(['fix the tests\r']);
    output('\nmore> ');
    output('again> ');
    expect(writes).toHaveLength(1);
    expect(failures).toEqual([]);
  });

  it('reports a ready pattern that does not compile and types the prompt once the output settles', async () => {
    const { output, writes, failures } = typedPrompt('(unclosed', 20);
    expect(failures).toHaveLength(1);
    output('(unclosed> ');
    expect(writes).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    expect(writes).toEqual(['fix the tests\r']);
  });
});
