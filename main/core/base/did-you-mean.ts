// "did you mean …?" for unknown keys and service names. Compares case-insensitively and ignores `-`/`_`, so
// `dependsOn`, `depends-on` and `Depends_On` all lead to `depends_on`; a swap of two letters counts as one edit.

/** The closest candidate to `word`, or null when none is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: Iterable<string>): string | null {
  const needle = normalize(word);
  // Beyond this a suggestion is noise: 1 edit for words of up to 4 letters (`db` is not a typo of `web`),
  // else 2, or a third of the word for long ones.
  const limit = needle.length <= 4 ? 1 : Math.max(2, Math.floor(needle.length / 3));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = editDistance(needle, normalize(candidate));
    if (distance < bestDistance && distance <= limit && distance < needle.length) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

function normalize(word: string): string {
  return word.toLowerCase().replace(/[-_]/g, '');
}
