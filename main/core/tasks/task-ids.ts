// Task ids: `task-` and 10 random lower-case letters and digits (TaskIdSchema), short enough to type.
import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** a fresh id; `taken` guards against the (astronomically rare) collision */
export function next(taken: (id: string) => boolean): string {
  for (let attempt = 0; attempt < 8; attempt++) {
    const id = `task-${[...randomBytes(10)].map((b) => ALPHABET[b % ALPHABET.length]).join('')}`;
    if (!taken(id)) return id;
  }
  throw new Error('could not draw a free task id in 8 attempts');
}
