// The lock compatibility matrix: the one place it is written down. The README's table is rendered from
// LOCK_MATRIX by renderLockMatrix() (a test pins the output), so the docs cannot drift from the code.
//
// | held ↓ / requested → | READ | INTENT | WRITE | CO_WRITE |
// | -------------------- | ---- | ------ | ----- | -------- |
// | READ                 | ✓    | ✗      | ✗     | ✗        |
// | INTENT               | ✓    | ✗      | ✗     | ✗        |
// | WRITE                | ✗    | ✗      | ✗     | ✗        |
// | CO_WRITE             | ✗    | ✗      | ✗     | ✓        |
//
// The matrix is for different holders on overlapping targets. A holder never conflicts with itself; asking
// for another mode on a target it already holds converts that lock (see LockManager: READ→WRITE once it
// is the sole holder, INTENT→WRITE once the readers are gone), ahead of other waiters.
import { LOCK_MODES, type LockMode } from '../../../shared/lock.js';

/** LOCK_MATRIX[held][requested]: may a different holder be granted `requested` while `held` is held? */
export const LOCK_MATRIX: Readonly<Record<LockMode, Readonly<Record<LockMode, boolean>>>> = {
  READ: { READ: true, INTENT: false, WRITE: false, CO_WRITE: false },
  INTENT: { READ: true, INTENT: false, WRITE: false, CO_WRITE: false },
  WRITE: { READ: false, INTENT: false, WRITE: false, CO_WRITE: false },
  CO_WRITE: { READ: false, INTENT: false, WRITE: false, CO_WRITE: true },
};

export function admits(held: LockMode, requested: LockMode): boolean {
  return LOCK_MATRIX[held][requested];
}

/**
 * Two queued requests conflict when either order of granting would be refused: the matrix is not
 * symmetric (INTENT admits a later READ, READ refuses a later INTENT), and a waiter must never be passed by
 * one whose grant would then block it.
 */
export function conflictsBothWays(a: LockMode, b: LockMode): boolean {
  return !LOCK_MATRIX[a][b] || !LOCK_MATRIX[b][a];
}

/** The matrix as a markdown table, the form the README shows, with its columns aligned as Prettier aligns them. */
export function renderLockMatrix(): string {
  const cells = [
    ['held ↓ / requested →', ...LOCK_MODES],
    ...LOCK_MODES.map((held) => [held, ...LOCK_MODES.map((req) => (LOCK_MATRIX[held][req] ? '✓' : '✗'))]),
  ];
  const widths = cells[0]!.map((_, col) => Math.max(3, ...cells.map((row) => row[col]!.length)));
  const line = (row: string[]): string => `| ${row.map((cell, col) => cell.padEnd(widths[col]!)).join(' | ')} |`;
  const [head, ...rows] = cells;
  return [line(head!), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
