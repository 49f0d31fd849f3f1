// The event bus is the seam between what happens (a terminal exits, a timer fires) and what follows it (a
// store writing it): a listener that throws is reported, the others still hear the event, the emitter never.
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../main/core/events/event-bus.js';

describe('EventBus', () => {
  it('reports a throwing listener and still delivers to the others, without throwing to the emitter', () => {
    const bus = new EventBus();
    const reported: unknown[] = [];
    bus.onListenerError = (err) => reported.push(err);
    const heard: string[] = [];
    bus.onDidEmitEvent(() => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    });
    bus.onDidEmitEvent((e) => heard.push(e.type));
    expect(() => bus.emit({ type: 'project.closed', ts: 1, projectId: 'shop' })).not.toThrow();
    expect(heard).toEqual(['project.closed']);
    expect(reported).toEqual([expect.objectContaining({ code: 'SQLITE_FULL' })]);
  });
});
