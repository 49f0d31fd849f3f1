// The award score of a bid, by the formula documented in shared/task.ts (AWARD_WEIGHTS):
//   score = 0.6 · match + 0.25 · 1 / (1 + load) + 0.15 · 1 / (1 + min(estimateMinutes, 480) / 30)
// Pure and static so the board, its tests and any face compute the same numbers.
import { AWARD_WEIGHTS, type Bid } from '../../../shared/task.js';

/** an estimate above this counts as this: a wild guess must not sink a bid below any capability match */
export const ESTIMATE_CAP_MINUTES = 480;

export interface ScoreParts {
  match: number;
  load: number;
  score: number;
}

/** the share of `required` that `offered` covers; 1 when nothing is required */
export function match(required: readonly string[], offered: readonly string[]): number {
  const need = [...new Set(required)];
  if (need.length === 0) return 1;
  const have = new Set(offered);
  return need.filter((c) => have.has(c)).length / need.length;
}

export function score(match: number, load: number, estimateMinutes: number): number {
  const estimate = Math.min(Math.max(0, estimateMinutes), ESTIMATE_CAP_MINUTES);
  const raw =
    AWARD_WEIGHTS.match * match +
    AWARD_WEIGHTS.load / (1 + Math.max(0, load)) +
    AWARD_WEIGHTS.estimate / (1 + estimate / 30);
  // rounded so the stored, shown and compared numbers are the same ones
  return Math.round(raw * 1e6) / 1e6;
}

export function compute(
  required: readonly string[],
  offered: readonly string[],
  load: number,
  estimateMinutes: number,
): ScoreParts {
  const share = match(required, offered);
  return { match: share, load, score: score(share, load, estimateMinutes) };
}

/** best first; ties go to the earlier bid (then the agent id, so the order is total) */
export function rank(bids: readonly Bid[]): Bid[] {
  return [...bids].sort((a, b) => b.score - a.score || a.at - b.at || a.agentId.localeCompare(b.agentId));
}
