// One action at a time per repository: git's checkout (and the worktrees sharing its refs) takes one change at
// a time, and a landing judges what is left to land before it changes anything, so a second landing that ran
// beside the first would merge the same branch twice, or stop on the first's `index.lock` and then abort the
// first's merge in progress. Actions on different repositories run side by side; a key is forgotten once its
// last action has ended, so the map holds only repositories with an action running or waiting.
import { resolve } from 'node:path';

export class RepoQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `action` once every earlier action on `repo` has ended (however it ended). */
  run<T>(repo: string, action: () => Promise<T>): Promise<T> {
    const key = resolve(repo);
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(action, action);
    // the queue's own tail never rejects: a failed action is its caller's to hear, not the next one's
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** repositories with an action running or waiting */
  get size(): number {
    return this.tails.size;
  }
}
