/**
 * "Did you mean ...?" for misspelt option names: the closest known name by edit distance. One place,
 * used for entity options and cache options alike. @internal
 */

/** Levenshtein distance (insertions, deletions, substitutions), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const substitution = previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[y.length]!;
}

/**
 * The candidate closest to `name` (case-insensitive edit distance), or `undefined` when none is close
 * enough to be a likely typo: at most a third of the longer name's length, and at least 1, may differ.
 *
 * @example
 * closestName('fnd', ['name', 'ttl', 'find']);    // 'find'
 * closestName('prefx', ['prefix', 'redis']);       // 'prefix'
 * closestName('colour', ['name', 'ttl']);          // undefined
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(name.length, best.length) / 3));
  return bestDistance <= allowed ? best : undefined;
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
 * The sentence naming one unknown option and what to write instead, e.g.
 * `Unknown option "fnd": did you mean "find"? Valid options: name, ttl, find.`
 *
 * @example
 * unknownOptionSentence('fnd', ['name', 'ttl', 'find']);
 */
export function unknownOptionSentence(name: string, known: readonly string[]): string {
  const guess = closestName(name, known);
  return `Unknown option ${JSON.stringify(name)}${guess === undefined ? '.' : `: did you mean ${JSON.stringify(guess)}?`} Valid options: ${known.join(', ')}.`;
}
