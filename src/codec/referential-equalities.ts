/**
 * superjson's `meta.referentialEqualities`: the paths at which one object (or one bigint value, or
 * NaN) occurs more than once, so that `superjson.parse` gives back one shared object. Computed the way
 * superjson's walker computes it, for the values the compiled encoder writes (plain objects, arrays,
 * `Map`, `Set`, `Date`, bigint and primitives). Only run when the encoder saw a repeat. @internal
 */

type Path = string[];

// superjson's isPrimitive: NaN and bigint are *not* primitive (their identity is tracked).
function isPrimitive(v: unknown): boolean {
  const t = typeof v;
  return t === 'boolean' || t === 'string' || t === 'symbol' || v === null || v === undefined || (t === 'number' && v === v);
}

function isDeep(v: unknown): v is object {
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v) || v instanceof Map || v instanceof Set) return true;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function escapeSegment(segment: string): string {
  return segment.replace(/\\/g, '\\\\').replace(/\./g, '\\.');
}

function stringifyPath(path: Path): string {
  return path.map(escapeSegment).join('.');
}

/**
 * The JSON of `meta.referentialEqualities` for `root`, or `undefined` when nothing repeats.
 *
 * @example
 * const now = new Date();
 * referentialEqualities({ createdAt: now, updatedAt: now }); // '{"createdAt":["updatedAt"]}'
 */
export function referentialEqualities(root: unknown): string | undefined {
  const identities = new Map<unknown, Path[]>();
  const done = new Set<unknown>();

  const walk = (value: unknown, path: Path, ancestors: unknown[]): void => {
    if (isPrimitive(value)) return;
    const paths = identities.get(value);
    if (paths) paths.push(path);
    else identities.set(value, [path]);
    if (done.has(value)) return; // superjson does not walk a value it has seen again
    if (!isDeep(value)) {
      done.add(value);
      return;
    }
    if (ancestors.includes(value)) return; // a cycle: superjson writes null here
    const children = value instanceof Map || value instanceof Set ? [...value] : value;
    const inner = [...ancestors, value];
    for (const [key, child] of Object.entries(children)) walk(child, [...path, key], inner);
    done.add(value);
  };
  walk(root, [], []);

  const result: Record<string, string[]> = {};
  let rootPaths: string[] | undefined;
  let any = false;
  identities.forEach((paths) => {
    if (paths.length <= 1) return;
    // Shortest path first (a stable sort, as superjson's), which becomes the representative.
    const [first, ...others] = [...paths].sort((a, b) => a.length - b.length) as [Path, ...Path[]];
    if (first.length === 0) rootPaths = others.map(stringifyPath);
    else {
      result[stringifyPath(first)] = others.map(stringifyPath);
      any = true;
    }
  });
  if (rootPaths) return JSON.stringify(any ? [rootPaths, result] : [rootPaths]);
  return any ? JSON.stringify(result) : undefined;
}
