// "Did you mean" for task names and flags: the closest candidate within a small edit distance.
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

export function suggest(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    // A candidate that contains the input (or the other way round) counts as close: `status` -> `cluster:status`.
    const score = c.includes(input) || input.includes(c) ? 1 : distance(input, c);
    if (score < bestScore) { best = c; bestScore = score; }
  }
  return bestScore <= Math.max(2, Math.floor(input.length / 3)) ? best : undefined;
}
