/**
 * "Did you mean ...?" for misspelt option names: the closest known name by edit distance. One place,
 * used for entity options and cache options alike. @internal
 */

/**
 * The candidate closest to `name` (Levenshtein distance, case-insensitive), when it is close enough to
 * be a likely misspelling: at most 2 edits, or at most a third of `name`'s length. `undefined` when no
 * candidate is that close; on a tie, the first candidate listed.
 *
 * @example
 * closestName('prefx', ['redis', 'prefix', 'strict']); // 'prefix'
 * closestName('banana', ['redis', 'prefix']);          // undefined
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const wanted = name.toLowerCase();
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, candidate.toLowerCase(), bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance of `a` and `b`; any answer >= `ceiling` means "at least `ceiling`". */
function editDistance(a: string, b: string, ceiling: number): number {
  if (Math.abs(a.length - b.length) >= ceiling) return ceiling;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin >= ceiling) return ceiling;
    previous = current;
  }
  return previous[b.length]!;
}
/**
 * The names of `options` not in `known` (own enumerable string keys, in order).
 *
 * @example
 * unknownNames({ name: 'a', fnd: 'index' }, ['name', 'find']); // ['fnd']
 */
export function unknownNames(options: object, known: readonly string[]): string[] {
  return Object.keys(options).filter((k) => !known.includes(k));
}

/**
 * The message for an unknown option of `where` (a call or a declaration), naming the closest valid one
 * when there is one, and every valid one: the one wording of this error for cache, module and entity
 * options alike.
 *
 * @example
 * unknownOptionMessage('createCache', 'prefx', ['redis', 'prefix']);
 * // 'createCache has no option "prefx". Did you mean "prefix"? Valid options: redis, prefix.'
 */
export function unknownOptionMessage(where: string, name: string, known: readonly string[]): string {
  const guess = closestName(name, known);
  return `${where} has no option ${JSON.stringify(name)}.${guess === undefined ? '' : ` Did you mean ${JSON.stringify(guess)}?`} Valid options: ${known.join(', ')}.`;
}
