// Log records as the agent CLIs export them, read into usage: Codex's `codex.sse_event` is named by its
// `event.name` attribute, while the record's own `eventName` is what its tracing bridge puts there (the
// tracing event's source location); the token counts come as strings or integers.
import { describe, expect, it } from 'vitest';
import { LogsRequestSchema, logRecords } from '../../../main/core/usage/otlp-json.js';
import { readingOfLog } from '../../../main/core/usage/usage-readings.js';
import { codexLogs } from './otlp-fixtures.js';

const read = (body: unknown) => logRecords(LogsRequestSchema.parse(body));

describe('OTLP log records', () => {
  it('counts a Codex response.completed event although its record eventName is a source location', () => {
    const taken = read(codexLogs({ timeNs: '1700000040000000000', input: 1000, cached: 600, output: 50 }));
    expect(taken.items.map((r) => [r.name, r.timeNs])).toEqual([['codex.sse_event', '1700000040000000000']]);
    const reading = readingOfLog(taken.items[0]!, 'agent-0a1b2c3d4e');
    expect(reading).toMatchObject({
      agentId: 'agent-0a1b2c3d4e',
      temporality: 'event',
      amounts: { inputTokens: 400, cacheReadTokens: 600, outputTokens: 50 },
    });
  });

  it('names a record by eventName, else its body, when it has no event.name attribute', () => {
    const logs = (record: object) => ({ resourceLogs: [{ scopeLogs: [{ logRecords: [record] }] }] });
    expect(read(logs({ eventName: 'claude_code.api_request', attributes: [] })).items[0]!.name).toBe(
      'claude_code.api_request',
    );
    expect(read(logs({ body: { stringValue: 'plain line' } })).items[0]!.name).toBe('plain line');
  });
});
