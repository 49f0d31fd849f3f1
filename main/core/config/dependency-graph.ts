// Who depends on whom among a project's services: the start order, dependency cycles, and what has to stop
// or restart along with a service. Edges point from a service to what it depends on.
import { DevMeshError } from '../../../shared/errors.js';

export interface DependencyNode {
  name: string;
  /** names, or anything with a name (a ServiceConfig's `dependsOn` entries) */
  dependsOn: ReadonlyArray<string | { name: string }>;
}

export class DependencyGraph {
  /** node names in the order given (file order) */
  private readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  private readonly dependencies = new Map<string, string[]>();
  private readonly dependents = new Map<string, string[]>();

  /** Edges to names that are not nodes are dropped: an unknown dependency is the config check's to report. */
  constructor(nodes: Iterable<DependencyNode>) {
    const list = [...nodes];
    for (const node of list) {
      if (this.index.has(node.name)) continue;
      this.index.set(node.name, this.names.length);
      this.names.push(node.name);
      this.dependencies.set(node.name, []);
      this.dependents.set(node.name, []);
    }
    for (const node of list) {
      const deps = this.dependencies.get(node.name)!;
      for (const dep of node.dependsOn) {
        const target = typeof dep === 'string' ? dep : dep.name;
        if (!this.index.has(target) || deps.includes(target)) continue;
        deps.push(target);
        this.dependents.get(target)!.push(node.name);
      }
    }
  }

  /**
   * Every node after everything it depends on. Among nodes free to go at the same time, the one declared
   * first goes first, so the order only changes when the file does.
   * @throws DevMeshError CONFIG_INVALID naming the cycle when there is one
   */
  order(): string[] {
    const cycle = this.cycles()[0];
    if (cycle) throw new DevMeshError('CONFIG_INVALID', `dependency cycle: ${cycle.join(' → ')}`, { cycle });
    return this.rank();
  }

  /**
   * Each dependency cycle once, as a path that ends where it starts (`['web', 'api', 'auth', 'web']`: web
   * depends on api, api on auth, auth on web), starting from its node declared first; a node depending on
   * itself gives `['a', 'a']`.
   */
  cycles(): string[][] {
    const cycles: string[][] = [];
    for (const component of this.stronglyConnectedComponents()) {
      const start = component.reduce((a, b) => (this.index.get(a)! <= this.index.get(b)! ? a : b));
      const isCycle = component.length > 1 || this.dependencies.get(start)!.includes(start);
      if (isCycle) cycles.push(this.shortestCycleFrom(start, new Set(component)));
    }
    return cycles.sort((a, b) => this.index.get(a[0]!)! - this.index.get(b[0]!)!);
  }

  /** Everything `name` needs, directly or not, in start order (start these first). */
  dependenciesOf(name: string): string[] {
    return this.reachable(name, this.dependencies);
  }

  /** Everything that needs `name`, directly or not, in start order (stop these first, in reverse). */
  dependentsOf(name: string): string[] {
    return this.reachable(name, this.dependents);
  }

  // Nodes caught in a cycle (and what depends on them) come last, in declaration order, so that callers
  // that tolerate a cycle still get every node.
  private rank(): string[] {
    const placed = new Set<string>();
    const order: string[] = [];
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const name of this.names) {
        if (placed.has(name)) continue;
        if (this.dependencies.get(name)!.every((dep) => placed.has(dep))) {
          placed.add(name);
          order.push(name);
          progressed = true;
          break;
        }
      }
    }
    for (const name of this.names) if (!placed.has(name)) order.push(name);
    return order;
  }

  private reachable(name: string, edges: Map<string, string[]>): string[] {
    if (!this.index.has(name)) return [];
    const found = new Set<string>();
    const stack = [...edges.get(name)!];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (found.has(next) || next === name) continue;
      found.add(next);
      stack.push(...edges.get(next)!);
    }
    return this.rank().filter((n) => found.has(n));
  }

  // Tarjan's algorithm, iterative so a long dependency chain cannot overflow the stack.
  private stronglyConnectedComponents(): string[][] {
    const indexOf = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const components: string[][] = [];
    let counter = 0;
    for (const root of this.names) {
      if (indexOf.has(root)) continue;
      const work: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
      indexOf.set(root, counter);
      low.set(root, counter++);
      stack.push(root);
      onStack.add(root);
      while (work.length > 0) {
        const frame = work[work.length - 1]!;
        const deps = this.dependencies.get(frame.node)!;
        if (frame.next < deps.length) {
          const dep = deps[frame.next++]!;
          if (!indexOf.has(dep)) {
            indexOf.set(dep, counter);
            low.set(dep, counter++);
            stack.push(dep);
            onStack.add(dep);
            work.push({ node: dep, next: 0 });
          } else if (onStack.has(dep)) {
            low.set(frame.node, Math.min(low.get(frame.node)!, indexOf.get(dep)!));
          }
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
        if (low.get(frame.node) === indexOf.get(frame.node)) {
          const component: string[] = [];
          let member: string;
          do {
            member = stack.pop()!;
            onStack.delete(member);
            component.push(member);
          } while (member !== frame.node);
          components.push(component);
        }
      }
    }
    return components;
  }

  // Breadth-first inside the component: the shortest way back to `start` makes the clearest message.
  private shortestCycleFrom(start: string, component: Set<string>): string[] {
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const node = queue.shift()!;
      for (const dep of this.dependencies.get(node)!) {
        if (!component.has(dep)) continue;
        if (dep === start) {
          const path = [start];
          for (let at = node; at !== start; at = previous.get(at)!) path.splice(1, 0, at);
          return [...path, start];
        }
        if (!previous.has(dep)) {
          previous.set(dep, node);
          queue.push(dep);
        }
      }
    }
    return [start, start];
  }
}
