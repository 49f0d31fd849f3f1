// The dependency graph the supervisor starts, stops and restarts services by.
import { describe, expect, it } from 'vitest';
import { DependencyGraph } from '../../../main/core/config/dependency-graph.js';
import { DevMeshError } from '../../../shared/errors.js';

const graph = (spec: Record<string, string[]>) =>
  new DependencyGraph(Object.entries(spec).map(([name, dependsOn]) => ({ name, dependsOn })));

describe('DependencyGraph', () => {
  it('starts every service after what it needs, keeping file order among the rest', () => {
    const g = graph({ web: ['api'], docs: [], api: ['auth', 'db'], db: [], auth: ['db'] });
    expect(g.order()).toEqual(['docs', 'db', 'auth', 'api', 'web']);
  });

  it('gives the same order for the same file every time', () => {
    const spec = { a: [], b: [], c: ['a'], d: [] };
    expect(graph(spec).order()).toEqual(['a', 'b', 'c', 'd']);
    expect(graph(spec).order()).toEqual(graph(spec).order());
  });

  it('accepts dependency objects as ServiceConfig holds them, and ignores unknown names', () => {
    const g = new DependencyGraph([
      { name: 'api', dependsOn: [{ name: 'auth' }, { name: 'ghost' }] },
      { name: 'auth', dependsOn: [] },
    ]);
    expect(g.order()).toEqual(['auth', 'api']);
  });

  it('lists what a service needs and what needs it, transitively, in start order', () => {
    const g = graph({ web: ['api'], admin: ['api'], api: ['auth'], auth: ['db'], db: [], cache: [] });
    expect(g.dependentsOf('auth')).toEqual(['api', 'web', 'admin']);
    expect(g.dependentsOf('web')).toEqual([]);
    expect(g.dependenciesOf('web')).toEqual(['db', 'auth', 'api']);
    expect(g.dependenciesOf('nope')).toEqual([]);
  });

  it('finds each cycle once, as a path from its first-declared service', () => {
    const g = graph({ web: ['api'], api: ['auth'], auth: ['web'], x: ['y'], y: ['x', 'z'], z: [], me: ['me'] });
    expect(g.cycles()).toEqual([
      ['web', 'api', 'auth', 'web'],
      ['x', 'y', 'x'],
      ['me', 'me'],
    ]);
  });

  it('gives the shortest way round a tangle of cycles', () => {
    expect(graph({ a: ['b', 'c'], b: ['c'], c: ['a'] }).cycles()).toEqual([['a', 'c', 'a']]);
  });

  it('refuses to order a cyclic graph, naming the cycle', () => {
    const g = graph({ web: ['api'], api: ['web'] });
    expect(() => g.order()).toThrow(DevMeshError);
    expect(() => g.order()).toThrow('dependency cycle: web → api → web');
    // What depends on a cycle can still be asked about.
    expect(g.dependentsOf('web')).toEqual(['api']);
  });

  it('handles long chains without running out of stack', () => {
    const spec: Record<string, string[]> = {};
    for (let i = 0; i < 5000; i++) spec[`s${i}`] = i === 0 ? [] : [`s${i - 1}`];
    const g = graph(spec);
    expect(g.cycles()).toEqual([]);
    expect(g.dependentsOf('s4998')).toEqual(['s4999']);
  });
});
