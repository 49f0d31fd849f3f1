// The graph view's edge: its tooltip and class say mismatch, undeclared call, and the traffic it carries.
import { describe, expect, it } from 'vitest';
import { describeEdge, edgeClass } from '../../../renderer/graph/edge-description.js';
import { edge, node } from './mesh-fixtures.js';

describe('dependency edge', () => {
  const web = node('me', 'web');
  const api = node('alice', 'api', { version: '2.3.1' });

  it('is dashed when the call is undeclared, red and dashed on a mismatch', () => {
    expect(edgeClass(edge(web, api))).toBe('');
    expect(edgeClass(edge(web, api, { declared: false, range: null }))).toBe('undeclared');
    expect(edgeClass(edge(web, api, { satisfied: false }))).toBe('mismatch');
  });

  it('says what it is and, with traffic, its rates and p95', () => {
    expect(describeEdge({ edge: edge(web, api), caller: web, instance: api })).toBe('web → api ^1.0 (alice: 2.3.1)');
    const busy = edge(web, api, { declared: false, range: null, requestsPerSec: 12, errorsPerSec: 0.5, p95Ms: 3.1 });
    expect(describeEdge({ edge: busy, caller: web, instance: api })).toBe(
      'web calls api (alice: 2.3.1) without declaring it in depends_on; 12 req/s, 0.5 err/s, p95 3.1 ms over the last 10 s',
    );
  });
});
