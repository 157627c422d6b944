/**
 * Edit distance between `a` and `b` (insertions, deletions, substitutions), or `limit + 1` as
 * soon as it is sure to exceed `limit`, so a long name costs no more than a short one.
 */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    if (Math.min(...current) > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length];
}

/**
 * The name in `names` closest to `wanted` (case aside), if it is close enough to be a typo:
 * at most 2 edits, or a third of the name's length for long names. Ties go to the first.
 */
export function closestName(wanted: string, names: readonly string[]): string | undefined {
  const target = wanted.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const limit = Math.max(2, Math.floor(name.length / 3));
    const distance = editDistance(target, name.toLowerCase(), limit);
    if (distance <= limit && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}
