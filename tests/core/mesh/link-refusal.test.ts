// A teammate's daemon says why it refuses a link in a `refuse` frame; the code is read against the closed list
// (shared/wire-errors.ts), so a code this DevMesh does not know is reported as such, not passed on as text.
import { describe, expect, it } from 'vitest';
import { readRefusal } from '../../../main/core/mesh/link-messages.js';
import { LINK_REFUSAL_CODES } from '../../../shared/wire-errors.js';

describe('readRefusal', () => {
  it('reads every code an older or current daemon sends, as it is spelled on the wire', () => {
    for (const code of ['protocol', 'other-mesh', 'auth-failed', 'self', 'timeout', 'error'] as const) {
      expect(readRefusal({ t: 'refuse', code, message: 'no' })).toEqual({ code, message: 'no' });
    }
    expect(LINK_REFUSAL_CODES).toContain('other-mesh');
  });

  it('reports a code outside the list as a protocol refusal that names the code', () => {
    const refused = readRefusal({ t: 'refuse', code: 'mesh-on-fire', message: 'this agent is busy' });
    expect(refused?.code).toBe('protocol');
    expect(refused?.message).toBe(
      'this agent is busy (with the refusal code "mesh-on-fire", which this DevMesh does not know: is the peer newer?)',
    );
  });

  it('is null for a frame that is not a refusal', () => {
    expect(readRefusal({ t: 'challenge' })).toBeNull();
    expect(readRefusal('refuse')).toBeNull();
    expect(readRefusal({ t: 'refuse', code: 'x'.repeat(65), message: '' })).toBeNull();
  });
});
